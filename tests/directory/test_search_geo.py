"""directory.geo: chords, caps and boxes on the sphere."""

from __future__ import annotations

import math
import random

import pytest

from directory.geo import (
    EARTH_RADIUS_MI,
    LatLngBox,
    cap_boxes,
    chord_for_miles,
    earth_point,
    great_circle_miles,
    miles_for_chord,
)
from tests.directory.search_data import destination


def haversine_miles(lat1, lng1, lat2, lng2):
    """An independent great-circle distance: the haversine formula."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MI * math.asin(math.sqrt(a))


@pytest.mark.parametrize("miles", [0.001, 1, 10, 25, 50, 100, 250, 500, 5000, 12000])
def test_chord_and_miles_are_inverse(miles):
    assert miles_for_chord(chord_for_miles(miles)) == pytest.approx(miles, rel=1e-12)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ((-18.14161, 178.44149), (-16.85, -179.95)),  # Suva → Taveuni, across 180°
        ((69.6489, 18.95508), (78.22334, 15.64689)),  # Tromsø → Longyearbyen
        ((89.9, 0.0), (89.9, 180.0)),  # over the pole
        ((51.50853, -0.12574), (40.71427, -74.00597)),
    ],
)
def test_great_circle_agrees_with_haversine(a, b):
    assert great_circle_miles(*a, *b) == pytest.approx(haversine_miles(*a, *b), rel=1e-9)


def test_cap_boxes_cover_the_whole_cap_everywhere():
    rnd = random.Random(3)
    for _ in range(3000):
        lat, lng = rnd.uniform(-89.9, 89.9), rnd.uniform(-180, 180)
        miles = rnd.choice([1, 10, 25, 50, 100, 250, 500])
        boxes = cap_boxes(lat, lng, miles)
        plat, plng = destination(lat, lng, miles * rnd.uniform(0, 0.999999), rnd.uniform(0, 6.3))
        assert any(box.contains(plat, plng) for box in boxes), (lat, lng, miles, plat, plng)


def test_cap_near_the_pole_takes_every_longitude():
    (box,) = cap_boxes(89.5, 10.0, 100)
    assert (box.west, box.east, box.north) == (-180.0, 180.0, 90.0)


def test_bounding_cube_holds_every_point_of_the_box():
    rnd = random.Random(5)
    for _ in range(500):
        south = rnd.uniform(-90, 89)
        north = rnd.uniform(south, 90)
        west, east = rnd.uniform(-180, 180), rnd.uniform(-180, 180)
        box = LatLngBox(south, west, north, east)
        low, high = box.bounding_cube()
        for _ in range(30):
            lat = rnd.uniform(south, north)
            lo, hi = rnd.choice(box.longitude_ranges())
            point = earth_point(lat, rnd.uniform(lo, hi))
            assert all(low[i] <= point[i] <= high[i] for i in range(3)), (box, lat)


def test_box_across_the_antimeridian():
    box = LatLngBox(south=-20, west=175, north=-10, east=-175)
    assert box.crosses_antimeridian
    assert box.contains(-18, 179.9)
    assert box.contains(-18, -179.9)
    assert not box.contains(-18, 0)
    assert box.centre() == (-15.0, 180.0)
