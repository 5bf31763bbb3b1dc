"""Map markers: listed studios inside a box, nearest its centre first, capped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import F, FloatField, Func, Value

from ..geo import LatLngBox
from .parameters import MAX_RADIUS_MI, Centre, SearchParams
from .plans import general_queryset
from .spatial import EarthPoint, box_q, chord_expression, in_cube


@dataclass
class MapMarkers:
    results: list[dict[str, Any]]
    truncated: bool


def map_markers(box: LatLngBox, params: SearchParams, *, limit: int) -> MapMarkers:
    """Listed studios with coordinates inside the box, nearest its centre first, capped.

    On PostgreSQL the GiST index walks outwards from the centre (KNN on the 3-D point)
    inside the box's bounding cube, so a world-sized box stops after `limit` rows.
    """
    lat, lng = box.centre()
    qs = general_queryset(params, None).filter(latitude__isnull=False).filter(box_q(box))
    centre = Centre(lat, lng, MAX_RADIUS_MI, None)
    if connection.vendor == "postgresql":
        qs = qs.filter(in_cube(box))
    qs = qs.annotate(chord=chord_expression(centre))
    if connection.vendor == "postgresql":
        qs = qs.annotate(
            knn=Func(
                EarthPoint(F("latitude"), F("longitude")),
                EarthPoint(Value(lat), Value(lng)),
                template="%(expressions)s",
                arg_joiner=" <-> ",
                output_field=FloatField(),
            )
        ).order_by("knn", "studio_id")
    else:
        qs = qs.order_by("chord", "studio_id")
    rows = list(
        qs.values(
            "studio_id",
            "studio__name",
            "latitude",
            "longitude",
            "is_premium",
            "studio__owner__profile__show_address",
            "studio__owner__profile__use_coordinates_for_map",
        )[: limit + 1]
    )
    markers = []
    for row in rows[:limit]:
        exact = bool(
            row["studio__owner__profile__show_address"]
            or row["studio__owner__profile__use_coordinates_for_map"]
        )
        markers.append(
            {
                "id": row["studio_id"],
                "name": row["studio__name"],
                "lat": row["latitude"] if exact else round(row["latitude"], 2),
                "lng": row["longitude"] if exact else round(row["longitude"], 2),
                "exact": exact,
                "premium": row["is_premium"],
            }
        )
    return MapMarkers(results=markers, truncated=len(rows) > limit)
