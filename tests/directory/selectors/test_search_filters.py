"""Applying filters: each filter, and the radius against an independent great-circle sum."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from directory.models import Studio
from directory.search_filters import validate_search_filters
from directory.selectors.search_filters import (
    Centre,
    apply_search_filters,
    gazetteer_city,
    resolve_centre,
)
from tests.factories import (
    StudioFactory,
    StudioImageFactory,
    StudioServiceFactory,
    StudioTypeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CITIES = {  # real coordinates
    "London": (51.5074, -0.1278),
    "Reading": (51.4543, -0.9781),  # ~36 mi from London
    "Birmingham": (52.4862, -1.8904),  # ~101 mi
    "Suva": (-18.1416, 178.4419),
    "Taveuni": (-16.85, -179.95),  # across the antimeridian from Suva, ~130 mi
    "Tromsø": (69.6496, 18.9560),
    "Hammerfest": (70.6634, 23.6821),  # above the Arctic circle, ~130 mi from Tromsø
}


def _haversine_miles(a, b) -> float:
    (lat1, lng1), (lat2, lng2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 3958.7613 * math.asin(math.sqrt(h))


def _ids(filters, centre=None):
    queryset = apply_search_filters(
        Studio.objects.all(), validate_search_filters(filters), centre=centre
    )
    return set(queryset.values_list("pk", flat=True))


@pytest.fixture
def studios():
    return {
        name: StudioFactory(
            name=f"{name} booth", city=name, latitude=Decimal(str(lat)), longitude=Decimal(str(lng))
        )
        for name, (lat, lng) in CITIES.items()
    }


@pytest.mark.parametrize(
    ("origin", "radius"), [(o, r) for o in CITIES for r in (10, 50, 100, 250, 500)]
)
def test_radius_agrees_with_great_circle_distance(studios, origin, radius):
    lat, lng = CITIES[origin]
    expected = {
        studios[name].pk
        for name, point in CITIES.items()
        if _haversine_miles((lat, lng), point) <= radius
    }
    assert _ids({"lat": lat, "lng": lng, "radius": radius}, Centre(lat, lng)) == expected


def test_across_the_antimeridian_and_in_the_arctic(studios):
    suva, tromso = CITIES["Suva"], CITIES["Tromsø"]
    assert studios["Taveuni"].pk in _ids(
        {"lat": suva[0], "lng": suva[1], "radius": 250}, Centre(*suva)
    )
    assert studios["Hammerfest"].pk in _ids(
        {"lat": tromso[0], "lng": tromso[1], "radius": 250}, Centre(*tromso)
    )


def test_studios_without_coordinates_fall_back_to_the_city(studios):
    unplaced = StudioFactory(city="london", latitude=None, longitude=None)
    elsewhere = StudioFactory(city="Leeds", latitude=None, longitude=None)
    centre = Centre(*CITIES["London"], city="London")
    found = _ids({"location": "London", "radius": 10}, centre)
    assert unplaced.pk in found
    assert elsewhere.pk not in found
    assert studios["London"].pk in found


def test_each_filter():
    home = StudioFactory(name="Attic Booth", description="quiet", is_verified=True)
    StudioTypeFactory(studio=home, studio_type="HOME")
    StudioServiceFactory(studio=home, service="ZOOM")
    StudioImageFactory(studio=home)
    pro = StudioFactory(
        name="Big Room",
        city="Leeds",
        is_premium=True,
        owner=UserFactory(display_name="Ada Lovelace"),
    )
    StudioTypeFactory(studio=pro, studio_type="RECORDING")

    assert _ids({"q": "attic"}) == {home.pk}
    assert _ids({"q": "lovelace"}) == {pro.pk}
    assert _ids({"studio_types": "HOME,PODCAST"}) == {home.pk}
    assert _ids({"services": "ZOOM"}) == {home.pk}
    assert _ids({"city": "LEEDS"}) == {pro.pk}
    assert _ids({"verified": True}) == {home.pk}
    assert _ids({"premium": True}) == {pro.pk}
    assert _ids({"has_images": True}) == {home.pk}
    assert _ids({"has_images": False}) == {pro.pk}


def test_a_place_name_resolves_through_the_gazetteer_offline():
    centre = gazetteer_city("Los Angeles, CA")
    assert centre.city == "Los Angeles"
    assert round(centre.lat, 1) == 34.1
    assert round(centre.lng, 1) == -118.2
    assert gazetteer_city("tromso").city == "Tromsø"
    assert resolve_centre({"lat": 1.0, "lng": 2.0}) == Centre(1.0, 2.0)


def test_an_unknown_place_asks_the_geocoder(fake_nominatim):
    centre = resolve_centre({"location": "10 Downing Street, London"})
    assert centre.city == "London"
    assert len(fake_nominatim.searches()) == 1
