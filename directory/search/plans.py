"""Studio search: filters, the legacy priority order, fair premium rotation, stable pages.

Reads only the derived search tables (studio_search, studio_search_facet), which database
triggers keep in step with the studios (migration 0002_search_index, docs/search.md).

A page costs two queries whatever its size — one for the page's ids and the total (a
window count over the same scan), one to load those studios with their owners — plus a
count query when the page lies past the end, and the data-version read of the cache. A
text query whose words match nothing adds its typo retry: one query to the vocabulary,
then the page (and its count) again with the corrected words.

Six plans answer the same question:

* the tier plan (PostgreSQL, a centre without text or city; directory/search/knn.py):
  each priority tier off its own partial GiST index — by distance nearest first (KNN), so a
  page costs what its rows cost — with a count estimated past a threshold;
* the city plan (PostgreSQL, a city without a centre or text; directory/search/city.py):
  the city's few exact keys, then each tier off a (city, tier, name) index — by name a
  page reads about its own rows — with an exact index-only count;
* the text plan (PostgreSQL, text without a centre or city; directory/search/text_plan.py):
  premium in the day's stored rotation, then each tier in relevance bands or the sort,
  each off an index until the page is full — with a count estimated past a threshold;
* the radius + text plan (PostgreSQL, text with a centre, no city;
  directory/search/radius_text.py): the count first; few matches sorted in one statement,
  many read tier by tier — by distance each tier's nearest off its GiST, the text checked
  per row — with a count estimated past a threshold;
* the facet plan (PostgreSQL, a centre + types + services, no text or city): one GiST
  scan per (type, service) pair over studio_search_facet, which only holds studios
  that already match, so the work grows with the matches, not with the studios around;
* the general plan (everything else, and all of embedded mode): one ORM query over
  studio_search — on PostgreSQL a GiST scan of the 3-D earth box, on SQLite a latitude /
  longitude box — then the exact chord.
Tests run both on the same data and compare (tests/directory/test_search_api.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, Count, F, FloatField, QuerySet, Value, When, Window
from django.db.models.functions import MD5, Cast, Collate, Concat
from django.db.models.lookups import GreaterThan

from ..models import StudioSearch
from . import bits as search_bits
from .cards import SearchPage, studio_cards
from .city import city_keys, city_plan_applies, city_plan_count, city_plan_rows
from .knn import (
    CENTRE_SQL,
    centre_params,
    chord_params,
    chord_sql,
    knn_plan_applies,
    knn_plan_page,
)
from .parameters import Centre, SearchParams, resolve_centre, rotation_seed
from .radius_text import radius_text_plan_applies, radius_text_plan_page
from .spatial import chord_expression, radius_q
from .sqlite import fold_case
from .text import TextQuery, text_filter, text_query, typo_text_query
from .text_plan import (
    text_plan_applies,
    text_plan_count,
    text_plan_rows,
    text_plan_small_rows,
)


def search_studios(params: SearchParams, *, day: dt.date | None = None) -> SearchPage:
    centre = resolve_centre(params)
    seed = rotation_seed(day)
    offset = (params.page - 1) * params.page_size
    estimate = False
    if _facet_plan_applies(params, centre):
        rows = _facet_plan_rows(params, centre, seed, offset)
        if rows:
            total = rows[0][2]
        elif offset == 0:
            total = 0
        else:  # past the end: the window count had no row to ride on
            total = _facet_plan_count(params, centre)
    elif knn_plan_applies(params, centre):
        rows, total, estimate = knn_plan_page(params, centre, seed, offset)
    elif city_plan_applies(params, centre) and (keys := city_keys(params)) is not None:
        page_rows = city_plan_rows(params, keys, seed, offset)
        total = city_plan_count(params, keys)
        rows = [(sid, chord, total) for sid, chord in page_rows]
    elif text_plan_applies(params, centre) and (text_page := _text_plan_page(params, seed, offset)):
        rows, total, estimate = text_page
    elif radius_text_plan_applies(params, centre) and (
        radius_page := radius_text_plan_page(params, centre, seed, offset)
    ):
        rows, total, estimate = radius_page
    else:
        rows, total = _general_plan_page(params, centre, seed, offset)
    if estimate and rows:  # a sample's estimate, never fewer than this page proves
        total = max(total, offset + len(rows))
    return SearchPage(
        count=total,
        count_is_estimate=estimate,
        page=params.page,
        page_size=params.page_size,
        results=studio_cards([(sid, chord) for sid, chord, _ in rows]),
    )


# --- The facet plan (PostgreSQL) ----------------------------------------------------------


def _facet_plan_applies(params: SearchParams, centre: Centre | None) -> bool:
    return (
        connection.vendor == "postgresql"
        and settings.SEARCH_FACET_PLAN
        and centre is not None
        and bool(params.studio_types)
        and bool(params.services)
        and not params.q
        and not params.city
    )


# The sorts' keys, {keys} the alias of the relation that holds them.
_SORT_SQL = {
    "distance": "h.chord ASC NULLS LAST",
    "name": '{keys}.name_key COLLATE "C" ASC',
    "newest": "{keys}.studio_created_at DESC",
    "rating": "{keys}.rating_avg DESC NULLS LAST, {keys}.review_count DESC",
}


# The SQL below is assembled from constants only; every value is a query parameter.
def _facet_plan_sql(
    params: SearchParams, centre: Centre, seed: str, keys: str = "ss"
) -> tuple[str, list[Any], str, list[Any]]:
    """(the hits subquery, its params, the ORDER BY, its params); the ORDER BY reads the
    sort keys from the relation named `keys`."""
    flags, flag_params = [], []
    for column in ("verified", "premium", "has_images"):
        value = getattr(params, column)
        if value is not None:
            flags.append(f"AND {'is_' + column if column != 'has_images' else column} = %s")
            flag_params.append(value)
    flag_sql = " ".join(flags)
    branches, branch_params = [], []
    for facet in search_bits.facets(params.studio_types, params.services):
        branches.append(
            "SELECT f.studio_id, f.is_premium, f.is_verified, f.has_images,"  # noqa: S608
            f" {chord_sql('f.latitude', 'f.longitude')} AS chord"
            " FROM studio_search_facet f"
            " WHERE f.facet = %s::smallint"
            f" AND cube_enlarge({CENTRE_SQL}, %s, 3) @> ll_to_earth(f.latitude, f.longitude)"
            f" {flag_sql.replace('AND ', 'AND f.')}"
        )
        branch_params += [*chord_params(centre), facet, *centre_params(centre), centre.chord]
        branch_params += flag_params
    hits = " UNION ALL ".join(branches)
    distinct = "DISTINCT " if len(branches) > 1 else ""
    inner = (
        f"SELECT {distinct}studio_id, is_premium, is_verified, has_images, chord"  # noqa: S608
        f" FROM ({hits}) x WHERE chord <= %s"
    )
    inner_params = [*branch_params, centre.chord]
    if centre.fallback_city_key:
        inner += (
            " UNION ALL SELECT ss.studio_id, ss.is_premium, ss.is_verified, ss.has_images,"  # noqa: S608
            " NULL::float8 FROM studio_search ss"
            " WHERE ss.latitude IS NULL AND ss.city_key = %s"
            " AND (ss.type_mask & %s) <> 0 AND (ss.service_mask & %s) <> 0"
            f" {flag_sql.replace('AND ', 'AND ss.')}"
        )
        inner_params += [
            centre.fallback_city_key,
            search_bits.type_mask(params.studio_types),
            search_bits.service_mask(params.services),
            *flag_params,
        ]
    order = (
        "h.is_premium DESC,"
        ' CASE WHEN h.is_premium THEN md5(h.studio_id::text || %s) END COLLATE "C" ASC,'
        " h.is_verified DESC, h.has_images DESC,"
        f" {_SORT_SQL[params.effective_sort].format(keys=keys)}, h.studio_id ASC"
    )
    return inner, inner_params, order, [seed]


# The sort keys the other sorts read from studio_search: a premium hit needs none (the
# rotation orders its tier), so its columns are typed NULLs.
_NO_SORT_KEYS = (
    "NULL::varchar AS name_key, NULL::timestamptz AS studio_created_at,"
    " NULL::float8 AS rating_avg, NULL::integer AS review_count"
)
# The tiers after premium, in page order: (its condition on a hit, the hits before it).
_FACET_TIERS = (
    ("hits.is_verified AND hits.has_images", "is_premium"),
    ("hits.is_verified AND NOT hits.has_images", "is_premium OR (is_verified AND has_images)"),
    ("NOT hits.is_verified AND hits.has_images", "is_premium OR is_verified"),
    ("NOT hits.is_verified AND NOT hits.has_images", "is_premium OR is_verified OR has_images"),
)


def _facet_plan_rows(params, centre, seed, offset) -> list[tuple[int, float | None, int]]:
    inner, inner_params, order, order_params = _facet_plan_sql(params, centre, seed, keys="h")
    if params.effective_sort == "distance":
        sql = (
            f"SELECT h.studio_id, h.chord, COUNT(*) OVER () FROM ({inner}) h"  # noqa: S608
            f" ORDER BY {order} LIMIT %s OFFSET %s"
        )
        values = [*inner_params, *order_params, params.page_size, offset]
    else:
        # The other sorts read each hit's sort key from studio_search, an index probe each
        # (1,500 hits around London: 6.5 ms). A premium hit needs none, and a later tier's
        # hits are read only when the tiers before it hold fewer hits than the page needs
        # (London's 90 premium hits fill pages 1–4).
        need = offset + params.page_size
        branches = [f"SELECT hits.*, {_NO_SORT_KEYS} FROM hits WHERE hits.is_premium"]  # noqa: S608
        for tier, before in _FACET_TIERS:
            branches.append(
                "SELECT hits.*, ss.name_key, ss.studio_created_at, ss.rating_avg,"  # noqa: S608
                " ss.review_count FROM hits JOIN studio_search ss USING (studio_id)"
                f" WHERE NOT hits.is_premium AND {tier}"
                f" AND (SELECT count(*) FROM hits WHERE {before}) < %s"
            )
        sql = (
            f"WITH hits AS MATERIALIZED ({inner})"  # noqa: S608
            f" SELECT h.studio_id, h.chord, (SELECT count(*) FROM hits)"
            f" FROM ({' UNION ALL '.join(branches)}) h"
            f" ORDER BY {order} LIMIT %s OFFSET %s"
        )
        values = [*inner_params, *[need] * len(_FACET_TIERS), *order_params]
        values += [params.page_size, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return list(cursor.fetchall())


def _facet_plan_count(params, centre) -> int:
    inner, inner_params, _, _ = _facet_plan_sql(params, centre, "")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({inner}) h", inner_params)  # noqa: S608
        return int(cursor.fetchone()[0])


# --- The text plan (PostgreSQL; directory/search/text_plan.py) -----------------------------


def _text_plan_page(params, seed, offset) -> tuple[list[tuple], int, bool] | None:
    """(the page's rows, the total, whether it is an estimate); None when the stored
    rotation is not the day's (the general plan answers). The typo retry as the general
    plan's: only when the words match nothing."""
    text = text_query(params.q)
    if text is None:
        return None
    fresh, total, estimate, tsquery = text_plan_count(params, text, seed)
    if not fresh:
        return None
    if total == 0:
        text = typo_text_query(params.q)
        if text is None:
            return [], 0, False
        _, total, estimate, tsquery = text_plan_count(params, text, seed)
    if total == 0 or (not estimate and offset >= total):
        return [], total, estimate
    if not estimate and total <= settings.SEARCH_EXACT_COUNT_LIMIT:  # a few: one statement
        rows = text_plan_small_rows(params, text, tsquery, offset)
    else:  # many: tier by tier, each in its order off an index, until the page is full
        rows = text_plan_rows(params, text, tsquery, offset)
    return [(sid, None, total) for sid, _ in rows], total, estimate


# --- The general plan (ORM; PostgreSQL and SQLite) ----------------------------------------


def general_queryset(
    params: SearchParams, centre: Centre | None, *, text: TextQuery | None = None
) -> QuerySet:
    qs = StudioSearch.objects.all()
    if params.studio_types:
        mask = search_bits.type_mask(params.studio_types)
        qs = qs.filter(GreaterThan(F("type_mask").bitand(mask), 0))
    if params.services:
        mask = search_bits.service_mask(params.services)
        qs = qs.filter(GreaterThan(F("service_mask").bitand(mask), 0))
    if params.city:
        qs = qs.filter(city_key__contains=fold_case(" ".join(params.city.split())))
    for name, column in (("verified", "is_verified"), ("premium", "is_premium")):
        if getattr(params, name) is not None:
            qs = qs.filter(**{column: getattr(params, name)})
    if params.has_images is not None:
        qs = qs.filter(has_images=params.has_images)
    if params.q:
        qs = text_filter(qs, params.q, text)
    if centre is not None:
        qs = qs.annotate(chord=chord_expression(centre)).filter(radius_q(centre))
    else:
        qs = qs.annotate(chord=Value(None, output_field=FloatField()))
    return qs


def _ordering(params: SearchParams, seed: str) -> list:
    rotation = MD5(Concat(Cast("studio_id", CharField()), Value(seed)))
    if connection.vendor == "postgresql":
        rotation = Collate(rotation, "C")
    name_key = Collate(F("name_key"), "C") if connection.vendor == "postgresql" else F("name_key")
    keys = {
        "relevance": [F("relevance").desc()],
        "distance": [F("chord").asc(nulls_last=True)],
        "name": [name_key.asc()],
        "newest": [F("studio_created_at").desc()],
        "rating": [F("rating_avg").desc(nulls_last=True), F("review_count").desc()],
    }[params.effective_sort]
    return [
        F("is_premium").desc(),
        Case(When(is_premium=True, then=rotation), default=Value(None)).asc(nulls_last=True),
        F("is_verified").desc(),
        F("has_images").desc(),
        *keys,
        F("studio_id").asc(),
    ]


def _general_plan_page(params, centre, seed, offset) -> tuple[list[tuple], int]:
    """(the page's rows, the total). The text's words first; when they match nothing at
    all (PostgreSQL), the words corrected for typos. At most five queries, past the end of
    a corrected query: the page, its count, the vocabulary, the corrected page and count."""
    text = text_query(params.q) if params.q and connection.vendor == "postgresql" else None
    rows, total = _general_plan_rows(params, centre, seed, offset, text)
    if rows or total or text is None:
        return rows, total
    typo = typo_text_query(params.q)
    if typo is None:
        return [], 0
    return _general_plan_rows(params, centre, seed, offset, typo)


def _general_plan_rows(params, centre, seed, offset, text) -> tuple[list[tuple], int]:
    qs = (
        general_queryset(params, centre, text=text)
        .annotate(total=Window(Count("*")))
        .order_by(*_ordering(params, seed))
        .values_list("studio_id", "chord", "total")
    )
    rows = list(qs[offset : offset + params.page_size])
    if rows:
        return rows, rows[0][2]
    if offset == 0:
        return [], 0
    # Past the end: the window count had no row to ride on.
    return [], general_queryset(params, centre, text=text).count()


# --- Matching without a page (saved-search alerts) ------------------------------------------


def matching_studio_ids(params: SearchParams) -> QuerySet:
    """The ids of every studio the search lists, on any page, as a subquery.

    The same filters as a search page — text (with its typo fallback), types, services,
    city, the radius with its city fallback, the flags — without ranking or paging.
    Saved-search alerts intersect it with the few studios published since their last
    email, so an alert announces exactly what the search would show. Raises
    LocationNotFound or PlaceLookupUnavailable as search_studios does.
    """
    centre = resolve_centre(params)
    matches = general_queryset(params, centre)
    if params.q and connection.vendor == "postgresql" and not matches.exists():
        typo = typo_text_query(params.q)  # as _general_plan_page: only when nothing matches
        if typo is not None:
            matches = general_queryset(params, centre, text=typo)
    return matches.values("studio_id")
