"""The radius + text plan (directory/search/radius_text.py) against the general plan on the
same data: the same studios, distances and order on every page, the same count when it is
exact, for every sort, with and without flags — both through the one statement (few
matches) and tier by tier (a limit of 0: every count is past it)."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import replace
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import Studio
from directory.search import radius_text
from directory.search.knn import SAMPLE_STRIDE, centre_axes
from directory.search.parameters import Centre, SearchParams, resolve_centre, rotation_seed
from directory.search.plans import search_studios
from directory.search.radius_text import (
    CELLS_PER_DEGREE,
    MAX_CELLS,
    circle_cells,
    radius_text_plan_applies,
)
from directory.services.search_index import search_rotation_refresh
from tests.directory.radius_text_data import (
    CLUSTERS,
    asks,
    asks_the_cell_index,
    cluster_spec,
    compare_plans,
    plan_page,
)
from tests.directory.search_data import CITIES, build, destination, rotation_key
from tests.factories import StudioFactory, StudioServiceFactory, StudioTypeFactory
from tests.support.module_data import built_for_the_module, for_the_test

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _offline(search_offline):
    """No page cache, no geocoder (tests/directory/conftest.py)."""


@pytest.fixture(scope="module")
def module_clusters(request, django_db_setup, django_db_blocker):
    yield from built_for_the_module(request, django_db_blocker, lambda: build(cluster_spec()))


@pytest.fixture
def clusters(module_clusters, db) -> dict[str, int]:
    """The clustered studios, built once for the module (tests/support/module_data.py)."""
    return for_the_test(module_clusters)


FLAGS = [
    {},
    {"premium": True},
    {"premium": False},
    {"verified": True},
    {"has_images": False, "verified": False},
    {"studio_types": ("HOME",)},
    {"services": ("ISDN", "ZOOM")},
]
TEXTS = [
    "booth",
    "Booth Sound",
    "sound",
    "owen",
    "kestrel",
    "nightingale",
    "nightingle",  # a typo: the vocabulary's retry
    "voi",  # a prefix
    "marlin booth",
    "xqzzyq",  # nothing at all, not even a typo
    "leeds",
]


def _random_queries(n: int, seed: int = 2026) -> list[SearchParams]:
    rnd = random.Random(seed)
    queries = []
    for _ in range(n):
        city = rnd.choice(CLUSTERS)
        lat, lng = destination(*CITIES[city], rnd.uniform(0, 30), rnd.uniform(0, 2 * math.pi))
        queries.append(
            SearchParams(
                q=rnd.choice(TEXTS),
                lat=round(lat, 5),
                lng=round(lng, 5),
                radius=rnd.choice([5, 10, 25, 50, 100]),
                sort=rnd.choice([None, "relevance", "distance", "name", "newest", "rating"]),
                page_size=rnd.choice([3, 7, 20, 50]),
                **rnd.choice(FLAGS),
            )
        )
    return queries


@pytest.mark.parametrize("walk", [False, True], ids=["one-statement", "tier-walk"])
def test_random_queries_give_the_general_plans_pages(clusters, settings, walk):
    """60 seeded queries around the clusters: pages 1–4 and the last two (one past the
    end), with the plan reading few matches in one statement or tier by tier."""
    settings.SEARCH_EXACT_COUNT_LIMIT = 0 if walk else 2000
    matched = walked = 0
    for params in _random_queries(60):
        assert radius_text_plan_applies(params, resolve_centre(params))
        count = compare_plans(params, settings, range(1, 5))
        last = max(1, math.ceil(count / params.page_size))
        compare_plans(params, settings, [last, last + 1])
        matched += count > 0
        walked += plan_page(params, True, settings)[2]  # an estimate: read tier by tier
    settings.SEARCH_RADIUS_TEXT_PLAN = True
    assert matched > 30  # most queries find something
    if walk:  # a match in the sample: past a limit of 0
        assert walked >= 3, walked  # 7–11 of the 60, as the ids fall (not reset per test)
    else:
        assert walked == 0


@pytest.mark.parametrize("walk", [False, True], ids=["one-statement", "tier-walk"])
@pytest.mark.parametrize("sort", ["relevance", "distance", "name", "newest", "rating"])
def test_every_page_of_a_big_circle_in_each_sort_and_filter(clusters, settings, sort, walk):
    """Around London (its studios without coordinates included), every page of 20."""
    settings.SEARCH_EXACT_COUNT_LIMIT = 0 if walk else 2000
    lat, lng = CITIES["London"]
    for q in ("booth", "sound voice", "kestrel"):
        for flags in FLAGS:
            params = SearchParams(
                q=q, lat=lat, lng=lng, radius=100, sort=sort, page_size=20, **flags
            )
            count = compare_plans(params, settings, [1])
            compare_plans(params, settings, range(2, count // 20 + 3))


def test_studios_without_coordinates_in_the_centres_city_are_listed(clusters, settings):
    lat, lng = CITIES["Leeds"]
    params = SearchParams(q="owen", lat=lat, lng=lng, radius=10, sort="distance", page_size=100)
    assert resolve_centre(params).fallback_city_key == "leeds"
    settings.SEARCH_RADIUS_TEXT_PLAN = True
    page = search_studios(params)
    distances = [card.distance_mi for card in page.results]
    assert None in distances
    assert distances[-1] is None  # after the located ones
    for walk_limit in (2000, 0):
        settings.SEARCH_EXACT_COUNT_LIMIT = walk_limit
        compare_plans(params, settings, [1, 2])
        compare_plans(replace(params, sort="relevance"), settings, [1, 2])


def test_a_page_boundary_among_studios_at_the_same_distance(clusters, settings):
    """Eight studios of one tier on one point: nearest first off the GiST, the page cuts
    them by id, at every boundary, as the general plan does."""
    owner = Studio.objects.first().owner
    lat, lng = destination(*CITIES["Leeds"], 3, 2.0)
    Studio.objects.bulk_create(
        [
            Studio(
                owner=owner,
                name=f"Tied Booth {i}",
                city="Leeds",
                latitude=Decimal(str(round(lat, 8))),
                longitude=Decimal(str(round(lng, 8))),
                status="ACTIVE",
                is_profile_visible=True,
            )
            for i in range(8)
        ]
    )
    settings.SEARCH_EXACT_COUNT_LIMIT = 0  # tier by tier
    centre = destination(*CITIES["Leeds"], 1, 4.0)
    for page_size in (1, 3, 5):
        params = SearchParams(
            q="booth",
            lat=centre[0],
            lng=centre[1],
            radius=25,
            sort="distance",
            premium=False,
            verified=False,
            has_images=False,
            page_size=page_size,
        )
        compare_plans(params, settings, range(1, 30 // page_size + 2))


def test_the_premium_rotation_of_any_day_is_the_general_plans(clusters, settings):
    lat, lng = CITIES["New York City"]
    today = dt.date.today()
    firsts = set()
    for walk_limit in (2000, 0):
        settings.SEARCH_EXACT_COUNT_LIMIT = walk_limit
        for days in range(4):
            day = today + dt.timedelta(days=days)
            params = SearchParams(q="owen", lat=lat, lng=lng, radius=100, premium=True)
            compare_plans(params, settings, [1, 2], day=day)
            firsts.add(plan_page(params, True, settings, day)[0][0][0])
    assert len(firsts) > 1  # the days' orders differ


def _premium_reads(params: SearchParams, day: dt.date) -> tuple[int, int]:
    """(statements reading the premium tier in its stored order, statements reading and
    sorting the whole tier) of one page of the plan."""
    with CaptureQueriesContext(connection) as queries:
        search_studios(params, day=day)
    sql = [q["sql"] for q in queries.captured_queries]
    in_order = sum("WITH firsts AS" in s for s in sql)
    whole = sum("WITH firsts AS" not in s and "ORDER BY md5(studio_id::text" in s for s in sql)
    return in_order, whole


@pytest.fixture
def rotation_read(monkeypatch):
    """The premium tier read in its stored order whatever the sample's estimate (the
    margin is a cost decision; the clusters are too small to pass it)."""
    monkeypatch.setattr(radius_text, "ROTATION_READ_MARGIN", 0)


def _sampled_near_london(count: int = 3) -> None:
    """Premium, verified studios near London that the 1-in-16 sample holds (ids that are
    multiples of SAMPLE_STRIDE), of type HOME with ISDN, named with the list's words: each
    query below finds one in the sample, so its page is read tier by tier whatever ids the
    run gave the clusters."""
    owner = Studio.objects.first().owner  # "Owen Owner": `owen` matches
    for n in range(count):
        lat, lng = destination(*CITIES["London"], 5 + n, 1.0 + n)
        studio = StudioFactory(
            id=20_000_000 * SAMPLE_STRIDE + n * SAMPLE_STRIDE,
            owner=owner,
            name=f"Sound Voice Booth Sampled {n}",
            latitude=Decimal(str(round(lat, 6))),
            longitude=Decimal(str(round(lng, 6))),
            is_premium=True,
            is_verified=True,
        )
        StudioTypeFactory(studio=studio, studio_type="HOME")
        StudioServiceFactory(studio=studio, service="ISDN")


@pytest.mark.parametrize("sort", ["relevance", "distance", "name"])
def test_a_fresh_rotation_is_read_in_the_stored_order(clusters, settings, sort, rotation_read):
    """Tier by tier, with the day's rotation stored: the premium tier is read off the
    rotation index in the stored keys' order, the text tested per row, as far as the page
    needs — in one statement, never the whole tier — and the pages are the general plan's,
    whatever the filters and the page's size. Stale (another day's rotation stored), the
    whole tier is read after it, in the day's order."""
    settings.SEARCH_EXACT_COUNT_LIMIT = 0  # tier by tier
    _sampled_near_london()
    day = dt.date(2026, 3, 1)
    search_rotation_refresh(day=day)
    lat, lng = CITIES["London"]
    for q, flags, page_size in (
        ("booth", {}, 1),
        ("booth", {}, 7),
        ("sound voice", {"verified": True}, 3),
        ("owen", {"premium": True}, 5),
        ("owen", {"services": ("ISDN", "ZOOM")}, 2),
        ("owen", {"studio_types": ("HOME",), "has_images": False}, 4),
    ):
        params = SearchParams(
            q=q, lat=lat, lng=lng, radius=100, sort=sort, page_size=page_size, **flags
        )
        compare_plans(params, settings, range(1, 6), day=day)
        stale = day + dt.timedelta(days=1)
        compare_plans(params, settings, [1, 2], day=stale)
        assert plan_page(params, True, settings, day)[2]  # read tier by tier
        assert _premium_reads(params, day) == (1, 0), params
        assert _premium_reads(params, stale) == (1, 1), params


