"""The tier plan (directory/search/knn.py) against the oracle of test_search_api.py:
the same names in the same order on every page, with the plan on and off, and the count
exact below SEARCH_EXACT_COUNT_LIMIT and a marked 1-in-16 sample estimate above it."""

from __future__ import annotations

import datetime as dt
import random
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.search import knn
from directory.search.knn import (
    CENTRE_SQL,
    EARTH_RADIUS_SQL,
    SAMPLE_STRIDE,
    centre_params,
    chord_params,
    chord_sql,
    knn_plan_applies,
    rotation_cut,
)
from directory.search.parameters import (
    OFFERED_RADII_MI,
    Centre,
    SearchParams,
    resolve_centre,
)
from directory.search.plans import search_studios
from directory.services.search_index import search_rotation_refresh
from tests.directory.search_data import CITIES
from tests.directory.test_search_api import fetch_all, oracle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _offline(search_offline):
    """No page cache, no geocoder (tests/directory/conftest.py)."""


def _query(city: str, radius: float, **extra) -> dict:
    lat, lng = CITIES[city]
    return {"lat": lat, "lng": lng, "radius": radius, **extra}


FILTERS = [
    ({}, {}),
    ({"studio_types": "HOME"}, {"types": ["HOME"]}),
    ({"services": "ISDN,ZOOM"}, {"services": ["ISDN", "ZOOM"]}),
    ({"premium": "true"}, {"premium": True}),
    ({"premium": "false"}, {"premium": False}),
    ({"verified": "true"}, {"verified": True}),
    ({"verified": "false", "has_images": "true"}, {"verified": False, "has_images": True}),
    ({"has_images": "false"}, {"has_images": False}),
]


@pytest.mark.parametrize(
    "plan", ["few", "walk", "general"], ids=["knn-plan-few", "knn-plan-walk", "general-plan"]
)
@pytest.mark.parametrize(("query", "params"), FILTERS)
@pytest.mark.parametrize("city", ["London", "Suva", "Tromsø"])
def test_distance_pages_match_the_oracle(client, world, settings, plan, query, params, city):
    """By distance the tier plan reads a small circle in one statement ("few": every
    circle of this world) and a large one tier by tier ("walk": limits below zero make every
    count an estimate, so the tier walk answers); both, and the general plan, give the
    oracle's pages."""
    settings.SEARCH_KNN_PLAN = plan != "general"
    if plan == "walk":
        _walk(settings)
    spec, ids = world
    lat, lng = CITIES[city]
    with CaptureQueriesContext(connection) as queries:
        for radius in (OFFERED_RADII_MI[0], 250, 500):
            expected, distances = oracle(spec, ids, centre=(lat, lng, radius, city), **params)
            names, got = fetch_all(
                client, _query(city, radius, **query), page_size=5, exact_count=plan != "walk"
            )
            assert names == expected, (city, radius, query)
            for name, miles in got.items():
                assert miles == pytest.approx(distances[name], abs=0.006)
    few = _statements(queries, "ORDER BY tier,")
    walked = _statements(queries, "<->")  # a tier's nearest first, off its index
    assert (bool(few), bool(walked)) == {
        "few": (True, False),
        "walk": (False, params != {"premium": True}),  # premium alone: no nearest-first tier
        "general": (False, False),
    }[plan]


