"""The city plan (directory/search/city.py) against the oracle of test_search_api.py and
the general plan: the same names in the same order on every page, the same exact count,
for every sort and filter, one city key or several (a substring), and the fallback to the
general plan when the substring is in too many keys."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.search import city as city_plan
from directory.search.city import city_keys, city_plan_applies
from directory.search.parameters import SearchParams, resolve_centre
from tests.directory.test_search_api import fetch_all, oracle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _offline(search_offline):
    """No page cache, no geocoder (tests/directory/conftest.py)."""


FILTERS = [
    ({}, {}),
    ({"studio_types": "HOME"}, {"types": ["HOME"]}),
    ({"services": "ISDN,ZOOM"}, {"services": ["ISDN", "ZOOM"]}),
    (
        {"studio_types": "HOME,PODCAST", "services": "ZOOM"},
        {"types": ["HOME", "PODCAST"], "services": ["ZOOM"]},
    ),
    ({"premium": "true"}, {"premium": True}),
    ({"premium": "false"}, {"premium": False}),
    ({"verified": "true"}, {"verified": True}),
    ({"verified": "false", "has_images": "true"}, {"verified": False, "has_images": True}),
    ({"has_images": "false"}, {"has_images": False}),
]


@pytest.mark.parametrize("city", ["London", "lon", "a", "Tromsø", "nowhere"])
def test_pages_match_the_oracle_and_the_general_plan(client, world, settings, city):
    """Every sort × every filter (one world per city: building it is the slow part)."""
    spec, ids = world
    for sort in ("name", "newest", "rating"):
        for query, params in FILTERS:
            expected, _ = oracle(spec, ids, city=city, sort=sort, **params)
            request = {"city": city, "sort": sort, **query}
            settings.SEARCH_CITY_PLAN = True
            names, _ = fetch_all(client, request, page_size=3)
            assert names == expected, (city, sort, query)
            settings.SEARCH_CITY_PLAN = False
            general, _ = fetch_all(client, request, page_size=3)
            assert general == names, (city, sort, query)


def test_the_default_sort_is_by_name(client, world):
    spec, ids = world
    expected, _ = oracle(spec, ids, city="lon", sort="name")
    names, _ = fetch_all(client, {"city": "lon"}, page_size=4)
    assert names == expected
    assert len(expected) > 12  # London's and Longyearbyen's studios: two keys merged


def test_the_plan_applies_to_a_city_without_centre_or_text(world, settings):
    for params, applies in [
        (SearchParams(city="london"), True),
        (SearchParams(city="london", sort="newest", studio_types=("HOME",)), True),
        (SearchParams(city="london", services=("ISDN",), premium=True), True),
        (SearchParams(city="london", q="booth"), False),
        (SearchParams(city="london", location="London"), False),
        (SearchParams(q="booth"), False),
        (SearchParams(), False),
    ]:
        assert city_plan_applies(params, resolve_centre(params)) is applies, params
    settings.SEARCH_CITY_PLAN = False
    assert city_plan_applies(SearchParams(city="london"), None) is False


def test_city_keys_are_the_substrings_keys_escaped_as_like(world):
    assert set(city_keys(SearchParams(city=" LON "))) == {"london", "longyearbyen"}
    assert city_keys(SearchParams(city="l_ndon")) == []
    assert city_keys(SearchParams(city="%")) == []


def test_too_many_keys_leave_the_search_to_the_general_plan(client, world, monkeypatch):
    spec, ids = world
    monkeypatch.setattr(city_plan, "CITY_PLAN_MAX_KEYS", 1)
    assert city_keys(SearchParams(city="lon")) is None
    expected, _ = oracle(spec, ids, city="lon", sort="name")
    with CaptureQueriesContext(connection) as queries:
        names, _ = fetch_all(client, {"city": "lon"}, page_size=50)
    assert names == expected
    assert not any("studio_search_city_tier" in q["sql"] for q in queries.captured_queries)


def test_a_new_city_is_found_at_once(client, world):
    """The trigger adds a new studio's city key to studio_search_city."""
    from tests.factories import StudioFactory

    studio = StudioFactory(city="Ulan Bator")
    body = client.get("/api/studios/search?" + urlencode({"city": "ulan"})).json()
    assert [r["id"] for r in body["results"]] == [studio.id]
    assert body["count"] == 1
    assert body["count_is_estimate"] is False


def test_a_page_costs_a_bounded_number_of_queries_whatever_the_page(client, world):
    """The keys, a query per tier reached (at most five), the count, the cards."""
    for page in (1, 3, 40):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(
                "/api/studios/search?" + urlencode({"city": "lon", "page": page, "page_size": 3})
            )
        assert response.status_code == 200
        assert any("studio_search_city" in q["sql"] for q in queries.captured_queries)
        assert len(queries.captured_queries) <= 8
