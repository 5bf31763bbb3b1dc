"""The geocoder adapter: the real geopy Nominatim client against the local fake."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from directory.geocoding import GeocoderRejected, GeocoderUnavailable, geocode
from tests.fakes.nominatim import FakeNominatim, start


def test_a_match_gives_coordinates_and_city_and_identifies_us(fake_nominatim):
    result = geocode("10 Downing Street, London")

    assert result.latitude == Decimal("51.50344025")
    assert result.longitude == Decimal("-0.12770821")  # rounded to the column's 8 places
    assert result.city == "London"
    (request,) = fake_nominatim.searches()
    assert request.user_agent == "StudioFinderTests/1.0 (tests@example.com)"
    assert request.params["q"] == "10 Downing Street, London"
    assert request.params["format"] == "json"
    assert request.params["addressdetails"] == "1"
    assert request.params["limit"] == "1"


def test_a_town_stands_in_for_a_city(fake_nominatim):
    assert geocode("Storgata 1, Tromsø").city == "Tromsø"


def test_answers_are_cached_whatever_the_spacing_or_case(fake_nominatim):
    first = geocode("10 Downing Street, London")
    again = geocode("  10 downing street,   LONDON ")

    assert again == first
    assert len(fake_nominatim.searches()) == 1


def test_no_match_is_none_and_cached_too(fake_nominatim):
    assert geocode("1 Nowhere Lane, Atlantis") is None
    assert geocode("1 Nowhere Lane, Atlantis") is None
    assert len(fake_nominatim.searches()) == 1


def test_an_empty_address_asks_nobody(fake_nominatim):
    assert geocode("   ") is None
    assert fake_nominatim.searches() == []


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_server_errors_are_retryable_and_not_cached(fake_nominatim, status):
    fake_nominatim.fail_next(status)
    with pytest.raises(GeocoderUnavailable):
        geocode("10 Downing Street, London")

    assert geocode("10 Downing Street, London").city == "London"
    assert len(fake_nominatim.searches()) == 2


def test_a_refusal_of_our_client_is_not_retryable(fake_nominatim):
    fake_nominatim.fail_next(403)
    with pytest.raises(GeocoderRejected):
        geocode("10 Downing Street, London")


def test_a_slow_answer_times_out(fake_nominatim, settings):
    settings.GEOCODER_TIMEOUT = 0.3
    fake_nominatim.stall_seconds = 1.0
    with pytest.raises(GeocoderUnavailable):
        geocode("10 Downing Street, London")


def test_a_geocoder_that_is_down_is_retryable(settings):
    fake = FakeNominatim()
    server = start(fake)
    server.shutdown()
    server.server_close()  # nothing listens on that port any more
    settings.GEOCODER_NOMINATIM_URL = fake.url
    settings.GEOCODER_MIN_INTERVAL = 0
    with pytest.raises(GeocoderUnavailable):
        geocode("10 Downing Street, London")


def test_requests_are_spaced_by_the_minimum_interval(fake_nominatim, settings):
    settings.GEOCODER_MIN_INTERVAL = 0.3
    for address in ("10 Downing Street, London", "Storgata 1, Tromsø", "Victoria Parade, Suva"):
        geocode(address)

    arrivals = [request.at for request in fake_nominatim.searches()]
    assert len(arrivals) == 3
    assert all(b - a >= 0.28 for a, b in itertools.pairwise(arrivals)), arrivals
