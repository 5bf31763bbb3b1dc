"""The city plan (PostgreSQL): a city filter without a centre or text, in any sort.

The city filter is a substring of the city (`lond` finds London and Londonderry). It is
first asked of studio_search_city, every city key there is (migration 0005_search_city_plan):
a few exact keys. Then each priority tier in turn, as the tier plan does (directory/search/knn.py),
reads each key's studios off studio_search_city_tier_idx — (city_key, the tier's flags,
name) — so by name, the default sort, a page reads about its own rows straight off the
index, whatever the city's size; by newest or rating a tier reads the key's studios of
that tier index-only with one top-N sort (no heap visit). Premium studios are sorted by
the day's rotation as everywhere. The count is exact, index-only.

A substring found in more than CITY_PLAN_MAX_KEYS keys (`a`) is left to the general
plan: one index descent per key per tier would cost more than its bitmap.
Tests compare this plan with the general plan and the oracle on the same data
(tests/directory/test_search_city_plan.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection

from .knn import _filters, _tier_sql, _tiers, flags_sql
from .parameters import Centre, SearchParams
from .sqlite import fold_case

CITY_PLAN_MAX_KEYS = 32

# Within a tier (after premium's rotation): the sort's key, then the studio id. Without a
# centre there is no distance sort, without text no relevance (the serializer refuses them).
_SORT_SQL = {
    "name": 'name_key COLLATE "C" ASC',
    "newest": "studio_created_at DESC",
    "rating": "rating_avg DESC NULLS LAST, review_count DESC",
}
_SORT_COLUMNS = "name_key, studio_created_at, rating_avg, review_count"


def city_plan_applies(params: SearchParams, centre: Centre | None) -> bool:
    return (
        connection.vendor == "postgresql"
        and settings.SEARCH_CITY_PLAN
        and centre is None
        and bool(params.city)
        and not params.q
        and params.effective_sort in _SORT_SQL
    )


def _like_contains(value: str) -> str:
    """The pattern Django's `contains` asks (the general plan's city filter)."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def city_keys(params: SearchParams) -> list[str] | None:
    """The city keys the filter is in; None when there are too many for this plan."""
    pattern = _like_contains(fold_case(" ".join(params.city.split())) or "")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT city_key FROM studio_search_city WHERE city_key LIKE %s LIMIT %s",
            [pattern, CITY_PLAN_MAX_KEYS + 1],
        )
        keys = [row[0] for row in cursor.fetchall()]
    return keys if len(keys) <= CITY_PLAN_MAX_KEYS else None


def city_plan_rows(
    params: SearchParams, keys: list[str], seed: str, offset: int
) -> list[tuple[int, None]]:
    """The page's (studio_id, None) rows: each tier in turn until the page is full."""
    need = offset + params.page_size
    mask_sql, mask_params = _filters(params)
    ids: list[int] = []
    with connection.cursor() as cursor:
        for tier in _tiers(params):
            if len(ids) >= need or not keys:
                break
            if tier[0]:  # premium: the day's rotation over the tier
                order, order_params = 'md5(studio_id::text || %s) COLLATE "C"', [seed]
            else:
                order, order_params = _SORT_SQL[params.effective_sort], []
            # Per key: the tier's first `need` studios off the index; then the keys merged.
            cursor.execute(
                f"SELECT x.studio_id FROM unnest(%s::text[]) AS k(city_key)"  # noqa: S608
                f" CROSS JOIN LATERAL (SELECT studio_id, {_SORT_COLUMNS} FROM studio_search s"
                f"  WHERE s.city_key = k.city_key{_tier_sql(tier)}{mask_sql}"
                f"  ORDER BY {order}, studio_id LIMIT %s) x"
                f" ORDER BY {order}, x.studio_id LIMIT %s",
                [
                    keys,
                    *mask_params,
                    *order_params,
                    need - len(ids),
                    *order_params,
                    need - len(ids),
                ],
            )
            ids += [row[0] for row in cursor.fetchall()]
    return [(sid, None) for sid in ids[offset:need]]


def city_plan_count(params: SearchParams, keys: list[str]) -> int:
    """The exact number of matches, index-only off studio_search_city_tier_idx."""
    if not keys:
        return 0
    mask_sql, mask_params = _filters(params)
    values: list[Any] = [keys, *mask_params]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM studio_search"  # noqa: S608
            f" WHERE city_key = ANY(%s::text[]){flags_sql(params)}{mask_sql}",
            values,
        )
        return int(cursor.fetchone()[0])