@pytest.mark.parametrize("plan", ["few", "walk"], ids=["knn-plan-few", "knn-plan-walk"])
@pytest.mark.parametrize("sort", ["name", "newest", "rating"])
@pytest.mark.parametrize(
    ("query", "params"), [FILTERS[0], FILTERS[1], FILTERS[3], FILTERS[4], FILTERS[5], FILTERS[6]]
)
@pytest.mark.parametrize("city", ["London", "Tromsø"])
def test_other_sorts_match_the_oracle(client, world, settings, plan, sort, query, params, city):
    """Name, newest and rating as by distance: a small circle in one statement, its sort
    keys off the tiers' indexes ("few"), a large one tier by tier ("walk")."""
    if plan == "walk":
        _walk(settings)
    spec, ids = world
    lat, lng = CITIES[city]
    with CaptureQueriesContext(connection) as queries:
        for radius in (OFFERED_RADII_MI[0], 500):
            expected, _ = oracle(spec, ids, centre=(lat, lng, radius, city), sort=sort, **params)
            names, _ = fetch_all(
                client,
                _query(city, radius, sort=sort, **query),
                page_size=4,
                exact_count=plan == "few",
            )
            assert names == expected, (city, radius, sort, query)
    assert bool(_statements(queries, "ORDER BY tier,")) is (plan == "few")


def test_the_plan_applies_to_a_centre_without_text_or_city(world, settings):
    lat, lng = CITIES["London"]
    for params, applies in [
        (SearchParams(lat=lat, lng=lng), True),
        (SearchParams(lat=lat, lng=lng, studio_types=("HOME",)), True),
        (SearchParams(lat=lat, lng=lng, studio_types=("HOME",), services=("ISDN",)), False),
        (SearchParams(lat=lat, lng=lng, sort="name"), True),
        (SearchParams(lat=lat, lng=lng, sort="rating", services=("ISDN",)), True),
        (SearchParams(lat=lat, lng=lng, q="booth"), False),
        (SearchParams(lat=lat, lng=lng, city="london"), False),
        (SearchParams(city="london"), False),
    ]:
        assert knn_plan_applies(params, resolve_centre(params)) is applies, params
    settings.SEARCH_KNN_PLAN = False
    params = SearchParams(lat=lat, lng=lng)
    assert knn_plan_applies(params, resolve_centre(params)) is False


def _sampled(expected: list[str], ids: dict[str, int]) -> int:
    return sum(1 for name in expected if ids[name] % SAMPLE_STRIDE == 0)


def test_count_is_exact_up_to_the_limit(client, world, settings):
    spec, ids = world
    lat, lng = CITIES["London"]
    expected, _ = oracle(spec, ids, centre=(lat, lng, 500, "London"))
    settings.SEARCH_EXACT_COUNT_LIMIT = len(expected) * SAMPLE_STRIDE  # the sample stays below
    body = client.get("/api/studios/search?" + urlencode(_query("London", 500))).json()
    assert body["count"] == len(expected)
    assert body["count_is_estimate"] is False


def test_count_past_the_limit_is_the_sample_estimate_and_pages_stay_exact(client, world, settings):
    spec, ids = world
    lat, lng = CITIES["London"]
    expected, _ = oracle(spec, ids, centre=(lat, lng, 500, "London"))
    sampled = _sampled(expected, ids)
    assert sampled > 0  # the world has sampled studios around London
    settings.SEARCH_EXACT_COUNT_LIMIT = sampled * SAMPLE_STRIDE - 1
    names, page = [], 1
    while True:
        body = client.get(
            "/api/studios/search?" + urlencode({**_query("London", 500), "page": page})
        ).json()
        # Never below the results up to the end of a page that has any.
        shown = len(names) + len(body["results"]) if body["results"] else 0
        assert body["count"] == max(sampled * SAMPLE_STRIDE, shown)
        assert body["count_is_estimate"] is True
        if not body["results"]:
            break
        names += [result["name"] for result in body["results"]]
        page += 1
    assert names == expected


