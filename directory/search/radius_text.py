"""The radius + text plan (PostgreSQL): text around a centre, no city, in any sort.

The general plan answers `q` with a centre by intersecting the GIN's matches with the
earth box (a `BitmapAnd`), counting them all and sorting every one of them before it cuts
a page. Here a sample count comes first and decides how the page is read:

* few matches (the sample's estimate at most SEARCH_EXACT_COUNT_LIMIT): one statement,
  the GIN's matches in the box sorted in the whole order (the rotation, the flags, the
  sort, the id) and counted beside the page (knn.counted_page) — the general plan's work,
  on few rows; exact, also past the end;
* many: tier by tier, as the tier plan (directory/search/knn.py), each tier off its own
  partial GiST index and only until the page is full — premium in the day's rotation,
  read in the stored keys' order off migration 0012's index while the tier's expected
  matches are many next to the page (else all its matches in the circle, sorted); by
  distance each other tier's nearest studios
  off its index (KNN inside the earth box), the text checked per row, so a common word
  costs about a page of rows; by relevance, name, newest or rating one top-N sort of the
  tier's matches in the circle. The count is the sample's estimate, `count_is_estimate`.

The sample: the matches among the 1-in-SAMPLE_STRIDE sample of located studios (the tier
plan's partial GiST, migration 0004) times the stride, plus the centre's city's studios
without coordinates that match (few: counted exactly). The same statement returns the
tsquery as text, which the page's statements ask as a constant (as directory/search/
text_plan.py does), so the planner weighs the word against the `tsvector` statistics: a
common word walks the GiST, a rare one takes the GIN. The typo retry is the general
plan's: only when the words match nothing at all.

Around a centre whose circle fits in few map cells (MAX_CELLS of 0.25°: a radius of up to
about 60 miles), the located matches come off the cell GIN (migration 0008): every lexeme
of a studio is indexed prefixed with its cell, and the tsquery is asked once per cell of
the circle — work about the circle's matches, not the studios around it nor the word's
matches anywhere. The sample asks the same index's 1-in-SAMPLE_STRIDE copy. A wider
circle, or a query with a negated word (which a per-cell query cannot narrow), takes the
earth box ANDed with the GIN as before. Either way the exact text and distance tests run
on each row.

Type and service filters are supported (the masks are in every tier index); the flags pick
the tiers. Studios without coordinates in the centre's city follow each tier's located
ones by distance and take their place by the key in the other sorts, as in the other plans.
Tests compare the plan with the general plan on the same data
(tests/directory/test_search_radius_text.py).
"""

from __future__ import annotations

import math
import re
from typing import Any

from django.conf import settings
from django.db import connection

from ..geo import cap_boxes
from .city import _like_contains
from .knn import (
    _EARTH,
    _SORT_COLUMNS,
    CENTRE_SQL,
    ROTATION_AXIS,
    ROTATION_AXIS_END,
    ROTATION_ORDER,
    SAMPLE_STRIDE,
    STORED_SEED,
    _fallback_rows,
    _filters,
    _tier_sql,
    _tiers,
    _within,
    centre_params,
    chord_params,
    chord_sql,
    counted_page,
    flags_sql,
    premium_share,
    rotation_range_sql,
)
from .knn import _SORT_SQL as _KNN_SORT_SQL
from .parameters import Centre, SearchParams
from .text import TextQuery, _like_prefix, text_query, typo_text_query

# Within a tier (after premium's rotation): the sort's key, then the studio id — the tier
# plan's, with distance as a sort key (not only off the index) and relevance's band.
_SORT_SQL = {
    **_KNN_SORT_SQL,
    "distance": "chord ASC NULLS LAST",
    "relevance": "band DESC",
}
_BAND = "CASE WHEN name_key LIKE %s THEN 2 WHEN name_key LIKE %s THEN 1 ELSE 0 END"

CELLS_PER_DEGREE = 4  # migration 0008's studio_search_cell_vector(): 0.25° cells
# Migration 0008 keeps a lexeme's first 500 characters: a query word that long matches
# every word it shares them with, so its rows are tested again.
LEXEME_CHARS = 500
# Past this many cells the circle's box and the GIN are cheaper than a scan per cell
# (about 25 µs each at a million studios).
MAX_CELLS = 128
_CELL_VECTOR = "studio_search_cell_vector(latitude, longitude, search_vector)"
# Migration 0010: the lexemes of a studio without coordinates prefixed with its city key's
# digest; a query's lexemes so prefixed (studio_search_cell_queries() with that one
# "cell") ask for the matches in one city — the centre's, whose studios without
# coordinates follow the located ones.
_CITY_VECTOR = "studio_search_city_vector(city_key, search_vector)"
_CITY_QUERY = "(studio_search_cell_queries({query}, ARRAY[left(md5(%s), 16)]))[1]"
# websearch_to_tsquery's `-word` (after a space, a bracket, `|`, …; not inside a word,
# where it joins a phrase): a negation matches studios with none of a cell's lexemes, so
# a per-cell query narrows nothing.
_NEGATION = re.compile(r"(?<!\w)-")


