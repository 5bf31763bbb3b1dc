"""The tier plan (PostgreSQL): a place + radius, no text or city, in any sort.

The legacy order is priority tiers, then the sort: premium studios first (in the day's
rotation, md5(id || seed)), then the others by verified, then has_images, then the sort's
key. Each non-premium tier has its own partial GiST index (migration 0007), so by distance
its nearest studios come straight off the index (KNN, `<->`) inside the radius's earth
box, and a page reads at most `offset + page_size` rows of each tier it reaches — work
bounded by the page, not by the number of matches. The other sorts (name, newest, rating)
read each tier they reach from the same index, index-only (the sort columns are included),
with one top-N sort: bounded by that tier's matches in the circle, with no heap visit and
no full sort. Premium studios are few (about 6 %), but a busy circle still holds many —
1,195 around London at a million studios, for a page of 20 — so their tier is read by
slices of the day's rotation (migration 0012): a GiST over each located premium studio as
a point of four axes, its place and its stored rotation key's first bits, returns the
circle's premium studios whose rotation comes before a cut; the cut is set from the count
so that the slice most likely holds the page, and the whole tier is read (a second
statement) only when it does not. Small circles, and a day whose stored rotation is not
yet the day's, read the whole tier from its own partial index.

The count is exact up to SEARCH_EXACT_COUNT_LIMIT matches (with a filter, while the circle
holds at most SEARCH_EXACT_COUNT_SCAN_LIMIT studios). Past it the count is estimated from a
fixed 1-in-SAMPLE_STRIDE sample of the studios (studio_id % 16 = 0, its own partial index)
and the page says so (`count_is_estimate`), so London costs what Berlin does. The sample
runs first; a circle small enough for the exact count is read in one statement instead,
in any sort, the count beside the page (knn_plan_page).

Tests compare this plan with the oracle and the general plan on the same data
(tests/directory/test_search_knn.py, and the radius oracle of test_search_api.py).
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.db import connection

from ..geo import EARTH_CUBE_RADIUS_M
from . import bits as search_bits
from .parameters import Centre, SearchParams

SAMPLE_STRIDE = 16  # migration 0007's sample index: studio_id % 16 = 0

# (is_premium, is_verified, has_images) of each tier, in the order pages list them.
TIERS = (
    (True, None, None),
    (False, True, True),
    (False, True, False),
    (False, False, True),
    (False, False, False),
)

_EARTH = "ll_to_earth(latitude, longitude)"
# Within a tier (after premium's rotation): the sort's key, then the studio id.
_SORT_SQL = {
    "distance": None,  # nearest first, straight off the index
    "name": 'name_key COLLATE "C" ASC',
    "newest": "studio_created_at DESC",
    "rating": "rating_avg DESC NULLS LAST, review_count DESC",
}
_SORT_COLUMNS = "name_key, studio_created_at, rating_avg, review_count"
# earth(), earthdistance's radius: its SQL body is `SELECT '6378168'::float8`
# (tests/directory/test_search_knn.py asks the database).
EARTH_RADIUS_SQL = "'6378168'::float8"
# ll_to_earth()'s coordinates (earthdistance's own SQL body), one axis each, with earth()'s
# value written out. Why: PostgreSQL inlines an SQL function (ll_to_earth, earth) by
# parsing its body again at every call, and a statement made the centre's point seven to
# fourteen times and called earth() six times per chord — over half of its planning, 0.45
# of a tier statement's 0.8 ms (docs/benchmarks.md). The same float operations in the
# same order, so the same bits; index conditions keep ll_to_earth(latitude, longitude)
# (the GiST indexes' expression).
_AXES = tuple(
    axis.format(earth=EARTH_RADIUS_SQL, lat="{lat}", lng="{lng}")
    for axis in (
        "{earth}*cos(radians({lat}))*cos(radians({lng}))",
        "{earth}*cos(radians({lat}))*sin(radians({lng}))",
        "{earth}*sin(radians({lat}))",
    )
)
# The centre's axes are worked out here (`centre_axes`) and sent as numbers: written as
# SQL, each statement spent 0.1–0.3 ms parsing and folding their trigonometry (two to
# fourteen copies of it).
_CENTRE_AXES = ("%s::float8",) * len(_AXES)
# ll_to_earth(%s, %s): the centre's point (boxes, nearest-first orders). Params:
# `centre_params()`.
CENTRE_SQL = f"cube(ARRAY[{', '.join(_CENTRE_AXES)}])"


def centre_axes(centre: Centre) -> tuple[float, float, float]:
    """ll_to_earth(lat, lng)'s three coordinates: _AXES's float operations in their order,
    with the C library's cos and sin as PostgreSQL's cos() and sin() call them, and
    radians() as the same product by the same double — so the same bits where PostgreSQL
    uses this C library (tests/directory/test_search_knn.py checks them against
    ll_to_earth; with another, a coordinate may differ in its last bit: a micrometre)."""
    lat, lng = math.radians(centre.lat), math.radians(centre.lng)
    return (
        EARTH_CUBE_RADIUS_M * math.cos(lat) * math.cos(lng),
        EARTH_CUBE_RADIUS_M * math.cos(lat) * math.sin(lng),
        EARTH_CUBE_RADIUS_M * math.sin(lat),
    )


def centre_params(centre: Centre) -> list[float]:
    return list(centre_axes(centre))


def chord_sql(lat: str = "latitude", lng: str = "longitude") -> str:
    """`cube_distance(ll_to_earth(%s, %s), ll_to_earth(lat, lng))` as the same float
    operations, bit for bit — ll_to_earth's body per axis, then cube_distance's sum of the
    squared differences in axis order and its square root — without building two cubes
    and checking the `earth` domain (three CHECKs, one a cube_distance) for every row:
    about six times cheaper per row. For filters and output only; index conditions keep
    ll_to_earth (the GiST indexes' expression). Params: `chord_params()`."""
    terms = []
    for centre_axis, template in zip(_CENTRE_AXES, _AXES, strict=True):
        difference = f"({centre_axis} - {template.format(lat=lat, lng=lng)})"
        terms.append(f"{difference} * {difference}")
    return f"sqrt({' + '.join(terms)})"


def chord_params(centre: Centre) -> list[float]:
    return [value for value in centre_axes(centre) for _ in range(2)]


def knn_plan_applies(params: SearchParams, centre: Centre | None) -> bool:
    """Distance order around a centre, without text or city (which the general plan
    answers), and without the type + service pair the facet plan answers."""
    return (
        connection.vendor == "postgresql"
        and settings.SEARCH_KNN_PLAN
        and centre is not None
        and params.effective_sort in _SORT_SQL
        and not params.q
        and not params.city
        and not (settings.SEARCH_FACET_PLAN and params.studio_types and params.services)
    )


def _sql_bool(value: bool) -> str:
    # Literals, not parameters: the planner matches them to the partial indexes' predicates.
    return "true" if value else "false"


def _filters(params: SearchParams) -> tuple[str, list[Any]]:
    """The type and service masks as SQL (the flags are the tiers')."""
    sql, values = "", []
    if params.studio_types:
        sql += " AND (type_mask & %s) <> 0"
        values.append(search_bits.type_mask(params.studio_types))
    if params.services:
        sql += " AND (service_mask & %s) <> 0"
        values.append(search_bits.service_mask(params.services))
    return sql, values


def flags_sql(params: SearchParams) -> str:
    """The premium / verified / has_images filters asked, as SQL literals."""
    return "".join(
        f" AND {column} = {_sql_bool(value)}"
        for column, value in (
            ("is_premium", params.premium),
            ("is_verified", params.verified),
            ("has_images", params.has_images),
        )
        if value is not None
    )


def _tier_sql(tier: tuple[bool, bool | None, bool | None]) -> str:
    premium, verified, images = tier
    sql = f" AND is_premium = {_sql_bool(premium)}"
    if verified is not None:
        sql += f" AND is_verified = {_sql_bool(verified)}"
    if images is not None:
        sql += f" AND has_images = {_sql_bool(images)}"
    return sql


def _tiers(params: SearchParams) -> list[tuple[bool, bool | None, bool | None]]:
    """The tiers the flags allow; premium's verified / has_images become its filters."""
    tiers = []
    for premium, verified, images in TIERS:
        if params.premium is not None and params.premium != premium:
            continue
        if premium:
            tiers.append((True, params.verified, params.has_images))
            continue
        if params.verified is not None and params.verified != verified:
            continue
        if params.has_images is not None and params.has_images != images:
            continue
        tiers.append((premium, verified, images))
    return tiers


def _within(centre: Centre) -> tuple[str, list[Any]]:
    return (
        f"latitude IS NOT NULL AND cube_enlarge({CENTRE_SQL}, %s, 3) @> {_EARTH}"
        f" AND {chord_sql()} <= %s",
        [*centre_params(centre), centre.chord, *chord_params(centre), centre.chord],
    )


# Migration 0012's fourth axis: the stored rotation key's first 32 bits × 2^-10 (exact in
# float8, on the scale of the earth's axes). A slice of the rotation is a range of it.
ROTATION_AXIS = "('x' || left(rotation_key, 8))::bit(32)::bigint::float8 * 0.0009765625"
ROTATION_POINT = f"cube({_EARTH}, {ROTATION_AXIS})"
_ROTATION_UNIT = 2**-10
ROTATION_AXIS_END = (2**32 - 1) * _ROTATION_UNIT  # the last key's axis
# The located premium studios in the order of their stored keys' first 32 bits, off
# migration 0012's index (KNN): `~> 7` is the lower bound of the fourth dimension (cube's
# 2k - 1 for dimension k), which for a point is its rotation axis.
ROTATION_ORDER = f"{ROTATION_POINT} ~> 7"
# The share of a circle's matches that are premium (5.5 % at a million studios), and the
# margin on it: the first slice is cut to hold SLICE_MARGIN times the page's premium rows
# by this guess. The guess only sets the slice's width — a slice short of the page is
# followed by a second statement over the whole tier, so the page is the same either way.
# Past half of the rotation one read of the whole tier costs less than two.
PREMIUM_SHARE = 0.055
SLICE_MARGIN = 3.0
# A filtered count past SEARCH_EXACT_COUNT_SCAN_LIMIT is the sample's estimate only when at
# least this many sampled studios match (about ±12 %); fewer, and it is counted exactly —
# an estimate from a handful could say 0 above a page of results.
ESTIMATE_MIN_SAMPLED = 64
STORED_SEED = "(SELECT seed FROM studio_search_rotation)"


def premium_share(params: SearchParams) -> float:
    """The share of the matches expected in the premium tier: all of them when only
    premium studios are asked for."""
    return 1.0 if params.premium else PREMIUM_SHARE


def rotation_cut(need: int, matches: int | None, share: float = PREMIUM_SHARE) -> int | None:
    """Where the first slice of the premium tier ends (the key's first 32 bits), or None
    to read the whole tier: when `matches` (the circle's count, estimated or exact; `share`
    of them premium) says its premium studios are few next to the page."""
    if not matches:
        return None
    fraction = SLICE_MARGIN * need / (share * matches)
    if fraction >= 0.5:
        return None
    return max(1, int(fraction * 2**32))


def rotation_range_sql(
    centre: Centre, low: tuple[str, list[Any]], high: tuple[str, list[Any]]
) -> tuple[str, list[Any]]:
    """The located studios in the circle whose rotation axis lies in [low, high] (each a
    float8 operand: SQL, params): off migration 0012's index, then the exact distance."""
    return (
        f"latitude IS NOT NULL AND cube(cube_enlarge({CENTRE_SQL}, %s, 3), {low[0]}, {high[0]})"
        f" @> {ROTATION_POINT} AND {chord_sql()} <= %s",
        [
            *centre_params(centre),
            centre.chord,
            *low[1],
            *high[1],
            *chord_params(centre),
            centre.chord,
        ],
    )


def _slice_sql(centre: Centre, cut: int) -> tuple[str, list[Any]]:
    """The located studios in the circle whose rotation axis is below `cut` (a 32-bit
    prefix)."""
    return rotation_range_sql(centre, ("0", []), ("%s", [(cut - 1) * _ROTATION_UNIT]))


def _first_slice_sql(
    centre: Centre, seed: str, cut: int, where: tuple[str, list[Any]]
) -> tuple[str, list[Any]]:
    """The WITH clause of the premium tier's first slice: its located studios in the
    circle whose rotation comes before `cut` — none unless the stored rotation is `seed`'s
    (the slice is of the stored keys; the page is sorted by `seed`'s). `where` is the
    tier's and the filters' conditions (SQL, params)."""
    where_sql, where_params = where
    slice_sql, slice_params = _slice_sql(centre, cut)
    return (
        f"WITH first_slice AS MATERIALIZED (SELECT studio_id, {chord_sql()} AS chord"  # noqa: S608
        f" FROM studio_search WHERE {STORED_SEED} = %s AND {slice_sql}{where_sql})",
        [*chord_params(centre), seed, *slice_params, *where_params],
    )


def _fallback(centre: Centre) -> tuple[str, list[Any]]:
    return "latitude IS NULL AND city_key = %s", [centre.fallback_city_key]


def _fallback_rows(centre: Centre) -> tuple[str, list[Any]]:
    """The centre's city's studios without coordinates as a FROM item, read off their city
    index alone — index-only, migration 0011 — (OFFSET 0 keeps it a subquery): left to
    itself the planner ANDed that index with a tier's whole B-tree — London's premium tier
    at a million studios, a 48,766-row bitmap for 35 rows: 2.6 ms of the page's 4.2."""
    fallback_sql, fallback_params = _fallback(centre)
    return (
        f"(SELECT * FROM studio_search WHERE {fallback_sql} OFFSET 0) AS fallback",  # noqa: S608
        fallback_params,
    )


def _fallback_select(
    centre: Centre, columns: str, where: tuple[str, list[Any]]
) -> tuple[str, list[Any]] | None:
    """`SELECT columns` of the centre's city's studios without coordinates that pass
    `where` (SQL after the city's, params), off their own index; None without a city."""
    if not centre.fallback_city_key:
        return None
    fallback_from, fallback_params = _fallback_rows(centre)
    return (
        f"SELECT {columns} FROM {fallback_from} WHERE TRUE{where[0]}",  # noqa: S608
        [*fallback_params, *where[1]],
    )


def located_keys(located: str) -> str:
    """The located rows' select with the sort columns (all in the tier indexes)."""
    return located.replace(" AS chord FROM", f" AS chord, {_SORT_COLUMNS} FROM", 1)


def knn_plan_rows(
    params: SearchParams, centre: Centre, seed: str, offset: int, matches: int | None = None
) -> list[tuple[int, float | None]]:
    """The page's (studio_id, chord) rows: each tier in turn until the page is full.
    `matches` (the sample's estimate) sizes the premium tier's first slice."""
    need = offset + params.page_size
    mask_sql, mask_params = _filters(params)
    within_sql, within_params = _within(centre)
    rows: list[tuple[int, float | None]] = []
    with connection.cursor() as cursor:
        for tier in _tiers(params):
            if len(rows) >= need:
                break
            tier_sql = _tier_sql(tier)
            if tier[0]:  # premium: the day's rotation over the tier, fallback included
                rows += _premium_rows(
                    cursor, params, centre, seed, need - len(rows), matches, tier_sql
                )
                continue
            located = (
                f"SELECT studio_id, {chord_sql()} AS chord"  # noqa: S608
                f" FROM studio_search WHERE {within_sql}{tier_sql}{mask_sql}"
            )
            located_params = [*chord_params(centre), *within_params, *mask_params]
            where = (f"{tier_sql}{mask_sql}", mask_params)
            if _SORT_SQL[params.effective_sort]:  # one top-N sort over the tier's matches
                sql, values = f"{located_keys(located)}", located_params
                if fallback := _fallback_select(centre, f"studio_id, NULL, {_SORT_COLUMNS}", where):
                    sql += f" UNION ALL {fallback[0]}"
                    values = [*values, *fallback[1]]
                cursor.execute(
                    f"SELECT studio_id, chord FROM ({sql}) t"  # noqa: S608
                    f" ORDER BY {_SORT_SQL[params.effective_sort]}, studio_id LIMIT %s",
                    [*values, need - len(rows)],
                )
                rows += cursor.fetchall()
                continue
            # Nearest first off the tier's index, then (in the same statement) the tier's
            # studios without coordinates in the centre's city; at most 2 × need rows sorted.
            sql = f"({located} ORDER BY {_EARTH} <-> {CENTRE_SQL}, studio_id LIMIT %s)"
            values = [*located_params, *centre_params(centre), need - len(rows)]
            if fallback := _fallback_select(centre, "studio_id, NULL", where):
                sql += f" UNION ALL ({fallback[0]} ORDER BY studio_id LIMIT %s)"
                values += [*fallback[1], need - len(rows)]
            cursor.execute(
                f"SELECT studio_id, chord FROM ({sql}) t"  # noqa: S608
                " ORDER BY chord ASC NULLS LAST, studio_id LIMIT %s",
                [*values, need - len(rows)],
            )
            rows += cursor.fetchall()
    return rows[offset:need]


def _premium_rows(
    cursor: Any,
    params: SearchParams,
    centre: Centre,
    seed: str,
    need: int,
    matches: int | None,
    tier_sql: str,
) -> list[tuple[int, float | None]]:
    """The premium tier's first `need` rows in the day's rotation, the centre's city's
    studios without coordinates among them. When the circle's count says the tier is
    large next to the page, its first slice (rotation_cut) is read first: if it holds
    `need` studios, every other studio of the tier comes after them, so the page is theirs
    and the fallback's. Otherwise — a short slice, or the stored rotation not the day's —
    the whole tier, as before."""
    mask_sql, mask_params = _filters(params)
    within_sql, within_params = _within(centre)
    where = (f"{tier_sql}{mask_sql}", mask_params)
    fallback_sql, fallback_values = "", []
    if fallback := _fallback_select(centre, "studio_id, NULL", where):
        fallback_sql, fallback_values = f" UNION ALL {fallback[0]}", fallback[1]
    order = 'ORDER BY md5(studio_id::text || %s) COLLATE "C", studio_id LIMIT %s'
    cut = rotation_cut(need, matches, premium_share(params))
    if cut is not None:
        with_sql, with_params = _first_slice_sql(centre, seed, cut, where)
        cursor.execute(
            f"{with_sql} SELECT studio_id, chord, (SELECT count(*) FROM first_slice)"  # noqa: S608
            f" FROM (SELECT studio_id, chord FROM first_slice{fallback_sql}) t {order}",
            [*with_params, *fallback_values, seed, need],
        )
        sliced = cursor.fetchall()
        if sliced and sliced[0][2] >= need:
            return [(studio_id, chord) for studio_id, chord, _ in sliced]
    located_sql = (
        f"SELECT studio_id, {chord_sql()} AS chord"  # noqa: S608
        f" FROM studio_search WHERE {within_sql}{tier_sql}{mask_sql}"
    )
    cursor.execute(
        f"SELECT studio_id, chord FROM ({located_sql}{fallback_sql}) t {order}",  # noqa: S608
        [*chord_params(centre), *within_params, *mask_params, *fallback_values, seed, need],
    )
    return list(cursor.fetchall())


def _sample_sql(params: SearchParams, centre: Centre) -> tuple[str, list[Any]]:
    """The sample's statement: (its estimate of the matches, whether the circle is small
    enough to be counted exactly — read in one statement that counts it then)."""
    mask_sql, mask_params = _filters(params)
    flags = flags_sql(params)
    # Whether the exact count tests every studio of the circle: a filter does, except with
    # premium=true (other filters or not), whose count tests the premium tier's alone.
    filtered = bool(mask_sql or flags) and params.premium is not True
    within_sql, within_params = _within(centre)
    parts = [(f"FROM studio_search WHERE {within_sql}", within_params)]
    if centre.fallback_city_key:
        fallback_sql, fallback_params = _fallback(centre)
        parts.append((f"FROM studio_search WHERE {fallback_sql}", fallback_params))

    def sampled(part: str) -> str:
        # The matches among the part's sampled studios and, with a filter, all of them.
        every = ", count(*)" if filtered else ", 0"
        return (
            f"SELECT count(*) FILTER (WHERE TRUE{flags}{mask_sql}){every}"
            f" {part} AND studio_id %% {SAMPLE_STRIDE} = 0"
        )

    sample_values = [value for _, values in parts for value in (*mask_params, *values)]
    samples = ", ".join(f"({sampled(part)}) p{i}(n, every)" for i, (part, _) in enumerate(parts))
    total = " + ".join(f"p{i}.{{column}}" for i in range(len(parts)))
    # OFFSET 0 keeps the sample a subquery run once (not inlined into each use).
    estimated, limits = "s.n > %s", [settings.SEARCH_EXACT_COUNT_LIMIT]
    if filtered:  # or: the circle past the scan limit, and enough sampled matches
        estimated += " OR (s.every > %s AND s.n >= %s)"
        limits += [settings.SEARCH_EXACT_COUNT_SCAN_LIMIT, ESTIMATE_MIN_SAMPLED * SAMPLE_STRIDE]
    return (
        f"SELECT s.n, NOT ({estimated}) FROM"  # noqa: S608
        f" (SELECT ({total.format(column='n')}) * {SAMPLE_STRIDE}"
        f" AS n, ({total.format(column='every')}) * {SAMPLE_STRIDE} AS every"
        f" FROM {samples} OFFSET 0) s",
        [*limits, *sample_values],
    )


def _few_rows(
    params: SearchParams, centre: Centre, seed: str, offset: int
) -> tuple[list[tuple[int, float | None, int]], int]:
    """(the page's (studio_id, chord, total) rows, the total) when the circle is small: one
    statement over its matches, sorted in the whole order and counted."""
    if _SORT_SQL[params.effective_sort] is None:
        sql, values = _few_by_distance(params, centre)
        order = "chord ASC NULLS LAST"
    else:
        sql, values = _few_with_keys(params, centre)
        order = _SORT_SQL[params.effective_sort]
    return counted_page(
        (sql, values),
        (
            'tier, CASE WHEN tier = 0 THEN md5(studio_id::text || %s) END COLLATE "C" NULLS LAST,'
            f" {order}, studio_id",
            [seed],
        ),
        params.page_size,
        offset,
    )


def counted_page(
    matches: tuple[str, list[Any]], order: tuple[str, list[Any]], limit: int, offset: int
) -> tuple[list[tuple[int, float | None, int]], int]:
    """(the page's (studio_id, chord, total) rows, the total) of the `matches` SELECT's
    rows, sorted by `order` (SQL over its columns, and params): one statement, the total
    counted on its side — also past the end, where the page has no row to ride on and
    would need a count of its own."""
    (matches_sql, matches_params), (order_sql, order_params) = matches, order
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH matches AS MATERIALIZED ({matches_sql})"  # noqa: S608
            " SELECT page.studio_id, page.chord, total.n"
            " FROM (SELECT count(*) AS n FROM matches) total LEFT JOIN"
            f" (SELECT * FROM matches ORDER BY {order_sql} LIMIT %s OFFSET %s) page ON TRUE"
            f" ORDER BY {order_sql}",  # the page's order again: a join keeps none
            [*matches_params, *order_params, limit, offset, *order_params],
        )
        rows = cursor.fetchall()
    return [row for row in rows if row[0] is not None], rows[0][2]


