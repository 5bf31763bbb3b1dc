"""studio_geocode: what it stores for each answer, and that it never stores a stale one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from directory.geocoding import GeocoderUnavailable
from directory.models import Studio
from directory.services.geocoding import GeocodeOutcome, studio_geocode
from tests.factories import StudioFactory

pytestmark = pytest.mark.django_db


def test_a_found_address_stores_coordinates_and_city(
    fake_nominatim, django_capture_on_commit_callbacks
):
    studio = StudioFactory(full_address="10 Downing Street, London", city="Somewhere")

    with django_capture_on_commit_callbacks(execute=True):
        assert studio_geocode(studio_id=studio.pk) == GeocodeOutcome.LOCATED

    studio.refresh_from_db()
    assert studio.latitude == Decimal("51.50344025")
    assert studio.longitude == Decimal("-0.12770821")
    assert studio.city == "London"


def test_no_match_empties_the_coordinates_and_keeps_the_city(fake_nominatim):
    studio = StudioFactory(
        full_address="1 Nowhere Lane, Atlantis",
        city="Atlantis",
        latitude=Decimal("51.5"),
        longitude=Decimal("-0.1"),
    )

    assert studio_geocode(studio_id=studio.pk) == GeocodeOutcome.NO_MATCH

    studio.refresh_from_db()
    assert (studio.latitude, studio.longitude, studio.city) == (None, None, "Atlantis")


def test_no_address_empties_the_coordinates_without_asking(fake_nominatim):
    studio = StudioFactory(full_address="", latitude=Decimal("51.5"), longitude=Decimal("-0.1"))

    assert studio_geocode(studio_id=studio.pk) == GeocodeOutcome.NO_ADDRESS

    studio.refresh_from_db()
    assert studio.latitude is None
    assert fake_nominatim.searches() == []


def test_an_answer_for_an_old_address_is_dropped(fake_nominatim, monkeypatch):
    """The owner saved a new address while the old one was being geocoded."""
    studio = StudioFactory(full_address="10 Downing Street, London")
    from directory.services import geocoding as service

    real_geocode = service.geocode

    def geocode_then_owner_edits(address):
        result = real_geocode(address)
        Studio.objects.filter(pk=studio.pk).update(full_address="Storgata 1, Tromsø")
        return result

    monkeypatch.setattr(service, "geocode", geocode_then_owner_edits)

    assert studio_geocode(studio_id=studio.pk) == GeocodeOutcome.STALE
    studio.refresh_from_db()
    assert studio.latitude is None


def test_a_deleted_studio_is_nothing_to_do(fake_nominatim):
    assert studio_geocode(studio_id=987654321) == GeocodeOutcome.MISSING


def test_a_geocoder_error_leaves_the_studio_alone(fake_nominatim):
    studio = StudioFactory(
        full_address="10 Downing Street, London", latitude=Decimal("1"), longitude=Decimal("2")
    )
    fake_nominatim.fail_next(503)

    with pytest.raises(GeocoderUnavailable):
        studio_geocode(studio_id=studio.pk)

    studio.refresh_from_db()
    assert (studio.latitude, studio.longitude) == (Decimal("1"), Decimal("2"))