def circle_cells(params: SearchParams, centre: Centre) -> list[str] | None:
    """The 0.25° cells (as migration 0008 names them) that cover the circle, or None when
    they are more than MAX_CELLS, or the query negates a word."""
    if _NEGATION.search(params.q):
        return None
    cells: list[str] = []
    for box in cap_boxes(centre.lat, centre.lng, centre.radius_mi):
        rows = range(
            math.floor(box.south * CELLS_PER_DEGREE), math.floor(box.north * CELLS_PER_DEGREE) + 1
        )
        cols = range(
            math.floor(box.west * CELLS_PER_DEGREE), math.floor(box.east * CELLS_PER_DEGREE) + 1
        )
        if len(cells) + len(rows) * len(cols) > MAX_CELLS:
            return None
        cells += [f"{row}/{col}" for row in rows for col in cols]
    return cells


def city_vector_applies(params: SearchParams) -> bool:
    """Whether the centre's city's matches without coordinates may come off the city vector:
    not for a negated word, which a per-city query cannot narrow (as a per-cell one)."""
    return not _NEGATION.search(params.q)


def radius_text_plan_applies(params: SearchParams, centre: Centre | None) -> bool:
    return (
        connection.vendor == "postgresql"
        and settings.SEARCH_RADIUS_TEXT_PLAN
        and centre is not None
        and bool(params.q)
        and not params.city
        and params.effective_sort in _SORT_SQL
    )


def radius_text_plan_page(
    params: SearchParams, centre: Centre, seed: str, offset: int
) -> tuple[list[tuple[int, float | None, int]], int, bool] | None:
    """(the page's (studio_id, chord, total) rows, the total, whether it is an estimate);
    None when `q` has no word (the general plan answers: nothing). The typo retry as the
    general plan's: only when the words match nothing."""
    text = text_query(params.q)
    if text is None:
        return None
    page = _page(params, centre, text, seed, offset)
    if page[1] == 0:
        text = typo_text_query(params.q)
        if text is None:
            return [], 0, False
        page = _page(params, centre, text, seed, offset)
    return page


def _page(
    params: SearchParams, centre: Centre, text: TextQuery, seed: str, offset: int
) -> tuple[list[tuple[int, float | None, int]], int, bool]:
    sampled, tsquery, cells = radius_text_sample(params, centre, text)
    if sampled > settings.SEARCH_EXACT_COUNT_LIMIT:  # many: tier by tier, the count estimated
        rows = radius_text_rows(params, centre, text, tsquery, seed, offset, sampled)
        return [(sid, chord, sampled) for sid, chord in rows], sampled, True
    # Few: one statement, the page and the exact count.
    return *radius_text_small_rows(params, centre, text, tsquery, cells, seed, offset), False


# The tsquery of a statement's located part: (SQL of the tsquery, params), and — on the
# cell path — (SQL of the per-cell tsquery array, params).
Operand = tuple[str, list[Any]]