@pytest.mark.parametrize(
    ("query", "params"), [FILTERS[1], FILTERS[2], FILTERS[4], FILTERS[5], FILTERS[7]], ids=str
)
def test_a_filtered_count_is_exact_only_while_the_circle_is_small(
    client, world, settings, monkeypatch, query, params
):
    """With a type, service or flag filter the exact count tests every studio of the
    circle: past SEARCH_EXACT_COUNT_SCAN_LIMIT studios (by the sample) the count is the
    sample's estimate — if at least ESTIMATE_MIN_SAMPLED sampled studios match, else an
    estimate could say 0 above a page of results. Pages are exact either way; without a
    filter the scan limit plays no part (the matches are the circle's studios)."""
    spec, ids = world
    lat, lng = CITIES["London"]
    expected, _ = oracle(spec, ids, centre=(lat, lng, 500, "London"), **params)
    every, _ = oracle(spec, ids, centre=(lat, lng, 500, "London"))
    circle = _sampled(every, ids) * SAMPLE_STRIDE  # the sample's count of the circle
    sampled = _sampled(expected, ids)  # may be 0: the world is small
    assert circle > 0
    settings.SEARCH_EXACT_COUNT_LIMIT = 10**6  # the matches never decide here
    # One result a page: an estimate is never below the results shown, here one.
    path = "/api/studios/search?" + urlencode(_query("London", 500, page_size=1, **query))

    settings.SEARCH_EXACT_COUNT_SCAN_LIMIT = circle  # not past it: exact
    monkeypatch.setattr(knn, "ESTIMATE_MIN_SAMPLED", sampled)
    names, _ = fetch_all(client, _query("London", 500, **query), page_size=7)
    body = client.get(path).json()
    assert (names, body["count"], body["count_is_estimate"]) == (expected, len(expected), False)

    settings.SEARCH_EXACT_COUNT_SCAN_LIMIT = circle - 1  # past it, but too few sampled
    monkeypatch.setattr(knn, "ESTIMATE_MIN_SAMPLED", sampled + 1)
    body = client.get(path).json()
    assert (body["count"], body["count_is_estimate"]) == (len(expected), False)

    monkeypatch.setattr(knn, "ESTIMATE_MIN_SAMPLED", sampled)  # past it, enough: estimated
    names, _ = fetch_all(client, _query("London", 500, **query), page_size=7, exact_count=False)
    body = client.get(path).json()
    assert names == expected
    # The estimate, or the one result shown if it says fewer.
    assert (body["count"], body["count_is_estimate"]) == (max(sampled * SAMPLE_STRIDE, 1), True)

    body = client.get("/api/studios/search?" + urlencode(_query("London", 500))).json()
    assert (body["count"], body["count_is_estimate"]) == (len(every), False)


def test_premium_only_is_counted_exactly_in_any_circle(client, world, settings, monkeypatch):
    """Premium only is counted off the premium tier's own index, not by testing every studio
    of the circle: the scan limit does not make it an estimate."""
    spec, ids = world
    lat, lng = CITIES["London"]
    expected, _ = oracle(spec, ids, centre=(lat, lng, 500, "London"), premium=True)
    settings.SEARCH_EXACT_COUNT_LIMIT = 10**6
    settings.SEARCH_EXACT_COUNT_SCAN_LIMIT = -1
    monkeypatch.setattr(knn, "ESTIMATE_MIN_SAMPLED", 0)
    body = client.get(
        "/api/studios/search?" + urlencode(_query("London", 500, premium="true"))
    ).json()
    assert (body["count"], body["count_is_estimate"]) == (len(expected), False)
    body = client.get(
        "/api/studios/search?" + urlencode(_query("London", 500, premium="false"))
    ).json()
    assert body["count_is_estimate"] is True  # the same limits estimate any other filter


def test_an_estimated_count_is_never_below_the_results_shown(client, world, settings):
    """An estimate from a sample can fall short of the matches — a filter few sampled
    studios pass can make it 0 — but the count a page reports is at least the results up
    to the end of that page."""
    spec, ids = world
    lat, lng = CITIES["London"]
    _walk(settings)  # every count the sample's estimate
    expected, _ = oracle(spec, ids, centre=(lat, lng, 500, "London"), types=["HOME"])
    estimate = _sampled(expected, ids) * SAMPLE_STRIDE
    assert len(expected) > 1
    query = {**_query("London", 500, studio_types="HOME"), "page_size": 1}
    for page in range(1, len(expected) + 1):
        body = client.get("/api/studios/search?" + urlencode({**query, "page": page})).json()
        assert len(body["results"]) == 1
        assert (body["count"], body["count_is_estimate"]) == (max(estimate, page), True)
    if estimate < len(expected):  # as a rule here: few of the world's studios are sampled
        assert body["count"] == len(expected)


