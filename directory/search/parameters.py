"""Search parameters: the validated question, its centre, the offered radii and sorts.

Pure values (no queries) except resolve_centre(), which asks the gazetteer or the geocoder
for a place name (directory.selectors.places).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from dataclasses import fields as dataclass_fields
from typing import Any

from django.conf import settings
from django.utils import timezone

from common.pagination import DEFAULT_PAGE_SIZE

from ..geo import chord_for_miles
from ..selectors.places import nearest_city_name, resolve_place
from .sqlite import fold_case

SORTS = ("relevance", "distance", "name", "newest", "rating")
OFFERED_RADII_MI = (10, 25, 50, 100, 250, 500)
MIN_RADIUS_MI, MAX_RADIUS_MI = 1, 500
DEFAULT_RADIUS_MI = 50
# A centre given as bare coordinates borrows the name of the nearest gazetteer city within
# this distance for the "studios without coordinates" fallback.
FALLBACK_CITY_MAX_MI = 25


class LocationNotFound(Exception):
    """The `location` names no place the gazetteer or the geocoder knows."""


@dataclass(frozen=True)
class SearchParams:
    """Validated search parameters (directory.search.serializers.SearchParamsSerializer).

    The same object describes a saved search's filters (without page and page_size).
    """

    q: str = ""
    studio_types: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    city: str = ""
    lat: float | None = None
    lng: float | None = None
    radius: float | None = None
    location: str = ""
    verified: bool | None = None
    premium: bool | None = None
    has_images: bool | None = None
    sort: str | None = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    @property
    def has_centre(self) -> bool:
        return bool(self.location) or self.lat is not None

    @property
    def effective_sort(self) -> str:
        if self.sort:
            return self.sort
        if self.q:
            return "relevance"
        if self.has_centre:
            return "distance"
        return "name"

    @classmethod
    def from_filters(cls, filters: dict[str, Any]) -> SearchParams:
        """A saved search's stored filters (directory.search.filters.validate_search_filters
        output: JSON lists for the multi-valued ones) as parameters for page one."""
        names = {f.name for f in dataclass_fields(cls)} - {"page", "page_size"}
        return cls(
            **{
                key: tuple(value) if isinstance(value, list) else value
                for key, value in filters.items()
                if key in names
            }
        )

    def filters(self) -> dict[str, Any]:
        """The normalised filters, without paging: cache keys and saved searches use this."""
        data = asdict(self)
        data.pop("page")
        data.pop("page_size")
        data["sort"] = self.effective_sort
        data["q"] = " ".join(self.q.split())
        data["city"] = fold_case(" ".join(self.city.split()))
        data["location"] = " ".join(self.location.split()).casefold()
        data["studio_types"] = sorted(self.studio_types)
        data["services"] = sorted(self.services)
        if self.has_centre and self.radius is None:
            data["radius"] = float(DEFAULT_RADIUS_MI)
        return {key: value for key, value in data.items() if value not in ("", [], None)}


@dataclass(frozen=True)
class Centre:
    lat: float
    lng: float
    radius_mi: float
    # Lower-cased city that studios without coordinates must have to be included.
    fallback_city_key: str | None

    @property
    def chord(self) -> float:
        return chord_for_miles(self.radius_mi)


def resolve_centre(params: SearchParams) -> Centre | None:
    """The centre of a radius search, or None. Raises LocationNotFound for unknown places."""
    radius = float(params.radius if params.radius is not None else DEFAULT_RADIUS_MI)
    if params.location:
        place = resolve_place(params.location)
        if place is None:
            raise LocationNotFound(params.location)
        return Centre(place.latitude, place.longitude, radius, fold_case(place.name))
    if params.lat is None or params.lng is None:
        return None
    city = nearest_city_name(params.lat, params.lng, min(radius, FALLBACK_CITY_MAX_MI))
    return Centre(params.lat, params.lng, radius, fold_case(city) if city else None)


def rotation_seed(day: dt.date | None = None) -> str:
    """Premium studios' order for a day: md5(id || seed) sorts them, a new seed each day."""
    day = day or timezone.now().date()
    return f"{settings.SEARCH_ROTATION_SALT}:{day.isoformat()}"