def _parts(
    centre: Centre,
    query: Operand,
    tail: Operand,
    cells: Operand | None = None,
    *,
    city_vector: bool,
) -> list[tuple[str, list[Any]]]:
    """(FROM … WHERE, params) of the located matches, and of those without coordinates in
    the centre's city when the centre has one; `tail` (SQL, params) after the match. With
    `city_vector` the latter come off the city vector's GIN (migration 0010): the city's
    matches only, not all its studios without coordinates (598 of them around London at a
    million studios, each tested for the text, twice a page: 1.8 ms), and each is tested
    again (the vector keeps no positions or weights). Without it (a negated word) they are
    read off the city's index alone (knn._fallback_rows) and only then tested: the planner
    would otherwise intersect them with the GIN's every match of a common word.

    With `cells` (the SQL and params of the cell condition: `_cell_match()`), the located
    matches come off the cell GIN (migration 0008), then pass the exact distance test."""
    (query_sql, query_params), (tail_sql, tail_params) = query, tail
    if cells is None:
        within_sql, within_params = _within(centre)
        located = (
            f"studio_search WHERE {within_sql} AND search_vector @@ {query_sql}",
            [*within_params, *query_params],
        )
    else:
        cells_sql, cells_params = cells
        located = (
            f"studio_search WHERE latitude IS NOT NULL AND {chord_sql()} <= %s AND {cells_sql}",
            [*chord_params(centre), centre.chord, *cells_params],
        )
    parts = [located]
    city_key = centre.fallback_city_key
    if city_key and city_vector:
        # Off the vector alone: the city's key is tested on each match, not an index
        # condition (the planner ANDed its trigram index, 8,847 London studios, 3.4 ms,
        # into the vector's 21), and the tier's flags outside the subquery (OFFSET 0), as
        # knn._fallback_rows does (it ANDed the premium tier's B-tree: 48,766 rows, 6.3 ms).
        parts.append(
            (
                "(SELECT * FROM studio_search WHERE latitude IS NULL"  # noqa: S608
                " AND (city_key = %s) IS TRUE"
                f" AND {_CITY_VECTOR} @@ {_CITY_QUERY.format(query=query_sql)}"
                f" AND ts_match_vq(search_vector, {query_sql}) OFFSET 0) AS fallback"
                " WHERE TRUE",
                [city_key, *query_params, city_key, *query_params],
            )
        )
    elif city_key:
        fallback_from, fallback_params = _fallback_rows(centre)
        parts.append(
            (
                f"{fallback_from} WHERE search_vector @@ {query_sql}",
                [*fallback_params, *query_params],
            )
        )
    return [(f"{sql}{tail_sql}", [*values, *tail_params]) for sql, values in parts]


def radius_text_sample(
    params: SearchParams, centre: Centre, text: TextQuery
) -> tuple[int, str, list[str] | None]:
    """(the matches among the 1-in-SAMPLE_STRIDE sample of located studios — and all the
    centre's city's studios without coordinates — times the stride; the tsquery as text,
    for the page's statements to ask as a constant; on the cell path the per-cell
    tsqueries as text, likewise, else None)."""
    mask_sql, mask_params = _filters(params)
    tail = (f"{flags_sql(params)}{mask_sql}", mask_params)
    cells = circle_cells(params, centre)
    city_vector = city_vector_applies(params)
    if cells is None:
        parts = _parts(
            centre,
            (f"(SELECT {text.tsquery_sql})", list(text.tsquery_params)),
            tail,
            city_vector=city_vector,
        )
        source = f"(SELECT ({text.tsquery_sql}) AS q, NULL::tsquery[] AS cq) x"
        source_values = list(text.tsquery_params)
    else:
        parts = _parts(
            centre,
            ("x.q", []),
            tail,
            _cell_match("x.cq", [], ("x.q", [])),
            city_vector=city_vector,
        )
        # The tsquery made once (its prefix reads the vocabulary), then one per cell.
        source = (
            "(SELECT q, studio_search_cell_queries(q, %s::text[]) AS cq"  # noqa: S608
            f" FROM (SELECT {text.tsquery_sql} AS q) t OFFSET 0) x"
        )
        source_values = [cells, *text.tsquery_params]
    located_sql, located_values = parts[0]
    sql = (
        f"(SELECT count(*) FROM {located_sql}"  # noqa: S608
        f" AND studio_id %% {SAMPLE_STRIDE} = 0) * {SAMPLE_STRIDE}"
    )
    values = list(located_values)
    for fallback_sql, fallback_values in parts[1:]:
        sql += f" + (SELECT count(*) FROM {fallback_sql})"  # noqa: S608
        values += fallback_values
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {sql}, x.q::text, x.cq::text[] FROM {source}",  # noqa: S608
            [*values, *source_values],
        )
        sampled, tsquery, cell_queries = cursor.fetchone()
    return int(sampled), tsquery, cell_queries


# A tsquery's text once its lexemes are taken out: what is left are its operators. With
# only `&`, `|` and prefixes (`:*`), and no lexeme of LEXEME_CHARS, a per-cell query
# matches exactly the studios of the cell that the whole query matches; phrases (`<->`)
# and weights need the positions and weights that the cell vector drops, and a negation
# matches in every other cell, so those are tested again on the row.
_LEXEME = re.compile(r"'(?:[^']|'')*'")
_EXACT_OPERATORS = re.compile(r"[\s&|()]|:\*")