def test_a_premium_tier_of_few_expected_matches_is_read_whole(clusters, settings):
    """The stored order is read only when the sample expects many premium matches next to
    the page (ROTATION_READ_MARGIN): the clusters' few are read whole, as before."""
    settings.SEARCH_EXACT_COUNT_LIMIT = 0  # tier by tier
    _sampled_near_london()
    day = dt.date(2026, 3, 1)
    search_rotation_refresh(day=day)
    lat, lng = CITIES["London"]
    params = SearchParams(q="booth", lat=lat, lng=lng, radius=100, page_size=7)
    assert plan_page(params, True, settings, day)[2]  # read tier by tier
    assert _premium_reads(params, day) == (0, 1)
    compare_plans(params, settings, [1, 2], day=day)


def _tied_ids(seed: str, start: int, pairs: int) -> list[tuple[int, int]]:
    """Pairs of studio ids (multiples of SAMPLE_STRIDE, so the sample sees them) whose
    rotation keys, md5(id || seed), share their first 32 bits and differ after them."""
    found, first_of = [], {}
    studio_id = start
    while len(found) < pairs:
        prefix = rotation_key(studio_id, seed)[:8]
        if prefix in first_of:
            found.append((first_of.pop(prefix), studio_id))
        else:
            first_of[prefix] = studio_id
        studio_id += SAMPLE_STRIDE
    return found