def test_other_plans_say_their_count_is_exact(client, world):
    body = client.get("/api/studios/search?" + urlencode({"q": "studio"})).json()
    assert body["count_is_estimate"] is False
    body = client.get("/api/studios/search?" + urlencode({"city": "london"})).json()
    assert body["count_is_estimate"] is False


def test_a_page_costs_a_bounded_number_of_queries_whatever_the_page(client, world):
    """Pages 1, 4 and one past the end: a query per tier reached (at most five), the count,
    the cards."""
    for page in (1, 4, 40):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(
                "/api/studios/search?"
                + urlencode({**_query("London", 500), "page": page, "page_size": 5})
            )
        assert response.status_code == 200
        sample = [q["sql"] for q in queries.captured_queries if "studio_id %" in q["sql"]]
        assert sample, "the tier plan counted"
        assert len(queries.captured_queries) <= 7


def test_the_centre_written_out_is_ll_to_earth_bit_for_bit():
    """CENTRE_SQL and the chord's centre axes (earth() written out, no SQL function to
    inline) give the very floats ll_to_earth gives — at the poles, on the antimeridian and
    at random points — and chord_sql() the very cube_distance; earth() is the radius
    written out."""
    rng = random.Random(14)
    points = [(90.0, 0.0), (-90.0, 180.0), (0.0, -180.0), (0.0, 180.0), (51.5074, -0.1278)]
    points += [(rng.uniform(-90, 90), rng.uniform(-180, 180)) for _ in range(300)]
    same_point = f"{CENTRE_SQL} = ll_to_earth(%s, %s)::cube"
    same_axes = " AND ".join(
        f"cube_ll_coord({CENTRE_SQL}, {axis}) = cube_ll_coord(ll_to_earth(%s, %s), {axis})"
        for axis in (1, 2, 3)
    )
    same_chord = (
        f"{chord_sql()} = cube_distance(ll_to_earth(%s, %s), ll_to_earth(latitude, longitude))"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT earth() = {EARTH_RADIUS_SQL}")
        assert cursor.fetchone() == (True,)
        for lat, lng in points:
            centre = Centre(lat, lng, 50.0, None)
            row = (rng.uniform(-90, 90), rng.uniform(-180, 180))
            cursor.execute(
                f"SELECT {same_point}, {same_axes}, {same_chord}"  # noqa: S608
                " FROM (VALUES (%s::float8, %s::float8)) AS r(latitude, longitude)",
                [
                    *centre_params(centre),
                    lat,
                    lng,
                    *[value for _ in range(3) for value in (*centre_params(centre), lat, lng)],
                    *chord_params(centre),
                    lat,
                    lng,
                    *row,
                ],
            )
            assert cursor.fetchone() == (True, True, True), (lat, lng, row)


@pytest.mark.parametrize(
    "query",
    [
        {"sort": "distance"},
        {"sort": "name", "studio_types": "HOME"},
        {"sort": "rating", "premium": "true"},
        {"sort": "newest", "services": "ISDN", "page": 2},
    ],
)
def test_the_centres_city_without_coordinates_is_read_off_one_index_alone(
    client, world, settings, query
):
    """Every column the tier statements and the count read of the studios without
    coordinates is in migration 0011's index: with no other way to scan allowed, the
    planner can still answer them index-only (which it chose at a million studios, where
    a heap visit each was 1.9 ms around London; on these few rows it may not)."""
    settings.SEARCH_EXACT_COUNT_LIMIT = 10_000  # the exact count too
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/studios/search?" + urlencode(_query("London", 50, **query)))
    assert response.status_code == 200
    fallbacks = [q["sql"] for q in queries.captured_queries if "latitude IS NULL" in q["sql"]]
    assert len(fallbacks) >= 2  # a tier's rows and the count
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        for sql in fallbacks:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Index Only Scan using studio_search_nocoord_tier_idx" in plan, plan


# --- The premium tier by slices of the rotation (migration 0012) ---------------------------


def _walk(settings) -> None:
    """Every count an estimate (both limits below any count): the tier walk reads every
    page, as it does around a big city."""
    settings.SEARCH_EXACT_COUNT_LIMIT = -1
    settings.SEARCH_EXACT_COUNT_SCAN_LIMIT = -1


def _statements(queries, marker: str) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if marker in q["sql"]]