def _cell_match(cells_sql: str, cells_params: list[Any], recheck: Operand | None) -> Operand:
    """The located studios' cell condition, and `recheck`'s text test (a tsquery operand)
    as `ts_match_vq()`, which no index answers: the planner does not AND the word's every
    match in again."""
    sql, params = f"{_CELL_VECTOR} @@ ANY({cells_sql})", list(cells_params)
    if recheck is not None:
        sql += f" AND ts_match_vq(search_vector, {recheck[0]})"
        params += recheck[1]
    return sql, params


def _cells_operand(cell_queries: list[str] | None, tsquery: str) -> Operand | None:
    if cell_queries is None:
        return None
    exact = not _EXACT_OPERATORS.sub("", _LEXEME.sub("", tsquery)) and all(
        len(lexeme) - 2 < LEXEME_CHARS for lexeme in _LEXEME.findall(tsquery)
    )
    return _cell_match(
        "%s::tsquery[]", [cell_queries], None if exact else ("%s::tsquery", [tsquery])
    )


def _matches(
    params: SearchParams,
    centre: Centre,
    text: TextQuery,
    tsquery: str,
    tail: Operand,
    cells: Operand | None = None,
) -> list[tuple[str, list[Any]]]:
    """The SELECTs of every match — located, then (with the centre's city) without
    coordinates — with the columns the orders read: id, chord, band, the sort keys, the
    flags. The tsquery a constant (the planner weighs it: GIN or the GiST)."""
    parts = _parts(
        centre,
        ("%s::tsquery", [tsquery]),
        tail,
        cells,
        city_vector=city_vector_applies(params),
    )
    band_params = [_like_prefix(text.phrase), _like_contains(text.phrase)]
    selects = []
    for i, (where, values) in enumerate(parts):
        located = i == 0
        chord = chord_sql() if located else "NULL::float8"
        selects.append(
            (
                f"SELECT studio_id, {chord} AS chord, {_BAND} AS band, {_SORT_COLUMNS},"  # noqa: S608
                f" is_premium, is_verified, has_images, rotation_key FROM {where}",
                [*(chord_params(centre) if located else []), *band_params, *values],
            )
        )
    return selects


def radius_text_small_rows(
    params: SearchParams,
    centre: Centre,
    text: TextQuery,
    tsquery: str,
    cell_queries: list[str] | None,
    seed: str,
    offset: int,
) -> tuple[list[tuple[int, float | None, int]], int]:
    """(the page's (studio_id, chord, total) rows, the total) when the sample found few
    matches: one statement over them all, sorted in the whole order and counted."""
    mask_sql, mask_params = _filters(params)
    selects = _matches(
        params,
        centre,
        text,
        tsquery,
        (f"{flags_sql(params)}{mask_sql}", mask_params),
        _cells_operand(cell_queries, tsquery),
    )
    union = " UNION ALL ".join(sql for sql, _ in selects)
    values = [value for _, select_values in selects for value in select_values]
    order = (
        'is_premium DESC, CASE WHEN is_premium THEN md5(studio_id::text || %s) END COLLATE "C"'
        " ASC NULLS LAST, is_verified DESC, has_images DESC,"
        f" {_SORT_SQL[params.effective_sort]}, studio_id"
    )
    return counted_page((union, values), (order, [seed]), params.page_size, offset)


def radius_text_rows(
    params: SearchParams,
    centre: Centre,
    text: TextQuery,
    tsquery: str,
    seed: str,
    offset: int,
    matches: int,
) -> list[tuple[int, float | None]]:
    """The page's (studio_id, chord) rows: each tier in turn until the page is full.
    `matches`: the sample's estimate of the circle's matches."""
    need = offset + params.page_size
    mask_sql, mask_params = _filters(params)
    rows: list[tuple[int, float | None]] = []
    with connection.cursor() as cursor:
        for tier in _tiers(params):
            if len(rows) >= need:
                break
            left = need - len(rows)
            where = f"{_tier_sql(tier)}{mask_sql}"
            selects = _matches(params, centre, text, tsquery, (where, mask_params))
            if tier[0]:  # premium: the day's rotation over the tier's matches
                premium = None
                if premium_share(params) * matches >= ROTATION_READ_MARGIN * left:
                    premium = _premium_in_rotation(
                        cursor, centre, tsquery, seed, left, selects[1:], (where, mask_params)
                    )
                if premium is not None:
                    rows += premium
                    continue
                order, order_params = 'md5(studio_id::text || %s) COLLATE "C"', [seed]
            else:
                order, order_params = _SORT_SQL[params.effective_sort], []
            if not tier[0] and params.effective_sort == "distance":
                # Nearest first off the tier's GiST (KNN), the text checked per row; then
                # the tier's studios without coordinates in the centre's city.
                (located_sql, located_values), *fallback = selects
                sql = f"({located_sql} ORDER BY {_EARTH} <-> {CENTRE_SQL}, studio_id LIMIT %s)"
                values = [*located_values, *centre_params(centre), left]
                for fallback_sql, fallback_values in fallback:
                    sql += f" UNION ALL ({fallback_sql} ORDER BY studio_id LIMIT %s)"
                    values += [*fallback_values, left]
            else:
                sql = " UNION ALL ".join(select_sql for select_sql, _ in selects)
                values = [value for _, select_values in selects for value in select_values]
            cursor.execute(
                f"SELECT studio_id, chord FROM ({sql}) t"  # noqa: S608
                f" ORDER BY {order}, studio_id LIMIT %s",
                [*values, *order_params, left],
            )
            rows += cursor.fetchall()
    return rows[offset:need]