def _in_the_box_not_the_circle(centre: Centre) -> tuple[float, float]:
    """A point 55 miles from the centre (outside a circle of 50) inside the earth box the
    GiST indexes read (each axis within the circle's chord of the centre's)."""
    for degrees in range(0, 360, 5):
        point = destination(centre.lat, centre.lng, 55, math.radians(degrees))
        at = Centre(lat=point[0], lng=point[1], radius_mi=50, fallback_city_key=None)
        if all(
            abs(a - b) <= centre.chord
            for a, b in zip(centre_axes(at), centre_axes(centre), strict=True)
        ):
            return point
    raise AssertionError("no bearing puts a point in the box's corner")


def test_premium_studios_whose_keys_tie_in_the_rotation_index(clusters, settings, rotation_read):
    """The rotation index orders by a key's first 32 bits: a page that ends among studios
    whose first 32 bits tie takes every one of them that matches, then sorts by the whole
    key. Four pairs of premium studios whose keys tie (ids found so), alone in a circle:
    two pairs match the text; in the third, the second studio does not; in the fourth, it
    lies in the circle's box but outside the circle. Pages of one and of three are the
    general plan's. (Without the tied studios' second read, the page of one lists a pair's
    later key; without its text or distance test, a studio that is no match: each checked
    when this test was written.)"""
    settings.SEARCH_EXACT_COUNT_LIMIT = 0  # tier by tier
    day = dt.date(2026, 3, 2)
    owner = Studio.objects.first().owner
    lat, lng = 64.14, -21.94  # Reykjavik: none of the clusters' studios within 500 miles
    centre = resolve_centre(SearchParams(lat=lat, lng=lng, radius=50))
    outside = _in_the_box_not_the_circle(centre)
    seed = rotation_seed(day)
    pairs = [
        # each pair's later key first, nearer the centre and inserted first: the index
        # tends to return it first, before the key the page needs
        sorted(pair, key=lambda i: rotation_key(i, seed), reverse=True)
        for pair in _tied_ids(seed, 10_000_000 * SAMPLE_STRIDE, 4)
    ]
    no_match, far = pairs[2][1], pairs[3][1]
    studios = []
    for n, studio_id in enumerate(studio_id for pair in pairs for studio_id in pair):
        point = outside if studio_id == far else (round(lat + n / 100, 6), lng)
        studios.append(
            Studio(
                id=studio_id,
                owner=owner,
                name=f"{'Quartz' if studio_id == no_match else 'Zephyrine'} Booth {studio_id}",
                city="Reykjavik",
                latitude=Decimal(str(round(point[0], 6))),
                longitude=Decimal(str(round(point[1], 6))),
                is_premium=True,
                status="ACTIVE",
                is_profile_visible=True,
            )
        )
    Studio.objects.bulk_create(studios)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT cube_enlarge(ll_to_earth(%s, %s), %s, 3) @> ll_to_earth(latitude, longitude),"
            " earth_distance(ll_to_earth(%s, %s), ll_to_earth(latitude, longitude)) / 1609.344"
            " FROM studio_search WHERE studio_id = %s",
            [lat, lng, centre.chord, lat, lng, far],
        )
        in_box, miles = cursor.fetchone()
    assert in_box  # in the box the index reads,
    assert miles > 50  # not in the circle
    search_rotation_refresh(day=day)
    matching = [i for pair in pairs for i in pair if i not in (no_match, far)]
    for page_size in (1, 3):
        params = SearchParams(q="zephyrine", lat=lat, lng=lng, radius=50, page_size=page_size)
        compare_plans(params, settings, range(1, len(matching) // page_size + 2), day=day)
        assert _premium_reads(params, day) == (1, 0)
    page = search_studios(replace(params, page_size=10), day=day)
    assert [card.id for card in page.results] == sorted(
        matching, key=lambda i: rotation_key(i, seed)
    )


def test_a_typo_is_retried_and_nothing_found_is_empty(clusters, settings):
    lat, lng = CITIES["London"]
    typo = SearchParams(q="nightingle", lat=lat, lng=lng, radius=100)
    assert compare_plans(typo, settings, [1]) > 0
    nothing = SearchParams(q="xqzzyq", lat=lat, lng=lng, radius=100)
    assert compare_plans(nothing, settings, [1, 2]) == 0
    # No word at all: the general plan answers (nothing).
    assert compare_plans(SearchParams(q="!!", lat=lat, lng=lng, radius=100), settings, [1]) == 0


def test_a_typo_past_the_end_keeps_its_count_without_a_count_statement(clusters, settings):
    """The misspelt words' sample and page (their count riding on it, none found), the
    vocabulary, the corrected words' sample and page: five statements past the end, as on
    page 1 without the cards — no count apart on either pass."""
    lat, lng = CITIES["London"]
    first = search_studios(SearchParams(q="nightingle", lat=lat, lng=lng, radius=100))
    assert first.count > 0
    assert first.count_is_estimate is False
    past = SearchParams(q="nightingle", lat=lat, lng=lng, radius=100, page=first.count + 1)
    with CaptureQueriesContext(connection) as queries:
        page = search_studios(past)
    assert (page.results, page.count, page.count_is_estimate) == ([], first.count, False)
    assert len(queries.captured_queries) == 5  # seven with a count apart on each pass


def test_the_count_past_the_limit_is_the_sample_estimate(clusters, settings):
    """The located matches in the 1-in-16 sample times 16, plus the matches without
    coordinates in the centre's city (few: counted exactly), or the page's rows if more;
    pages stay exact."""
    lat, lng = CITIES["London"]
    params = SearchParams(q="owen", lat=lat, lng=lng, radius=100, page_size=500)
    assert resolve_centre(params).fallback_city_key == "london"
    expected, exact, _ = plan_page(params, False, settings)
    assert len(expected) == exact
    located = [sid for sid, miles in expected if miles is not None]
    sampled = sum(1 for sid in located if sid % SAMPLE_STRIDE == 0)
    assert sampled > 0  # the fixed seed puts sampled studios around London
    assert len(located) < exact  # and studios without coordinates in London
    estimate = sampled * SAMPLE_STRIDE + exact - len(located)
    settings.SEARCH_EXACT_COUNT_LIMIT = estimate - 1
    # Never below the page's own rows (search_studios raises an estimate to them): a page
    # of one shows the sample's figure itself.
    assert plan_page(params, True, settings) == (expected, max(estimate, len(expected)), True)
    assert plan_page(replace(params, page_size=1), True, settings) == (expected[:1], estimate, True)
    settings.SEARCH_EXACT_COUNT_LIMIT = estimate  # not past it: exact
    assert plan_page(params, True, settings) == (expected, exact, False)


def test_the_plan_applies_to_text_with_a_centre_and_no_city(settings):
    lat, lng = CITIES["London"]
    for params, applies in [
        (SearchParams(q="booth", lat=lat, lng=lng), True),
        (SearchParams(q="booth", lat=lat, lng=lng, sort="distance"), True),
        (
            SearchParams(q="booth", lat=lat, lng=lng, studio_types=("HOME",), services=("ISDN",)),
            True,
        ),
        (SearchParams(q="booth", lat=lat, lng=lng, city="london"), False),
        (SearchParams(lat=lat, lng=lng), False),
        (SearchParams(q="booth"), False),
    ]:
        assert radius_text_plan_applies(params, resolve_centre(params)) is applies, params
    settings.SEARCH_RADIUS_TEXT_PLAN = False
    params = SearchParams(q="booth", lat=lat, lng=lng)
    assert radius_text_plan_applies(params, resolve_centre(params)) is False


def test_a_page_costs_a_bounded_number_of_queries(client, clusters, settings):
    """Few matches: the sample, the one statement (with its window count), the cards; past
    the end the count. Many: the sample, a query per tier reached (at most five), the
    cards. A corrected typo adds the vocabulary and the page again."""
    lat, lng = CITIES["London"]
    base = {"lat": lat, "lng": lng, "radius": 100, "page_size": 5}
    for limit, bounds in ((2000, (3, 4, 3, 6)), (0, (7, 7, 7, 10))):
        settings.SEARCH_EXACT_COUNT_LIMIT = limit
        for query, most in zip(
            (
                {"q": "booth", "sort": "distance"},
                {"q": "booth", "page": 400},
                {"q": "owen", "sort": "name", "page": 3},
                {"q": "nightingle"},
            ),
            bounds,
            strict=True,
        ):
            with CaptureQueriesContext(connection) as queries:
                response = client.get("/api/studios/search?" + urlencode({**base, **query}))
            assert response.status_code == 200
            sql = [q["sql"] for q in queries.captured_queries]
            assert any("@@" in s and f"% {SAMPLE_STRIDE} = 0" in s for s in sql), "sampled"
            assert len(sql) <= most, (query, len(sql))


# --- The cell index (migration 0008): circles of at most MAX_CELLS 0.25° cells -----------


def _cell(lat: float, lng: float) -> str:
    """The cell migration 0008's studio_search_cell_vector() puts a point in."""
    return f"{math.floor(lat * CELLS_PER_DEGREE)}/{math.floor(lng * CELLS_PER_DEGREE)}"


@pytest.mark.parametrize(
    "place", ["London", "Taveuni", "Labasa", "Sydney", "Longyearbyen", "Tromsø"]
)
def test_the_cells_hold_every_point_of_the_circle(place):
    """Points all over the circle, its rim included, across the antimeridian (Taveuni) and
    far north: each in a listed cell. Wider circles are more than MAX_CELLS: no cells."""
    rnd = random.Random(place)
    lat, lng = CITIES[place]
    listed = 0
    for miles in (1, 5, 12, 25, 40, 60, 100, 500):
        cells = circle_cells(SearchParams(q="booth"), Centre(lat, lng, miles, None))
        if cells is None:
            assert miles >= 40, (place, miles)  # only wide circles, or the far north
            continue
        listed += 1
        assert len(cells) <= MAX_CELLS
        for i in range(400):
            reach = miles * (0.99999 if i % 4 == 0 else math.sqrt(rnd.random()))
            point = destination(lat, lng, reach, rnd.uniform(0, 2 * math.pi))
            assert _cell(*point) in cells, (place, miles, point)
    assert listed >= 4


def test_no_cells_for_a_negated_word():
    """`-word` matches studios without any lexeme of a cell: a cell query narrows nothing."""
    centre = Centre(*CITIES["London"], 10, None)
    assert circle_cells(SearchParams(q="booth -sound"), centre) is None
    assert circle_cells(SearchParams(q="-sound"), centre) is None
    assert circle_cells(SearchParams(q="booth-sound"), centre)  # a phrase, not a negation


def test_phrases_and_negations_give_the_general_plans_pages(clusters, settings):
    """A phrase (`booth-sound`, `"sound booth"`) asks the cell index and tests each row
    again (the cell vector has no positions); a negation takes the earth box."""
    lat, lng = CITIES["London"]
    for q, cells in (
        ("booth-sound", True),
        ('"booth sound"', True),
        ("booth -sound", False),
        ("sound booth", True),
    ):
        params = SearchParams(q=q, lat=lat, lng=lng, radius=30, page_size=10)
        assert asks_the_cell_index(params, settings) is cells, q
        assert compare_plans(params, settings, [1, 2, 3]) > 0, q


def test_the_cell_index_follows_a_studio_that_moves(clusters, settings):
    """An expression index: a studio moved to another cell is found in the new one only."""
    lat, lng = CITIES["Leeds"]
    params = SearchParams(q="kestrel", lat=lat, lng=lng, radius=10, page_size=100)
    assert asks_the_cell_index(params, settings)
    before = {card.id for card in search_studios(params).results}
    studio = Studio.objects.filter(name__icontains="kestrel").exclude(id__in=before).first()
    assert studio is not None
    studio.latitude, studio.longitude = Decimal(str(round(lat, 6))), Decimal(str(round(lng, 6)))
    studio.save()
    assert studio.id in {card.id for card in search_studios(params).results}
    compare_plans(params, settings, [1])


# --- The city vector (migration 0010): the centre's city's studios without coordinates ---


@pytest.mark.parametrize("walk", [False, True], ids=["one-statement", "tier-walk"])
def test_the_centres_city_without_coordinates_comes_off_the_city_vector(clusters, settings, walk):
    """Leeds' matches without coordinates: off the city vector for words and phrases (each
    row tested again), off the city's studios for a negated word; the general plan's pages."""
    settings.SEARCH_EXACT_COUNT_LIMIT = 0 if walk else 2000
    lat, lng = CITIES["Leeds"]
    for q, vector in (
        ("owen", True),
        ("booth sound", True),
        ('"sound booth"', True),
        ("voi", True),
        ("owen -kestrel", False),
    ):
        for sort in ("relevance", "distance", "name"):
            params = SearchParams(q=q, lat=lat, lng=lng, radius=10, sort=sort, page_size=100)
            assert asks(params, settings, "studio_search_city_vector") is vector, q
            compare_plans(params, settings, [1, 2])
    page = search_studios(SearchParams(q="owen", lat=lat, lng=lng, radius=10, page_size=100))
    assert None in [card.distance_mi for card in page.results]


def test_the_city_vector_follows_a_studio_that_moves_city(clusters, settings):
    """An expression index: a studio without coordinates moved from Leeds to London is
    listed around London only."""
    leeds, london = (
        SearchParams(q="owen", lat=lat, lng=lng, radius=10, page_size=100)
        for lat, lng in (CITIES["Leeds"], CITIES["London"])
    )
    studio = Studio.objects.filter(city="Leeds", latitude__isnull=True, status="ACTIVE").first()
    assert studio.id in {card.id for card in search_studios(leeds).results}
    studio.city = "London"
    studio.save()
    assert studio.id not in {card.id for card in search_studios(leeds).results}
    assert studio.id in {card.id for card in search_studios(london).results}
    compare_plans(london, settings, [1, 2])
