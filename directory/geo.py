"""Distances on the sphere, the one way the whole project measures them.

Search works with chords: the straight line through the Earth between two points on a
sphere. A chord length c and the great-circle distance d between the same two points are
tied by d = 2R·asin(c / 2R), which rises strictly with c, so "chord ≤ C" is exactly
"great-circle distance ≤ D" for C = 2R·sin(D / 2R). PostgreSQL's `cube` extension stores
each studio as the 3-D point `ll_to_earth(lat, lng)` and measures chords with
`cube_distance`; the SQLite path computes the same chord in Python (`chord_between`).
Neither has a seam at the antimeridian or a singularity at the poles, because neither ever
looks at a longitude difference.

The scale of `ll_to_earth` (earthdistance's `earth()`, 6,378,168 m) cancels out: chords are
only compared with chords, and turned into miles on a sphere of the mean Earth radius.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# earthdistance's earth(): the radius of the sphere ll_to_earth() puts points on, in metres.
EARTH_CUBE_RADIUS_M = 6378168.0
# The IUGG mean Earth radius, in statute miles: the sphere every distance we show is on.
EARTH_RADIUS_MI = 3958.7613


def chord_for_miles(miles: float) -> float:
    """The chord (in ll_to_earth units) of a great-circle distance in miles."""
    return 2.0 * EARTH_CUBE_RADIUS_M * math.sin(min(miles / EARTH_RADIUS_MI, math.pi) / 2.0)


def miles_for_chord(chord: float) -> float:
    """The great-circle distance in miles of a chord in ll_to_earth units."""
    ratio = min(max(chord / (2.0 * EARTH_CUBE_RADIUS_M), 0.0), 1.0)
    return 2.0 * EARTH_RADIUS_MI * math.asin(ratio)


def earth_point(lat: float, lng: float) -> tuple[float, float, float]:
    """ll_to_earth(lat, lng), computed exactly as earthdistance does it."""
    r = EARTH_CUBE_RADIUS_M
    lat_r, lng_r = math.radians(lat), math.radians(lng)
    return (
        r * math.cos(lat_r) * math.cos(lng_r),
        r * math.cos(lat_r) * math.sin(lng_r),
        r * math.sin(lat_r),
    )


def chord_between(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """cube_distance(ll_to_earth(lat1, lng1), ll_to_earth(lat2, lng2))."""
    a, b = earth_point(lat1, lng1), earth_point(lat2, lng2)
    return math.sqrt((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2)


def great_circle_miles(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    return miles_for_chord(chord_between(lat1, lng1, lat2, lng2))


@dataclass(frozen=True)
class LatLngBox:
    """A latitude/longitude rectangle; west > east means it crosses the antimeridian."""

    south: float
    west: float
    north: float
    east: float

    @property
    def crosses_antimeridian(self) -> bool:
        return self.west > self.east

    def longitude_ranges(self) -> list[tuple[float, float]]:
        if self.crosses_antimeridian:
            return [(self.west, 180.0), (-180.0, self.east)]
        return [(self.west, self.east)]

    def contains(self, lat: float, lng: float) -> bool:
        return self.south <= lat <= self.north and any(
            lo <= lng <= hi for lo, hi in self.longitude_ranges()
        )

    def centre(self) -> tuple[float, float]:
        width = (
            (self.east - self.west) % 360.0
            if self.crosses_antimeridian
            else (self.east - self.west)
        )
        lng = self.west + width / 2.0
        if lng > 180.0:
            lng -= 360.0
        return (self.south + self.north) / 2.0, lng

    def bounding_cube(self) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
        """The smallest axis-aligned 3-D box (ll_to_earth units) holding the rectangle.

        x = R·cosφ·cosλ, y = R·cosφ·sinλ, z = R·sinφ; each coordinate's extremes over the
        rectangle lie at its corners or where the rectangle crosses φ = 0 or λ = 0, ±90°, 180°.
        """
        r = EARTH_CUBE_RADIUS_M
        lats = [self.south, self.north] + ([0.0] if self.south < 0.0 < self.north else [])
        lngs: list[float] = []
        for lo, hi in self.longitude_ranges():
            lngs += [lo, hi] + [c for c in (-180.0, -90.0, 0.0, 90.0, 180.0) if lo < c < hi]
        cos_lats = [math.cos(math.radians(v)) for v in lats]
        xs, ys = [], []
        for lng in lngs:
            c, s = math.cos(math.radians(lng)), math.sin(math.radians(lng))
            xs += [r * k * c for k in cos_lats]
            ys += [r * k * s for k in cos_lats]
        zs = [r * math.sin(math.radians(v)) for v in (self.south, self.north)]
        pad = 1e-6 * r  # float noise: never cut a point on the edge
        return (
            (min(xs) - pad, min(ys) - pad, min(zs) - pad),
            (max(xs) + pad, max(ys) + pad, max(zs) + pad),
        )


def cap_boxes(lat: float, lng: float, miles: float) -> list[LatLngBox]:
    """Latitude/longitude rectangles that together cover the spherical cap of `miles`.

    For the SQLite path, which has no 3-D index: a cheap prefilter before the exact chord.
    The longitude half-width of a cap of angular radius δ centred at latitude φ is
    asin(sin δ / cos φ) (where the cap does not reach a pole); near a pole every longitude.
    """
    delta = min(miles / EARTH_RADIUS_MI, math.pi)
    delta_deg = math.degrees(delta)
    pad = 1e-9
    south, north = lat - delta_deg - pad, lat + delta_deg + pad
    if north >= 90.0 or south <= -90.0:
        return [LatLngBox(max(south, -90.0), -180.0, min(north, 90.0), 180.0)]
    half = math.degrees(math.asin(min(1.0, math.sin(delta) / math.cos(math.radians(lat))))) + pad
    if half >= 180.0:
        return [LatLngBox(south, -180.0, north, 180.0)]
    west, east = lng - half, lng + half
    if west < -180.0:
        return [LatLngBox(south, west + 360.0, north, 180.0), LatLngBox(south, -180.0, north, east)]
    if east > 180.0:
        return [LatLngBox(south, west, north, 180.0), LatLngBox(south, -180.0, north, east - 360.0)]
    return [LatLngBox(south, west, north, east)]
