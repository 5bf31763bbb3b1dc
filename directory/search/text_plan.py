"""The text plan (PostgreSQL): text without a centre or city, in any sort.

The legacy order puts the priority tiers before the sort, so the general plan has to
find, count and sort every match of a text before it can cut a page — `booth` is in three
quarters of all studios. Here each tier is read in its own order, off an index, and only
until the page is full (migration 0006_search_text_plan):

* premium, in the day's rotation: `rotation_key` stores md5(id || seed), the key the other
  plans compute, so the tier is walked in that order (`studio_search_rotation_idx`) and
  the text checked per row — a common word fills a page after about a page of rows; a rare
  word is answered from the premium tier's own GIN instead (the planner chooses);
* the other tiers by relevance: three bands — the name starts with the phrase, contains
  it, neither — each in studio id order (`studio_search_tier_id_idx` or the GIN); by name,
  newest or rating, each tier off its (flags, key, id) B-tree.

For a common word the premium tier alone fills pages 1–5. The count is exact up to
SEARCH_EXACT_COUNT_LIMIT; past it, the matches among a fixed 1-in-TEXT_SAMPLE_STRIDE sample
(studio_search_sample, a small table with its own GIN) times the stride, marked
`count_is_estimate`.

The stored keys are for one seed at a time (`studio_search_rotation`); on the day after,
until the beat task has rewritten them, the plan sees the stored seed is not today's and
leaves the page to the general plan (same answer, slower).
Tests compare the plan with the general plan on the same data
(tests/directory/test_search_text_plan.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection

from .city import _like_contains
from .knn import _filters, _tier_sql, _tiers, flags_sql
from .parameters import Centre, SearchParams
from .text import TextQuery, _like_prefix

TEXT_SAMPLE_STRIDE = 256  # migration 0007's studio_search_sample: studio_id % 256 = 0

_SORT_SQL = {
    "name": 'name_key COLLATE "C" ASC',
    "newest": "studio_created_at DESC",
    "rating": "rating_avg DESC NULLS LAST, review_count DESC",
}


def text_plan_applies(params: SearchParams, centre: Centre | None) -> bool:
    return (
        connection.vendor == "postgresql"
        and settings.SEARCH_TEXT_PLAN
        and bool(params.q)
        and centre is None
        and not params.city
        and (params.effective_sort == "relevance" or params.effective_sort in _SORT_SQL)
    )


def _matches(text: TextQuery) -> tuple[str, list[Any]]:
    return f"search_vector @@ (SELECT {text.tsquery_sql})", list(text.tsquery_params)


def text_plan_count(
    params: SearchParams, text: TextQuery, seed: str
) -> tuple[bool, int, bool, str]:
    """(whether the stored rotation is `seed`'s, the number of matches, whether it is an
    estimate, the tsquery as text), in one statement: the sample first, the exact count
    only below the limit. The page's queries then ask the tsquery as a constant, which the
    planner weighs against its statistics (a common word: walk the tier in its order; a
    rare one: the GIN) — asked as `(SELECT ...)` it would guess, and take the GIN."""
    match_sql, match_params = _matches(text)
    mask_sql, mask_params = _filters(params)
    where = f"{match_sql}{flags_sql(params)}{mask_sql}"
    values = [*match_params, *mask_params]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.seed = %s, s.n, CASE WHEN s.n > %s THEN NULL ELSE"  # noqa: S608
            f" (SELECT count(*) FROM studio_search WHERE {where}) END,"
            f" ({text.tsquery_sql})::text"
            " FROM studio_search_rotation r,"
            f" (SELECT count(*) * {TEXT_SAMPLE_STRIDE} AS n FROM studio_search_sample"
            f"  WHERE {where} OFFSET 0) s",
            [seed, settings.SEARCH_EXACT_COUNT_LIMIT, *values, *match_params, *values],
        )
        row = cursor.fetchone()
    if row is None:  # no rotation row: the migration's, never deleted
        return False, 0, False, ""
    fresh, estimate, exact, tsquery = row
    if exact is None:
        return bool(fresh), int(estimate), True, tsquery
    return bool(fresh), int(exact), False, tsquery


def text_plan_rows(
    params: SearchParams, text: TextQuery, tsquery: str, offset: int
) -> list[tuple[int, None]]:
    """The page's (studio_id, None) rows: each tier in turn until the page is full.
    `tsquery` is the text's, as text_plan_count() returned it."""
    need = offset + params.page_size
    match_sql, match_params = "search_vector @@ %s::tsquery", [tsquery]
    mask_sql, mask_params = _filters(params)
    where = f"{match_sql}{mask_sql}"
    values = [*match_params, *mask_params]
    ids: list[int] = []
    with connection.cursor() as cursor:
        for tier in _tiers(params):
            if len(ids) >= need:
                break
            tier_sql = _tier_sql(tier)
            left = need - len(ids)
            if tier[0]:  # premium: the day's rotation, off its index
                cursor.execute(
                    f"SELECT studio_id FROM studio_search WHERE {where}{tier_sql}"  # noqa: S608
                    ' ORDER BY rotation_key COLLATE "C", studio_id LIMIT %s',
                    [*values, left],
                )
            elif params.effective_sort == "relevance":
                # Three bands (2: the name starts with the phrase, 1: contains it, 0: else),
                # each in id order: the general plan's relevance, then the id.
                starts, contains = _like_prefix(text.phrase), _like_contains(text.phrase)
                bands = [
                    (2, "name_key LIKE %s", [starts]),
                    (1, "name_key LIKE %s AND NOT name_key LIKE %s", [contains, starts]),
                    (0, "NOT name_key LIKE %s", [contains]),
                ]
                sql, sql_values = [], []
                for band, band_sql, band_values in bands:
                    sql.append(
                        f"(SELECT {band} AS band, studio_id FROM studio_search"  # noqa: S608
                        f" WHERE {where}{tier_sql} AND {band_sql} ORDER BY studio_id LIMIT %s)"
                    )
                    sql_values += [*values, *band_values, left]
                cursor.execute(
                    f"SELECT studio_id FROM ({' UNION ALL '.join(sql)}) t"  # noqa: S608
                    " ORDER BY band DESC, studio_id LIMIT %s",
                    [*sql_values, left],
                )
            else:
                cursor.execute(
                    f"SELECT studio_id FROM studio_search WHERE {where}{tier_sql}"  # noqa: S608
                    f" ORDER BY {_SORT_SQL[params.effective_sort]}, studio_id LIMIT %s",
                    [*values, left],
                )
            ids += [row[0] for row in cursor.fetchall()]
    return [(sid, None) for sid in ids[offset:need]]