def _whole_premium_tier(queries) -> list[str]:
    """The statements that read the whole premium tier (off its own partial index)."""
    return [sql for sql in _statements(queries, "md5(studio_id::text") if "first_slice" not in sql]


def test_the_cut_is_set_from_the_circles_count():
    assert rotation_cut(20, None) is None  # no count: the whole tier
    assert rotation_cut(20, 0) is None
    assert rotation_cut(20, 1_000) is None  # 55 premium studios: one read of all of them
    cut = rotation_cut(20, 20_000)  # London at a million: about 1,100 premium studios
    assert cut == int(3 * 20 / (0.055 * 20_000) * 2**32)
    assert rotation_cut(100, 20_000) > cut  # a later page: a wider slice
    assert rotation_cut(1, 10**12) == 1  # at least the first prefix


@pytest.mark.parametrize("cut", [2**28, 2**24, 1], ids=["sixteenth", "256th", "empty"])
@pytest.mark.parametrize(("query", "params"), [FILTERS[0], FILTERS[1], FILTERS[5]])
@pytest.mark.parametrize("sort", ["distance", "rating"])
def test_pages_read_by_slices_match_the_oracle(
    client, world, settings, monkeypatch, cut, query, params, sort
):
    """The first slice cut at a sixteenth of the rotation, a 256th, or before any key:
    every page is the oracle's, whether the slice held the page or the whole tier was read
    after it. The counts are made estimates, so that the tier walk (not the small
    circle's one statement) reads the pages."""
    monkeypatch.setattr(knn, "rotation_cut", lambda *_: cut)
    _walk(settings)
    spec, ids = world
    lat, lng = CITIES["London"]
    with CaptureQueriesContext(connection) as queries:
        for radius in (OFFERED_RADII_MI[0], 500):
            expected, _ = oracle(
                spec, ids, centre=(lat, lng, radius, "London"), sort=sort, **params
            )
            names, _ = fetch_all(
                client,
                _query("London", radius, sort=sort, **query),
                page_size=3,
                exact_count=False,
            )
            assert names == expected, (radius, sort, query)
    assert _statements(queries, "first_slice"), "the premium tier was read by slices"


def _premium_page(client, query: dict) -> tuple[list[str], list[str], list[str]]:
    """(the page's names, its slice statements, its whole-tier statements)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/studios/search?" + urlencode(query))
    assert response.status_code == 200
    names = [result["name"] for result in response.json()["results"]]
    return names, _statements(queries, "first_slice"), _whole_premium_tier(queries)


def test_a_slice_that_holds_the_page_is_all_of_the_tier_that_is_read(world, settings, monkeypatch):
    """The slice's ends, on a fixed day's rotation: cut just past the first located premium
    studio's key, the slice holds it and answers page 1 of one studio alone; cut at its
    key, the slice is empty and the whole tier is read after it. Both pages are the
    whole tier's."""
    _walk(settings)
    day = dt.date(2026, 1, 1)
    search_rotation_refresh(day=day)
    lat, lng = CITIES["London"]
    params = SearchParams(lat=lat, lng=lng, radius=500, page_size=1)
    monkeypatch.setattr(knn, "rotation_cut", lambda *_: None)
    expected = [card.id for card in search_studios(params, day=day).results]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rotation_key FROM studio_search WHERE studio_id = %s AND latitude IS NOT NULL",
            [expected[0]],
        )
        (key,) = cursor.fetchone()  # the first of London's tier has coordinates
    prefix = int(key[:8], 16)
    for cut, whole_reads in ((prefix + 1, 0), (prefix, 1)):
        monkeypatch.setattr(knn, "rotation_cut", lambda *_, cut=cut: cut)
        with CaptureQueriesContext(connection) as queries:
            got = [card.id for card in search_studios(params, day=day).results]
        assert got == expected, cut
        assert len(_statements(queries, "first_slice")) == 1
        assert len(_whole_premium_tier(queries)) == whole_reads, cut