# A studio's tier as the few-rows statements order them: premium first (its rotation
# decides among them); the other tiers' order within is the sort's.
_TIER_RANK = (
    "CASE WHEN is_premium THEN 0 WHEN is_verified AND has_images THEN 1"
    " WHEN is_verified THEN 2 WHEN has_images THEN 3 ELSE 4 END"
)


def _circle_select(
    centre: Centre, columns: str, where: tuple[str, list[Any]]
) -> tuple[str, list[Any]]:
    """`SELECT columns, chord` of the located studios in the circle that pass `where` (SQL,
    params), the chord worked out once per row (OFFSET 0: the planner would otherwise push
    the distance test into the scan and work the chord out again)."""
    return (
        f"SELECT * FROM (SELECT {columns}, {chord_sql()} AS chord FROM studio_search"  # noqa: S608
        f" WHERE latitude IS NOT NULL AND cube_enlarge({CENTRE_SQL}, %s, 3) @> {_EARTH}"
        f"{where[0]} OFFSET 0) box WHERE chord <= %s",
        [*chord_params(centre), *centre_params(centre), centre.chord, *where[1], centre.chord],
    )


def _few_by_distance(params: SearchParams, centre: Centre) -> tuple[str, list[Any]]:
    """The circle's matches with their tier and chord off the earth index (index-only:
    flags, masks and the coordinates are in it), and the city's studios without
    coordinates."""
    mask_sql, mask_params = _filters(params)
    where = (f"{flags_sql(params)}{mask_sql}", mask_params)
    sql, values = _circle_select(centre, f"studio_id, {_TIER_RANK} AS tier", where)
    if fallback := _fallback_select(centre, f"studio_id, {_TIER_RANK}, NULL::float8", where):
        sql, values = f"{sql} UNION ALL {fallback[0]}", [*values, *fallback[1]]
    return sql, values