def text_plan_small_rows(
    params: SearchParams, text: TextQuery, tsquery: str, offset: int
) -> list[tuple[int, None]]:
    """The page when the count was exact and at most SEARCH_EXACT_COUNT_LIMIT: one
    statement over the GIN's few matches, sorted in the whole order (the stored rotation,
    the flags, the sort, the id) — instead of a query per tier and relevance band, each of
    which would scan the GIN again (`priya patel`, 195 matches: 41 ms that way)."""
    mask_sql, mask_params = _filters(params)
    if params.effective_sort == "relevance":
        sort_sql = "CASE WHEN name_key LIKE %s THEN 2 WHEN name_key LIKE %s THEN 1 ELSE 0 END DESC"
        sort_params = [_like_prefix(text.phrase), _like_contains(text.phrase)]
    else:
        sort_sql, sort_params = _SORT_SQL[params.effective_sort], []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT studio_id FROM studio_search"  # noqa: S608
            f" WHERE search_vector @@ %s::tsquery{flags_sql(params)}{mask_sql}"
            ' ORDER BY is_premium DESC, rotation_key COLLATE "C" ASC NULLS LAST,'
            f" is_verified DESC, has_images DESC, {sort_sql}, studio_id LIMIT %s OFFSET %s",
            [tsquery, *mask_params, *sort_params, params.page_size, offset],
        )
        return [(row[0], None) for row in cursor.fetchall()]
