"""The one validator of search filters (search parameters and saved searches alike)."""

from __future__ import annotations

import pytest

from common.errors import ValidationFailed
from directory.search.filters import search_url, validate_search_filters


def test_filters_are_normalised():
    assert validate_search_filters(
        {
            "q": "  vocal booth ",
            "studio_types": "HOME, PODCAST,HOME",
            "services": ["ZOOM"],
            "city": "",
            "lat": "51.5",
            "lng": "-0.12",
            "radius": "50",
            "verified": "true",
            "premium": None,
        }
    ) == {
        "q": "vocal booth",
        "studio_types": ["HOME", "PODCAST"],
        "services": ["ZOOM"],
        "lat": 51.5,
        "lng": -0.12,
        "radius": 50.0,
        "verified": True,
    }


def test_the_legacy_sites_keys_are_understood():
    assert validate_search_filters(
        {"location": "Los Angeles, CA", "radius": 50, "studioTypes": ["HOME"], "sortBy": "name"}
    ) == {"location": "Los Angeles, CA", "radius": 50.0, "studio_types": ["HOME"], "sort": "name"}


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"lat": 91, "lng": 0}, "lat"),
        ({"lat": 0, "lng": -180.5}, "lng"),
        ({"lat": 10}, "lng"),
        ({"lng": 10}, "lat"),
        ({"radius": 50}, "radius"),
        ({"lat": 1, "lng": 1, "radius": 0.5}, "radius"),
        ({"lat": 1, "lng": 1, "radius": 501}, "radius"),
        ({"lat": "north", "lng": 1}, "lat"),
        ({"lat": "nan", "lng": 1}, "lat"),
        ({"studio_types": "HOME,CASTLE"}, "studio_types"),
        ({"services": "FAX"}, "services"),
        ({"sort": "distance"}, "sort"),
        ({"sort": "random"}, "sort"),
        ({"verified": "perhaps"}, "verified"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_filters_name_the_field(filters, field):
    with pytest.raises(ValidationFailed) as error:
        validate_search_filters(filters)
    assert field in error.value.fields
    assert all(isinstance(m, str) for m in error.value.fields[field])


def test_paging_is_not_a_saved_filter():
    assert validate_search_filters({"city": "Leeds", "page": 3, "page_size": 50}) == {
        "city": "Leeds"
    }


def test_filters_must_be_an_object():
    with pytest.raises(ValidationFailed):
        validate_search_filters(["city", "Leeds"])


def test_the_search_url_carries_the_filters(settings):
    settings.SITE_URL = "https://studios.example.com"
    assert search_url({"studio_types": ["HOME", "PODCAST"], "verified": True, "radius": 50.0}) == (
        "https://studios.example.com/search?radius=50.0&studio_types=HOME%2CPODCAST&verified=true"
    )


@pytest.mark.parametrize(("legacy", "ours"), [("created_at", "newest"), ("createdAt", "newest"),
                                              ("name", "name"), ("rating", "rating")])  # fmt: skip
def test_the_legacy_sites_sort_values_are_understood(legacy, ours):
    assert validate_search_filters({"sortBy": legacy}) == {"sort": ours}
