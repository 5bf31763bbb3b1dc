"""Issue 8, item 9: place-name searches cannot use up the geocoder.

Anonymous searches for unknown `location` values used to queue on the shared one-request-
a-second Nominatim slot, each holding its request up to 10 s, and took the budget studio
geocoding needs. Now: a per-client throttle (429), a short wait then 503
`geocoder_unavailable`, cached misses that cost nothing, and a search share of the slot
that leaves the rest to the geocoding tasks. The real geopy client talks to the local fake
Nominatim (tests/fakes/nominatim.py); the slots are real Redis keys.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client

from directory.geocoding import GeocoderUnavailable, geocode
from tests.utils import assert_api_error

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _search_settings(settings, fake_nominatim, one_minute_window):
    settings.GEOCODER_ENABLED = True
    settings.SEARCH_CACHE_SECONDS = 0
    settings.GEOCODER_SEARCH_RATE = "3/minute"
    settings.GEOCODER_SEARCH_MAX_WAIT = 0.5
    settings.GEOCODER_SEARCH_TIMEOUT = 0.5
    settings.GEOCODER_SEARCH_SHARE = 0.5


def _search(location: str, *, ip: str = "203.0.113.7"):
    return Client(REMOTE_ADDR=ip).get("/api/studios/search", {"location": location})


def test_each_client_may_send_only_a_few_lookups_that_need_the_geocoder(fake_nominatim):
    for n in range(3):
        assert_api_error(_search(f"Nowhere {n}"), 400, "invalid")  # no match
    refused = _search("Nowhere 3")
    assert_api_error(refused, 429, "rate_limited")
    assert int(refused["Retry-After"]) >= 1
    assert len(fake_nominatim.searches()) == 3

    # What costs the geocoder nothing stays open: a cached miss, a gazetteer city.
    assert_api_error(_search("Nowhere 0"), 400, "invalid")
    assert _search("London").status_code == 200
    assert len(fake_nominatim.searches()) == 3
    # Another client has its own allowance.
    assert_api_error(_search("Nowhere 3", ip="198.51.100.9"), 400, "invalid")


def test_a_slow_geocoder_costs_a_search_a_short_wait_then_a_clear_error(fake_nominatim):
    fake_nominatim.stall_seconds = 2.0
    started = time.monotonic()
    response = _search("Somewhere Slow")
    assert time.monotonic() - started < 1.8
    assert_api_error(response, 503, "geocoder_unavailable")


def test_searches_wait_briefly_for_the_slot_then_give_up(settings, fake_nominatim):
    settings.GEOCODER_MIN_INTERVAL = 5.0  # the slot, once taken, stays closed for 5 s
    assert_api_error(_search("Nowhere A"), 400, "invalid")
    started = time.monotonic()
    response = _search("Nowhere B", ip="198.51.100.9")
    assert time.monotonic() - started < 1.5
    assert_api_error(response, 503, "geocoder_unavailable")
    assert len(fake_nominatim.searches()) == 1


def test_tasks_keep_their_share_of_the_geocoder(settings, fake_nominatim):
    """Searches take at most GEOCODER_SEARCH_SHARE of the slots: right after one search,
    the next search is refused while a studio geocoding task still gets its turn."""
    settings.GEOCODER_MIN_INTERVAL = 0.2
    settings.GEOCODER_SEARCH_SHARE = 0.25  # one search per 0.8 s
    settings.GEOCODER_SEARCH_MAX_WAIT = 0.1
    assert geocode("1 Nowhere Lane, Atlantis", purpose="search") is None
    time.sleep(0.25)  # the shared slot is open again; the search share is not
    with pytest.raises(GeocoderUnavailable):
        geocode("2 Nowhere Lane, Atlantis", purpose="search")
    assert geocode("10 Downing Street, London").city == "London"  # a task's lookup
    assert len(fake_nominatim.searches()) == 2


@pytest.mark.django_db(transaction=True)
def test_fifteen_parallel_unknown_places_are_bounded(settings, fake_nominatim):
    """The probe of issue 8: one anonymous client, 15 unknown places at once."""
    settings.GEOCODER_SEARCH_RATE = "5/minute"
    settings.GEOCODER_MIN_INTERVAL = 0.2
    fake_nominatim.stall_seconds = 0.3
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=15) as pool:
        responses = list(pool.map(lambda n: _search(f"Unknown place {n}"), range(15)))
    elapsed = time.monotonic() - started

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(429) == 10, statuses
    assert set(statuses) <= {400, 429, 503}, statuses
    assert len(fake_nominatim.searches()) <= 5
    assert elapsed < 6, elapsed  # each at most ~max wait + timeout, not 10 s in a queue
    for response in responses:
        assert_api_error(response, response.status_code, response.json()["error"]["code"])
