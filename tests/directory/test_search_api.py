"""GET /api/studios/search against an independent oracle over a world of studios.

The oracle below re-implements the rules from the issue in plain Python (haversine, the
legacy priority order, md5 rotation) and knows nothing of SQL, chords or triggers.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from directory.geo import EARTH_RADIUS_MI
from directory.search.parameters import OFFERED_RADII_MI, rotation_seed
from tests.directory.search_data import CITIES, rotation_key

pytestmark = pytest.mark.django_db

# Studios closer than this to the radius are left out of exact comparisons: float noise.
BOUNDARY_MI = 1e-6


def haversine_miles(lat1, lng1, lat2, lng2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MI * math.asin(math.sqrt(a))


@pytest.fixture(autouse=True)
def _offline(search_offline):
    """No page cache, no geocoder (tests/directory/conftest.py)."""


def oracle(spec, ids, **p):
    """The expected names, in order, for search parameters p."""
    centre = p.get("centre")  # (lat, lng, radius, fallback city or None)
    rows = []
    for s in spec:
        if s["status"] != "ACTIVE" or not s["visible"]:
            continue
        if p.get("types") and not set(p["types"]) & set(s["types"]):
            continue
        if p.get("services") and not set(p["services"]) & set(s["services"]):
            continue
        if p.get("city") and p["city"].lower() not in s["city"].lower():
            continue
        if p.get("verified") is not None and s["verified"] != p["verified"]:
            continue
        if p.get("premium") is not None and s["premium"] != p["premium"]:
            continue
        if p.get("has_images") is not None and (s["images"] > 0) != p["has_images"]:
            continue
        distance = None
        if centre:
            lat, lng, radius, city = centre
            if s["lat"] is None:
                if not city or s["city"].lower() != city.lower():
                    continue
            else:
                distance = haversine_miles(lat, lng, s["lat"], s["lng"])
                if abs(distance - radius) < BOUNDARY_MI:
                    pytest.fail("a studio sits on the radius: the oracle can't decide; reseed")
                if distance > radius:
                    continue
        rows.append((s, distance))

    seed = rotation_seed(p.get("day"))
    sort = p.get("sort") or ("distance" if centre else "name")

    def key(row):
        s, distance = row
        sid = ids[s["name"]]
        rotation = rotation_key(sid, seed) if s["premium"] else ""
        avg = sum(s["ratings"]) / len(s["ratings"]) if s["ratings"] else None
        by = {
            "distance": (distance is None, distance or 0),
            "name": (s["name"].lower(),),
            "newest": (s["days_old"],),
            "rating": (avg is None, -(avg or 0), -len(s["ratings"])),
        }[sort]
        return (not s["premium"], rotation, not s["verified"], s["images"] == 0, *by, sid)

    return [s["name"] for s, _ in sorted(rows, key=key)], {
        s["name"]: d for s, d in rows if d is not None
    }


def fetch_all(client, query: dict, page_size: int = 7, *, exact_count: bool = True):
    """Every page of a search; unless the count may be an estimate (which a page's results
    can raise), asserts it is the same on each and the number of results."""
    names, distances, count, page = [], {}, None, 1
    while True:
        response = client.get(
            "/api/studios/search?" + urlencode({**query, "page": page, "page_size": page_size})
        )
        assert response.status_code == 200, response.json()
        body = response.json()
        assert not exact_count or count in (None, body["count"])
        count = body["count"]
        if not body["results"]:
            break
        assert len(body["results"]) <= page_size
        for result in body["results"]:
            names.append(result["name"])
            if result["distance"] is not None:
                distances[result["name"]] = result["distance"]
        page += 1
    if exact_count:
        assert len(names) == count
    return names, distances


def _centre_query(city, radius):
    lat, lng = CITIES[city]
    return {"lat": lat, "lng": lng, "radius": radius}


# --- Radius against great circles ---------------------------------------------------------


@pytest.mark.parametrize("facet_plan", [True, False], ids=["facet-plan", "general-plan"])
@pytest.mark.parametrize("city", ["Suva", "Taveuni", "Apia", "Tromsø", "Longyearbyen", "London"])
def test_radius_matches_great_circle_distance_at_every_offered_radius(
    client, world, settings, city, facet_plan
):
    settings.SEARCH_FACET_PLAN = facet_plan
    spec, ids = world
    lat, lng = CITIES[city]
    for radius in OFFERED_RADII_MI:
        fallback = city if city not in ("Taveuni",) else None  # Taveuni is not in the gazetteer
        query = {**_centre_query(city, radius)}
        if facet_plan:  # the facet plan needs types and services
            query |= {"studio_types": ",".join(world_types()), "services": ",".join(world_svcs())}
        expected, expected_distances = oracle(
            spec,
            ids,
            centre=(lat, lng, radius, fallback),
            types=world_types() if facet_plan else None,
            services=world_svcs() if facet_plan else None,
        )
        names, distances = fetch_all(client, query, page_size=9)
        assert names == expected, (city, radius)
        for name, miles in distances.items():
            assert miles == pytest.approx(expected_distances[name], abs=0.006)


def world_types():
    return ["HOME", "RECORDING", "PODCAST"]


def world_svcs():
    return ["ISDN", "ZOOM", "SOURCE_CONNECT", "TEAMS"]


def test_radius_across_the_antimeridian_finds_both_sides(client, world):
    spec, _ids = world
    names, _ = fetch_all(client, _centre_query("Taveuni", 250))
    lngs = {s["lng"] for s in spec if s["name"] in names and s["lng"] is not None}
    assert any(v > 170 for v in lngs)
    assert any(v < -170 for v in lngs)


def test_studios_without_coordinates_fall_back_to_the_city(client, world):
    spec, _ = world
    names, distances = fetch_all(client, _centre_query("London", 10))
    no_coords = [
        s["name"]
        for s in spec
        if s["lat"] is None and s["city"] == "London" and s["status"] == "ACTIVE" and s["visible"]
    ]
    assert no_coords
    assert set(no_coords) <= set(names)
    assert not set(no_coords) & set(distances)  # distance unknown: null, listed last
    assert names[-len(no_coords) :] == sorted(no_coords, key=lambda n: names.index(n))


# --- Filters, sorts, priority, pagination ---------------------------------------------------


@pytest.mark.parametrize(
    ("query", "params"),
    [
        ({"studio_types": "HOME"}, {"types": ["HOME"]}),
        ({"studio_types": "home,Podcast"}, {"types": ["HOME", "PODCAST"]}),
        ({"services": "ISDN"}, {"services": ["ISDN"]}),
        (
            {"services": "ISDN,TEAMS", "studio_types": "VO_COACH"},
            {"services": ["ISDN", "TEAMS"], "types": ["VO_COACH"]},
        ),
        ({"city": "LONDON"}, {"city": "london"}),
        ({"city": "new york"}, {"city": "new york"}),
        ({"verified": "true"}, {"verified": True}),
        ({"verified": "false"}, {"verified": False}),
        ({"premium": "true"}, {"premium": True}),
        ({"premium": "0"}, {"premium": False}),
        ({"has_images": "true"}, {"has_images": True}),
        ({"has_images": "false"}, {"has_images": False}),
        ({"sort": "name"}, {"sort": "name"}),
        ({"sort": "newest"}, {"sort": "newest"}),
        ({"sort": "rating"}, {"sort": "rating"}),
        (
            {"sort": "rating", "studio_types": "HOME", "premium": "false"},
            {"sort": "rating", "types": ["HOME"], "premium": False},
        ),
    ],
)
def test_each_filter_and_sort_in_priority_order(client, world, query, params):
    spec, ids = world
    expected, _ = oracle(spec, ids, **params)
    names, _ = fetch_all(client, query)
    assert names == expected


@pytest.mark.parametrize("page_size", [1, 3, 50])
@pytest.mark.parametrize("sort", ["name", "newest", "rating"])
def test_facet_pages_in_the_premium_tier_and_past_it_follow_the_sort(
    client, world, sort, page_size
):
    """The facet plan reads the sort keys of a tier after premium only when the tiers
    before it hold fewer hits than the page needs: with one studio a page the first pages
    are premium alone; with fifty, the first page spans every tier. Every page is the
    oracle's."""
    spec, ids = world
    lat, lng = CITIES["London"]
    expected, _ = oracle(
        spec,
        ids,
        centre=(lat, lng, 500, "London"),
        types=world_types(),
        services=world_svcs(),
        sort=sort,
    )
    premium = sum(1 for s in spec if s["name"] in set(expected) and s["premium"])
    assert 1 < premium < len(expected) <= 50  # pages inside the premium tier and past it
    query = {
        **_centre_query("London", 500),
        "studio_types": ",".join(world_types()),
        "services": ",".join(world_svcs()),
        "sort": sort,
    }
    assert fetch_all(client, query, page_size=page_size)[0] == expected
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/studios/search?" + urlencode({**query, "page_size": page_size}))
    (statement,) = [q["sql"] for q in queries.captured_queries if "WITH hits" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {statement}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Page 1 of one studio: premium alone, no later tier read; of fifty (every hit of
    # this world), every tier read.
    if page_size == 1:
        assert "never executed" in plan, plan
    elif page_size >= len(expected):
        assert "never executed" not in plan, plan


@pytest.mark.parametrize("sort", ["distance", "name", "newest", "rating"])
@pytest.mark.parametrize("facet_plan", [True, False])
def test_radius_type_service_sorts_agree_between_plans(client, world, settings, sort, facet_plan):
    settings.SEARCH_FACET_PLAN = facet_plan
    spec, ids = world
    lat, lng = CITIES["Tromsø"]
    query = {
        **_centre_query("Tromsø", 500),
        "studio_types": "HOME,RECORDING",
        "services": "ZOOM,ISDN,TEAMS",
        "sort": sort,
        "verified": "false",
    }
    expected, _ = oracle(
        spec,
        ids,
        centre=(lat, lng, 500, "Tromsø"),
        types=["HOME", "RECORDING"],
        services=["ZOOM", "ISDN", "TEAMS"],
        sort=sort,
        verified=False,
    )
    assert fetch_all(client, query, page_size=4)[0] == expected


def test_priority_premium_then_verified_then_images(client, world):
    spec, _ = world
    by_name = {s["name"]: s for s in spec}
    names, _ = fetch_all(client, {"sort": "name"}, page_size=50)
    tiers = [
        (0 if by_name[n]["premium"] else 1,)
        + (() if by_name[n]["premium"] else (not by_name[n]["verified"], by_name[n]["images"] == 0))
        for n in names
    ]
    assert tiers == sorted(tiers)
    assert any(by_name[n]["premium"] for n in names)
    assert any(by_name[n]["verified"] for n in names)


def test_pages_are_stable_and_hold_every_studio_once(client, world):
    spec, _ = world
    listed = {s["name"] for s in spec if s["status"] == "ACTIVE" and s["visible"]}
    assert len(listed) > 120
    for page_size in (1, 7, 25):
        names, _ = fetch_all(client, {}, page_size=page_size)
        assert len(names) == len(set(names)) == len(listed)
        assert set(names) == listed
    # The same page twice is the same page.
    first = client.get("/api/studios/search?page=3&page_size=7").json()
    again = client.get("/api/studios/search?page=3&page_size=7").json()
    assert first == again


def test_a_page_past_the_end_is_empty_with_the_count(client, world):
    body = client.get("/api/studios/search?city=leeds&page=50").json()
    assert body["results"] == []
    assert body["count"] > 0
    assert body["page"] == 50


def test_premium_rotation_changes_daily_and_is_stable_within_a_day(client, world, monkeypatch):
    spec, ids = world
    premium = [s["name"] for s in spec if s["premium"] and s["status"] == "ACTIVE" and s["visible"]]
    assert len(premium) > 5

    def first_page(day):
        monkeypatch.setattr(timezone, "now", lambda: dt.datetime.combine(day, dt.time(12), dt.UTC))
        names = client.get(f"/api/studios/search?page_size={len(premium)}").json()["results"]
        return [r["name"] for r in names]

    day1, day2 = dt.date(2026, 3, 1), dt.date(2026, 3, 2)
    order1, order1_again, order2 = first_page(day1), first_page(day1), first_page(day2)
    assert set(order1) == set(order2) == set(premium)  # premium first, all of them
    assert order1 == order1_again
    assert order1 != order2
    assert order1 == oracle(spec, ids, premium=True, day=day1)[0]
    # Fair: over a month every premium studio leads at least once or comes close.
    leaders = {first_page(day1 + dt.timedelta(days=n))[0] for n in range(30)}
    assert len(leaders) >= len(premium) // 2


def test_text_query_ranks_matches_and_tolerates_typos(client, world):
    body = client.get("/api/studios/search?q=hammerfest+booth").json()
    assert body["count"] >= 1
    assert all("Hammerfest" in r["name"] or "Hammerfest" in r["city"] for r in body["results"])
    typo = client.get("/api/studios/search?q=hamerfest").json()
    assert typo["count"] >= 1
    assert "Hammerfest" in typo["results"][0]["name"]
    prefix = client.get("/api/studios/search?q=longyear").json()
    assert prefix["count"] >= 1
    assert all("Longyearbyen" in r["name"] for r in prefix["results"])


def test_owner_display_name_is_searchable(client, world):
    body = client.get("/api/studios/search?q=owen+owner&page_size=1").json()
    assert body["count"] > 100


def test_location_resolves_through_the_gazetteer(client, world):
    _spec, _ids = world
    body = client.get("/api/studios/search?location=Tromso,+Norway&radius=25").json()
    assert body["count"] >= 1
    assert all(r["distance"] is None or r["distance"] <= 25 for r in body["results"])


# --- Shape, queries, errors -----------------------------------------------------------------


def test_result_shape(client, world, django_assert_max_num_queries):
    # The tier plan: one small indexed query per tier reached (at most 5), count, cards.
    with django_assert_max_num_queries(7):
        body = client.get(
            "/api/studios/search?" + urlencode({**_centre_query("London", 500), "page_size": 100})
        ).json()
    assert set(body) == {"count", "count_is_estimate", "page", "page_size", "results"}
    card = body["results"][0]
    assert set(card) >= {
        "id",
        "name",
        "owner",
        "short_about",
        "city",
        "abbreviated_address",
        "distance",
        "coordinates",
        "types",
        "services",
        "first_image",
        "review_count",
        "average_rating",
        "is_premium",
        "is_verified",
    }
    assert set(card["owner"]) == {"username", "display_name", "avatar_url"}
    # The world's owner lets the map use coordinates.
    assert card["coordinates"] is None or set(card["coordinates"]) == {"lat", "lng"}


@pytest.mark.parametrize("facet_plan", [True, False])
def test_a_page_costs_at_most_six_queries(
    client, world, settings, django_assert_max_num_queries, facet_plan
):
    settings.SEARCH_FACET_PLAN = facet_plan
    settings.SEARCH_CACHE_SECONDS = 300  # with the cache: the version read counts too
    query = urlencode(
        {
            **_centre_query("London", 500),
            "studio_types": "HOME",
            "services": "ZOOM",
            "page_size": 100,
        }
    )
    # Six on the facet and general plans; without the facet plan this query takes the tier
    # plan: a query per tier reached (at most five), the count, the cards, the version.
    limit = 6 if facet_plan else 8
    with django_assert_max_num_queries(limit):
        assert client.get("/api/studios/search?" + query).status_code == 200
    with django_assert_max_num_queries(limit):  # past the end: + a count
        assert client.get("/api/studios/search?" + query + "&page=99").status_code == 200
    # Text on the text plan: the count, a query per tier reached, the cards, the version.
    with django_assert_max_num_queries(8):
        assert client.get("/api/studios/search?q=sound&page_size=100").status_code == 200
    settings.SEARCH_TEXT_PLAN = False
    with django_assert_max_num_queries(6):
        assert client.get("/api/studios/search?q=sound&page_size=100").status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("lat=90.5&lng=0", "lat"),
        ("lat=-91&lng=0", "lat"),
        ("lat=0&lng=180.01", "lng"),
        ("lat=0&lng=-181", "lng"),
        ("lat=10", "lng"),
        ("lng=10", "lat"),
        ("lat=nan&lng=0", "lat"),
        ("lat=inf&lng=0", "lat"),
        ("lat=abc&lng=1", "lat"),
        ("lat=1&lng=1&radius=0.5", "radius"),
        ("lat=1&lng=1&radius=501", "radius"),
        ("lat=1&lng=1&radius=ten", "radius"),
        ("radius=50", "radius"),
        ("location=Leeds&lat=1&lng=1", "location"),
        ("location=Nowhereville+Xq", "location"),
        ("studio_types=HOME,CASTLE", "studio_types"),
        ("services=PIGEON", "services"),
        ("page_size=101", "page_size"),
        ("page_size=0", "page_size"),
        ("page=0", "page"),
        ("page=x", "page"),
        ("sort=loudest", "sort"),
        ("sort=distance", "sort"),
        ("sort=relevance", "sort"),
        ("verified=maybe", "verified"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_bad_input_is_400_naming_the_field(client, query, field):
    response = client.get("/api/studios/search?" + query)
    assert response.status_code == 400, response.content
    body = response.json()["error"]
    assert body["code"] == "invalid"
    assert field in body["fields"], body


@pytest.mark.parametrize(
    "query",
    [
        {"q": "hammerfest booth"},
        {"q": "hamerfest"},  # the typo fallback
        {"studio_types": "HOME,PODCAST", "services": "ISDN"},
        {"city": "london", "verified": "true"},
        {"location": "Suva", "radius": "100"},  # across the antimeridian
        {"location": "London"},  # the default radius, and the city fallback
        {"lat": "69.6489", "lng": "18.95508", "radius": "250", "has_images": "false"},
        {"q": "nothing-like-this-anywhere"},
    ],
)
def test_saved_search_matching_is_the_search_itself(client, world, query):
    """Alerts use matching_studio_ids: the same set as every page of the search."""
    from directory.search.filters import validate_search_filters
    from directory.search.parameters import SearchParams
    from directory.search.plans import matching_studio_ids

    body = client.get("/api/studios/search", {**query, "page_size": 100}).json()
    assert body["count"] <= 100
    listed = {r["id"] for r in body["results"]}
    stored = json.loads(json.dumps(validate_search_filters(query)))  # as a saved search keeps it
    ids = set(
        matching_studio_ids(SearchParams.from_filters(stored)).values_list("studio_id", flat=True)
    )
    assert ids == listed