# The premium tier read in its stored order is read off the rotation index only when the
# tier's expected matches in the circle (PREMIUM_SHARE of the sample's estimate) are at
# least this many times the rows the page needs from it: then the scan stops after about
# need / (the share of the circle's premium studios that match) rows. With fewer, it would
# read most of the circle's premium studios, each with a heap visit for the text, where
# the whole tier's matches come off the GIN and the box in one bitmap.
ROTATION_READ_MARGIN = 2
_ROTATION = 'ORDER BY rotation_key COLLATE "C", studio_id'


def _premium_in_rotation(
    cursor: Any,
    centre: Centre,
    tsquery: str,
    seed: str,
    need: int,
    fallbacks: list[tuple[str, list[Any]]],
    where: Operand,
) -> list[tuple[int, float | None]] | None:
    """The premium tier's first `need` matches in the day's rotation, read in the stored
    keys' order off migration 0012's index (KNN on the rotation axis inside the circle's
    box), the text and the distance tested per row until `need` have matched: about need /
    (the share of the circle's premium studios that match) rows, where the tier's every
    match in the circle was read and sorted (around London at a million studios, "sound":
    108 rows read for a page of 20, 468 for page 5, where the old statement sorted the
    word's 274 premium matches in the circle, read through its 11,150 premium matches
    anywhere ANDed with the box: 4.7 ms). The axis holds a key's first 32 bits: studios
    whose bits tie with the last one read are read too, and all are sorted by the stored
    key, the centre's city's matches without coordinates (`fallbacks`) among them. None
    when the stored rotation is not the day's (the caller reads the whole tier).
    `where`: the tier's and the filters' conditions (SQL after the rest, params)."""
    text_where = (f" AND search_vector @@ %s::tsquery{where[0]}", [tsquery, *where[1]])
    everything, everything_params = rotation_range_sql(
        centre, ("0", []), ("%s", [ROTATION_AXIS_END])
    )
    last = "(SELECT max(rot) FROM firsts)"
    ties, ties_params = rotation_range_sql(centre, (last, []), (last, []))
    fallback = "".join(
        f" UNION ALL SELECT studio_id, chord, rotation_key FROM ({sql}) fallback"  # noqa: S608
        for sql, _ in fallbacks
    )
    cursor.execute(
        "WITH firsts AS MATERIALIZED (SELECT studio_id,"  # noqa: S608
        f" {chord_sql()} AS chord, rotation_key, {ROTATION_AXIS} AS rot FROM studio_search"
        f" WHERE {STORED_SEED} = %s AND {everything}{text_where[0]}"
        f" ORDER BY {ROTATION_ORDER} LIMIT %s)"
        " SELECT page.studio_id, page.chord, stored.fresh"
        f" FROM (SELECT {STORED_SEED} = %s AS fresh) stored LEFT JOIN"
        " (SELECT * FROM (SELECT studio_id, chord, rotation_key FROM firsts"
        f" UNION SELECT studio_id, {chord_sql()}, rotation_key FROM studio_search"
        f" WHERE (SELECT count(*) FROM firsts) = %s AND {ties}{text_where[0]}"
        f"{fallback}) t {_ROTATION} LIMIT %s) page ON TRUE"
        ' ORDER BY page.rotation_key COLLATE "C", page.studio_id',  # a join keeps no order
        [
            *chord_params(centre),
            seed,
            *everything_params,
            *text_where[1],
            need,
            seed,
            *chord_params(centre),
            need,
            *ties_params,
            *text_where[1],
            *[value for _, values in fallbacks for value in values],
            need,
        ],
    )
    rows = cursor.fetchall()
    if not rows[0][2]:
        return None
    return [(studio_id, chord) for studio_id, chord, _ in rows if studio_id is not None]
