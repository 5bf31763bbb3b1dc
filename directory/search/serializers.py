"""Search parameters in, result cards out.

`SearchParamsSerializer` is the one validator of search parameters: the search and map
endpoints use it, and saved searches validate their filters with it
(`SearchParamsSerializer(data=filters)` then `.to_params()`). Feed it a plain dict
(`request.query_params.dict()`), not a QueryDict: with a QueryDict DRF reads a missing
boolean as False.
"""

from __future__ import annotations

import math
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.pagination import PageFilterSerializer, PageSerializer
from common.serializers import FlatFieldsSerializer

from ..geo import LatLngBox
from ..models import ServiceType, StudioType
from . import bits as search_bits
from .parameters import (
    DEFAULT_RADIUS_MI,
    MAX_RADIUS_MI,
    MIN_RADIUS_MI,
    OFFERED_RADII_MI,
    SORTS,
    SearchParams,
)


class CommaListField(serializers.Field):
    """`HOME,RECORDING` (or a JSON list) → a sorted tuple of known choice values."""

    default_error_messages = {
        "invalid": "Give a comma-separated list.",
        "unknown": "Unknown value(s): {unknown}. Choose from: {choices}.",
    }

    def __init__(self, *, choices: list[str], **kwargs: Any) -> None:
        self.choices = list(choices)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> tuple[str, ...]:
        if isinstance(data, str):
            items = data.split(",")
        elif isinstance(data, list | tuple):
            items = data
        else:
            self.fail("invalid")
        values = {str(item).strip().upper() for item in items if str(item).strip()}
        unknown = sorted(v for v in values if v not in self.choices)
        if unknown:
            self.fail("unknown", unknown=", ".join(unknown), choices=", ".join(self.choices))
        return tuple(sorted(values))

    def to_representation(self, value: Any) -> list[str]:
        return list(value)


class FiniteFloatField(serializers.FloatField):
    default_error_messages = {"finite": "A finite number is required."}

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, str) and len(data) > 64:
            self.fail("invalid")
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("finite")
        return value


@extend_schema_field({"type": "string", "example": "HOME,RECORDING"})
class StudioTypesField(CommaListField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=StudioType.values, **kwargs)


@extend_schema_field({"type": "string", "example": "SOURCE_CONNECT,ISDN"})
class ServicesField(CommaListField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ServiceType.values, **kwargs)


class SearchFiltersSerializer(FlatFieldsSerializer):
    """The filters shared by the search, the map and saved searches."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    studio_types = StudioTypesField(
        required=False, help_text="Comma list; a studio matches if it has any of them."
    )
    services = ServicesField(
        required=False, help_text="Comma list; a studio matches if it offers any of them."
    )
    city = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Case-insensitive; contains."
    )
    verified = serializers.BooleanField(required=False, allow_null=True)
    premium = serializers.BooleanField(required=False, allow_null=True)
    has_images = serializers.BooleanField(required=False, allow_null=True)


class SearchParamsSerializer(SearchFiltersSerializer, PageFilterSerializer):
    lat = FiniteFloatField(required=False, min_value=-90, max_value=90)
    lng = FiniteFloatField(required=False, min_value=-180, max_value=180)
    radius = FiniteFloatField(
        required=False,
        min_value=MIN_RADIUS_MI,
        max_value=MAX_RADIUS_MI,
        help_text=(
            f"Miles, {MIN_RADIUS_MI}–{MAX_RADIUS_MI} (the UI offers "
            f"{', '.join(map(str, OFFERED_RADII_MI))}); default {DEFAULT_RADIUS_MI}."
        ),
    )
    location = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="A place name, e.g. 'Leeds' or 'Portland, OR'; instead of lat/lng.",
    )
    sort = serializers.ChoiceField(
        choices=SORTS,
        required=False,
        help_text="Default: relevance with q, else distance with a centre, else name.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, str] = {}
        has_lat, has_lng = attrs.get("lat") is not None, attrs.get("lng") is not None
        if has_lat != has_lng:
            errors["lng" if has_lat else "lat"] = "Give lat and lng together."
        if attrs.get("location") and (has_lat or has_lng):
            errors["location"] = "Give either a location or lat/lng, not both."
        has_centre = bool(attrs.get("location")) or (has_lat and has_lng)
        if attrs.get("radius") is not None and not has_centre:
            errors["radius"] = "A radius needs a centre: lat and lng, or a location."
        sort = attrs.get("sort")
        if sort == "distance" and not has_centre:
            errors["sort"] = "Sorting by distance needs a centre: lat and lng, or a location."
        if sort == "relevance" and not (attrs.get("q") or "").strip():
            errors["sort"] = "Sorting by relevance needs a text query (q)."
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def to_params(self) -> SearchParams:
        data = dict(self.validated_data)
        for text in ("q", "city", "location"):
            data[text] = (data.get(text) or "").strip()
        return SearchParams(**data)


class MapParamsSerializer(SearchFiltersSerializer):
    bbox = serializers.CharField(
        max_length=200,
        help_text="west,south,east,north in degrees; west > east crosses the antimeridian.",
    )

    def validate_bbox(self, value: str) -> LatLngBox:
        parts = value.split(",")
        if len(parts) != 4:
            raise serializers.ValidationError("Give four numbers: west,south,east,north.")
        try:
            west, south, east, north = (float(p) for p in parts)
        except ValueError:
            raise serializers.ValidationError("Give four numbers: west,south,east,north.") from None
        if not all(math.isfinite(v) for v in (west, south, east, north)):
            raise serializers.ValidationError("The numbers must be finite.")
        if not (-180 <= west <= 180 and -180 <= east <= 180):
            raise serializers.ValidationError("Longitudes must lie within -180..180.")
        if not (-90 <= south <= 90 and -90 <= north <= 90):
            raise serializers.ValidationError("Latitudes must lie within -90..90.")
        if south > north:
            raise serializers.ValidationError("South must not lie north of north.")
        return LatLngBox(south=south, west=west, north=north, east=east)

    def to_params(self) -> SearchParams:
        data = {k: v for k, v in self.validated_data.items() if k != "bbox"}
        for text in ("q", "city"):
            data[text] = (data.get(text) or "").strip()
        return SearchParams(**data)


# --- Output ------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    """A CharField's output: None stays None."""
    return None if value is None else str(value)


class OwnerSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    avatar_url = serializers.CharField(allow_null=True)


class CoordinatesSerializer(serializers.Serializer):
    lat = serializers.FloatField()
    lng = serializers.FloatField()


class ImageSerializer(serializers.Serializer):
    url = serializers.CharField()
    alt_text = serializers.CharField(allow_null=True)


class StudioCardSerializer(serializers.Serializer):
    """One search result (also the featured list): a directory.search.cards.StudioCard."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    owner = OwnerSerializer()
    short_about = serializers.SerializerMethodField()
    city = serializers.CharField()
    abbreviated_address = serializers.CharField(allow_null=True)
    distance = serializers.SerializerMethodField(
        help_text="Great-circle miles from the centre; null without a centre or coordinates."
    )
    coordinates = serializers.SerializerMethodField(
        help_text="Only where the owner's map settings allow (use_coordinates_for_map or "
        "show_address); null otherwise."
    )
    types = serializers.SerializerMethodField()
    services = serializers.SerializerMethodField()
    first_image = serializers.SerializerMethodField()
    review_count = serializers.SerializerMethodField()
    average_rating = serializers.SerializerMethodField()
    is_premium = serializers.BooleanField()
    is_verified = serializers.BooleanField()

    def to_representation(self, card) -> dict[str, Any]:
        """What the declared fields give, written out: DRF's walk over them (a copy of every
        field per serializer, a lookup and a conversion per attribute) took about half a
        millisecond for a search's 20 cards. The fields stay declared for the schema;
        tests/directory/test_search_serializers.py checks this against DRF's walk."""
        owner = card.owner
        return {
            "id": card.id,
            "name": _text(card.name),
            "owner": {
                "username": _text(owner.username),
                "display_name": _text(owner.display_name),
                "avatar_url": _text(owner.avatar_url),
            },
            "short_about": self.get_short_about(card),
            "city": _text(card.city),
            "abbreviated_address": _text(card.abbreviated_address),
            "distance": self.get_distance(card),
            "coordinates": self.get_coordinates(card),
            "types": self.get_types(card),
            "services": self.get_services(card),
            "first_image": self.get_first_image(card),
            "review_count": self.get_review_count(card),
            "average_rating": self.get_average_rating(card),
            "is_premium": bool(card.is_premium),
            "is_verified": bool(card.is_verified),
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_short_about(self, card) -> str | None:
        return card.short_about

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_distance(self, card) -> float | None:
        return card.distance_mi

    @extend_schema_field(CoordinatesSerializer(allow_null=True))
    def get_coordinates(self, card) -> dict | None:
        if card.latitude is None or not card.coordinates_public:
            return None
        return {"lat": card.latitude, "lng": card.longitude}

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(StudioType.values)))
    def get_types(self, card) -> list[str]:
        return search_bits.types_of(card.type_mask)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(ServiceType.values)))
    def get_services(self, card) -> list[str]:
        return search_bits.services_of(card.service_mask)

    @extend_schema_field(ImageSerializer(allow_null=True))
    def get_first_image(self, card) -> dict | None:
        if not card.first_image_url:
            return None
        return {"url": card.first_image_url, "alt_text": card.first_image_alt}

    @extend_schema_field(OpenApiTypes.INT)
    def get_review_count(self, card) -> int:
        return card.review_count

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_average_rating(self, card) -> float | None:
        return None if card.rating_avg is None else round(card.rating_avg, 2)


class SearchPageSerializer(PageSerializer):
    count = serializers.IntegerField(
        help_text="The number of matches; an estimate when count_is_estimate is true."
    )
    count_is_estimate = serializers.BooleanField(
        help_text="True when `count` is extrapolated from a sample of the studios rather "
        "than counted: past SEARCH_EXACT_COUNT_LIMIT (2,000) matches, or, with a filter, in a "
        "circle past SEARCH_EXACT_COUNT_SCAN_LIMIT (4,000) studios (docs/search.md)."
    )
    results = StudioCardSerializer(many=True)

    def to_representation(self, page) -> dict[str, Any]:
        """Written out, as StudioCardSerializer's (DRF's walk would copy every card field)."""
        card = StudioCardSerializer()
        return {
            "count": page.count,
            "page": page.page,
            "page_size": page.page_size,
            "count_is_estimate": bool(page.count_is_estimate),
            "results": [card.to_representation(result) for result in page.results],
        }


class MapMarkerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    exact = serializers.BooleanField(
        help_text="False: the owner keeps the address private, so lat/lng are rounded to "
        "0.01° (about 1 km)."
    )
    premium = serializers.BooleanField()


class MapMarkersSerializer(serializers.Serializer):
    results = MapMarkerSerializer(many=True)
    truncated = serializers.BooleanField(
        help_text="More studios lie in the box than the cap; those nearest its centre are given."
    )
