"""Radius and box filters as ORM expressions: the GiST-indexed 3-D earth point on
PostgreSQL (earthdistance), a latitude/longitude box and sf_chord() on SQLite."""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, F, FloatField, Func, Q, Value

from ..geo import LatLngBox, cap_boxes
from .parameters import Centre


class EarthPoint(Func):
    function = "ll_to_earth"
    output_field = FloatField()  # a cube; never loaded into Python


class _CubeDistance(Func):
    function = "cube_distance"
    output_field = FloatField()


class _EarthPointIn(Func):
    """`<cube> @> ll_to_earth(latitude, longitude)`: the test the GiST index answers."""

    output_field = BooleanField()

    def __init__(self, cube_sql: str, cube_params: list[float]) -> None:
        super().__init__(F("latitude"), F("longitude"))
        self.cube_sql, self.cube_params = cube_sql, cube_params

    def as_sql(self, compiler, connection, **extra):
        (lat_sql, lat_params), (lng_sql, lng_params) = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        return (
            f"{self.cube_sql} @> ll_to_earth({lat_sql}, {lng_sql})",
            [*self.cube_params, *lat_params, *lng_params],
        )


def in_earth_box(centre: Centre) -> _EarthPointIn:
    return _EarthPointIn(
        "cube_enlarge(ll_to_earth(%s, %s), %s, 3)", [centre.lat, centre.lng, centre.chord]
    )


def in_cube(box: LatLngBox) -> _EarthPointIn:
    (x1, y1, z1), (x2, y2, z2) = box.bounding_cube()
    return _EarthPointIn(
        "cube(ARRAY[%s, %s, %s]::float8[], ARRAY[%s, %s, %s]::float8[])", [x1, y1, z1, x2, y2, z2]
    )


class _SqliteChord(Func):
    function = "sf_chord"
    output_field = FloatField()


def chord_expression(centre: Centre):
    if connection.vendor == "postgresql":
        return _CubeDistance(
            EarthPoint(Value(centre.lat), Value(centre.lng)),
            EarthPoint(F("latitude"), F("longitude")),
        )
    return _SqliteChord(F("latitude"), F("longitude"), Value(centre.lat), Value(centre.lng))


def radius_q(centre: Centre) -> Q:
    within = Q(latitude__isnull=False, chord__lte=centre.chord)
    if connection.vendor == "postgresql":
        within &= Q(in_earth_box(centre))
    else:
        boxes = Q()
        for box in cap_boxes(centre.lat, centre.lng, centre.radius_mi):
            boxes |= box_q(box)
        within &= boxes
    if centre.fallback_city_key:
        within |= Q(latitude__isnull=True, city_key=centre.fallback_city_key)
    return within


def box_q(box: LatLngBox) -> Q:
    by_lng = Q()
    for west, east in box.longitude_ranges():
        by_lng |= Q(longitude__gte=west, longitude__lte=east)
    return Q(latitude__gte=box.south, latitude__lte=box.north) & by_lng
