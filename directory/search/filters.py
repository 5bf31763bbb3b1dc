"""The studio search filters: one validator for the search parameters and saved searches.

`validate_search_filters(data)` checks and normalises a filter set (the query string of
/api/studios/search, or a saved search's `filters`) and raises ValidationFailed naming
each bad field; `SearchFiltersSerializer` is the same rules for DRF views. A saved search
stores exactly what this returns, so running it later means the same as searching now.

Saved searches imported from the legacy site use its camelCase keys (`studioTypes`,
`sortBy`): they are accepted as aliases.

Validation itself is the search endpoint's serializer (SearchParamsSerializer, in
directory/search/serializers.py); `SearchFiltersSerializer` below only describes the stored
shape in the OpenAPI schema.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from rest_framework import serializers

from common.errors import ValidationFailed
from directory.models import ServiceType, StudioType
from directory.search.parameters import MAX_RADIUS_MI, MIN_RADIUS_MI, SORTS

LEGACY_ALIASES = {"studioTypes": "studio_types", "sortBy": "sort", "query": "q"}
# The legacy site's sortBy values, where ours differ.
LEGACY_SORTS = {"created_at": "newest", "createdAt": "newest"}
PAGING = ("page", "page_size")


class CommaSeparatedChoices(serializers.ListField):
    """`HOME,PODCAST` in a query string, or a JSON list; duplicates dropped, order kept."""

    def __init__(self, choices, **kwargs):
        self.allowed = [value for value, _label in choices]
        super().__init__(child=serializers.ChoiceField(choices), max_length=20, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = [part.strip() for part in data.split(",") if part.strip()]
        elif isinstance(data, list) and all(isinstance(item, str) for item in data):
            data = [part.strip() for item in data for part in item.split(",") if part.strip()]
        if isinstance(data, list):
            unknown = [value for value in data if value not in self.allowed]
            if unknown:
                raise serializers.ValidationError(
                    f"Unknown: {', '.join(map(str, unknown))}. "
                    f"Choose from {', '.join(self.allowed)}."
                )
        values = super().to_internal_value(data)
        return list(dict.fromkeys(values))


class SearchFiltersSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=200, required=False, allow_blank=True)
    studio_types = CommaSeparatedChoices(StudioType.choices, required=False)
    services = CommaSeparatedChoices(ServiceType.choices, required=False)
    city = serializers.CharField(max_length=200, required=False, allow_blank=True)
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False)
    lng = serializers.FloatField(min_value=-180, max_value=180, required=False)
    radius = serializers.FloatField(
        min_value=MIN_RADIUS_MI, max_value=MAX_RADIUS_MI, required=False
    )
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    verified = serializers.BooleanField(required=False, allow_null=True, default=None)
    premium = serializers.BooleanField(required=False, allow_null=True, default=None)
    has_images = serializers.BooleanField(required=False, allow_null=True, default=None)
    sort = serializers.ChoiceField(SORTS, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        if ("lat" in attrs) != ("lng" in attrs):
            missing = "lng" if "lat" in attrs else "lat"
            errors[missing] = ["Give lat and lng together."]
        has_centre = "lat" in attrs or bool(attrs.get("location", "").strip())
        if "radius" in attrs and not has_centre:
            errors["radius"] = ["A radius needs a centre: lat and lng, or a location."]
        if attrs.get("sort") == "distance" and not has_centre:
            errors["sort"] = ["Sorting by distance needs a centre: lat and lng, or a location."]
        if errors:
            raise serializers.ValidationError(errors)
        # Normalised: no empty strings, no unset flags, no empty lists.
        return {
            key: value.strip() if isinstance(value, str) else value
            for key, value in attrs.items()
            if value not in (None, "", []) and not (isinstance(value, str) and not value.strip())
        }


def legacy_renamed(name: str, value: Any) -> tuple[str, Any]:
    """A legacy filter (name, value) under our name and value; ours pass unchanged."""
    if name == "sortBy" and isinstance(value, str):
        value = LEGACY_SORTS.get(value, value)
    return LEGACY_ALIASES.get(name, name), value


def with_current_names(data: dict[str, Any]) -> dict[str, Any]:
    """Filters with the legacy site's names and sort values (imported saved searches, old
    links) under ours; a name given both ways keeps ours."""
    renamed = dict(
        legacy_renamed(key, value) for key, value in data.items() if key in LEGACY_ALIASES
    )
    return {**renamed, **{k: v for k, v in data.items() if k not in LEGACY_ALIASES}}


def validate_search_filters(data: Any, *, allow_paging: bool = False) -> dict[str, Any]:
    """The normalised filters, or ValidationFailed with a message per bad field.

    The rules are the search endpoint's own: directory.search.serializers.SearchParamsSerializer.
    """
    from directory.search.serializers import SearchParamsSerializer

    if not isinstance(data, dict):
        raise ValidationFailed(fields={"non_field_errors": ["Filters are a JSON object."]})
    data = with_current_names(data)
    unknown = sorted(set(data) - set(SearchFiltersSerializer().fields) - set(PAGING))
    if unknown:
        raise ValidationFailed(fields={key: ["Not a search filter."] for key in unknown})
    if not allow_paging:
        data = {key: value for key, value in data.items() if key not in PAGING}
    serializer = SearchParamsSerializer(data=data)
    if not serializer.is_valid():
        raise ValidationFailed(fields=_plain(serializer.errors))
    normalised = {}
    for key, value in serializer.validated_data.items():
        if key in PAGING and key not in data:
            continue  # the serializer's defaults are not filters
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, str):
            value = value.strip()
        if value not in (None, "", []):
            normalised[key] = value
    return normalised


def _plain(errors: Any) -> Any:
    """DRF's ErrorDetail trees as plain dicts, lists and strings."""
    if isinstance(errors, dict):
        return {key: _plain(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [_plain(item) for item in errors]
    return str(errors)


def search_url(filters: dict[str, Any]) -> str:
    """The search page for these filters (links in emails and the saved-search list)."""
    filters = with_current_names(filters)
    query = {
        key: ",".join(value)
        if isinstance(value, list)
        else str(value).lower()
        if isinstance(value, bool)
        else value
        for key, value in sorted(filters.items())  # one URL per filter set
    }
    return f"{settings.SITE_URL}/search" + (f"?{urlencode(query)}" if query else "")