def _few_with_keys(params: SearchParams, centre: Centre) -> tuple[str, list[Any]]:
    """The circle's matches with their tier, sort keys and chord: off each tier's own
    index, where the sort columns are (index-only; the earth index has no sort columns,
    and reading them from the table cost a heap visit per studio of the circle)."""
    mask_sql, mask_params = _filters(params)
    selects = [
        _circle_select(
            centre,
            f"studio_id, {0 if tier[0] else TIERS.index(tier)} AS tier, {_SORT_COLUMNS}",
            (f"{_tier_sql(tier)}{mask_sql}", mask_params),
        )
        for tier in _tiers(params)
    ]
    columns = f"studio_id, {_TIER_RANK}, {_SORT_COLUMNS}, NULL::float8"
    if fallback := _fallback_select(
        centre, columns, (f"{flags_sql(params)}{mask_sql}", mask_params)
    ):
        selects.append(fallback)
    return " UNION ALL ".join(sql for sql, _ in selects), [v for _, vs in selects for v in vs]


def knn_plan_page(
    params: SearchParams, centre: Centre, seed: str, offset: int
) -> tuple[list[tuple[int, float | None, int]], int, bool]:
    """(the page's (studio_id, chord, total) rows, the total, whether it is an estimate).

    The sample first: its figure sizes the premium tier's slice. When it says the circle
    is small (its exact count would run), one statement reads the circle's matches, sorts
    them and counts them — where the exact count tested each studio of the circle and the
    tier walk then took a statement per tier, five for a page past the premium and
    verified tiers."""
    sql, values = _sample_sql(params, centre)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        sampled, few = cursor.fetchone()
    if few:
        return *_few_rows(params, centre, seed, offset), False
    total = int(sampled)
    rows = knn_plan_rows(params, centre, seed, offset, total)
    return [(studio_id, chord, total) for studio_id, chord in rows], total, True