def test_a_stale_rotation_reads_the_whole_tier(client, world, settings, monkeypatch):
    """The slices are of the stored keys: when the stored seed is not the day's (before
    the midnight task has run), the slice — here half the rotation, by the stored keys a
    different half than the day's — finds nothing and the whole tier is read, in the day's
    rotation: the oracle's order on every page."""
    monkeypatch.setattr(knn, "rotation_cut", lambda *_: 2**31)
    _walk(settings)
    spec, ids = world
    lat, lng = CITIES["London"]
    expected, _ = oracle(spec, ids, centre=(lat, lng, 500, "London"))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE studio_search_rotation SET seed = 'premium-rotation:stale'")
        cursor.execute("UPDATE studio_search SET rotation_key = NULL WHERE is_premium")
    with CaptureQueriesContext(connection) as queries:
        names, _ = fetch_all(client, _query("London", 500), page_size=1, exact_count=False)
    assert names == expected
    assert _statements(queries, "first_slice")
    assert _whole_premium_tier(queries)


def test_the_first_slice_can_be_read_index_only_off_its_index(client, world, settings, monkeypatch):
    """Every column the slice statement reads is in migration 0012's index: with no other
    way to scan allowed, the planner answers it index-only (at a million studios it chose
    so: 61 rows around London for a page of 20, where the tier has 1,195)."""
    monkeypatch.setattr(knn, "rotation_cut", lambda *_: 2**31)
    _walk(settings)
    for query in ({}, {"studio_types": "HOME", "verified": "true"}):
        _, sliced, _ = _premium_page(client, _query("London", 500, **query))
        assert len(sliced) == 1
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute(f"EXPLAIN {sliced[0]}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Index Only Scan using studio_search_premium_rotation_idx" in plan, plan


@pytest.mark.parametrize("sort", ["distance", "name", "newest", "rating"])
@pytest.mark.parametrize(("query", "params"), [FILTERS[0], FILTERS[1], FILTERS[5]])
def test_a_small_circle_past_the_end_counts_in_its_page_statement(
    client, world, sort, query, params
):
    """The sample, then one statement for the page and its count — past the end too, where
    the page has no row to carry the count: two statements, no count apart, no cards."""
    spec, ids = world
    lat, lng = CITIES["London"]
    expected, _ = oracle(spec, ids, centre=(lat, lng, 500, "London"), sort=sort, **params)
    assert expected, "the world has studios around London"
    for page, rows in ((1, min(len(expected), 5)), (len(expected) // 5 + 2, 0)):
        with CaptureQueriesContext(connection) as queries:
            body = client.get(
                "/api/studios/search?"
                + urlencode({**_query("London", 500, sort=sort, **query), "page": page})
                + "&page_size=5"
            ).json()
        assert (len(body["results"]), body["count"]) == (rows, len(expected))
        assert body["count_is_estimate"] is False
        few = _statements(queries, "ORDER BY tier,")
        assert len(few) == 1
        assert len(queries.captured_queries) == 2 + bool(rows)  # the sample, the page, cards
