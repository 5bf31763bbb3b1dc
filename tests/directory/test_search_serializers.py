"""The search page's and the card's output, written out (directory/search/serializers.py),
against DRF's own walk over the declared fields: the same keys in the same order and the
same values, for every page of the world's searches and for cards with every nullable
field empty."""

from __future__ import annotations

import dataclasses

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from directory.search.cards import CardOwner, SearchPage, StudioCard
from directory.search.parameters import SearchParams
from directory.search.plans import search_studios
from directory.search.serializers import SearchPageSerializer, StudioCardSerializer
from tests.directory.search_data import CITIES

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _offline(search_offline):
    """No page cache, no geocoder (tests/directory/conftest.py)."""


class WalkedCard(StudioCardSerializer):
    to_representation = serializers.Serializer.to_representation


class WalkedPage(SearchPageSerializer):
    results = WalkedCard(many=True)
    to_representation = serializers.Serializer.to_representation


def _assert_same(page: SearchPage) -> None:
    """The same JSON, byte for byte: keys in the same order at every level, and 1, 1.0
    and true told apart."""
    written, walked = SearchPageSerializer(page).data, WalkedPage(page).data
    assert JSONRenderer().render(written) == JSONRenderer().render(walked)


LONDON = dict(zip(("lat", "lng"), CITIES["London"], strict=True))


@pytest.mark.parametrize(
    "params",
    [
        SearchParams(),
        SearchParams(**LONDON, radius=50),
        SearchParams(**LONDON, radius=500, page=2, page_size=7),
        SearchParams(**LONDON, radius=50, q="studio", sort="rating"),
        SearchParams(city="Suva", has_images=True),
        SearchParams(q="no such word anywhere"),
    ],
)
def test_every_page_of_the_world_is_written_as_drf_walks_it(world, params):
    page = search_studios(params)
    _assert_same(page)
    while page.page * page.page_size < page.count:
        params = dataclasses.replace(params, page=page.page + 1)
        page = search_studios(params)
        _assert_same(page)


def test_a_card_with_every_nullable_field_empty_and_an_estimated_count():
    bare = StudioCard(
        id=7,
        name="Bare",
        city="Leeds",
        abbreviated_address=None,
        latitude=None,
        longitude=None,
        is_premium=False,
        is_verified=False,
        owner=CardOwner("bare", None, None),
        short_about=None,
        coordinates_public=True,
        type_mask=0,
        service_mask=0,
        review_count=0,
        rating_avg=None,
        first_image_url=None,
        first_image_alt=None,
    )
    full = StudioCard(
        id=8,
        name="Full",
        city="York",
        abbreviated_address="1 High St",
        latitude=53.96,
        longitude=-1.08,
        is_premium=True,
        is_verified=True,
        owner=CardOwner("full", "Full Name", "https://img.example/a.png"),
        short_about="About",
        coordinates_public=False,
        type_mask=0b101,
        service_mask=0b11,
        review_count=3,
        rating_avg=4.333333,
        first_image_url="https://img.example/b.png",
        first_image_alt=None,
        distance_mi=12.34,
    )
    _assert_same(SearchPage(count=2, page=1, page_size=20, results=[bare, full]))
    _assert_same(SearchPage(count=4096, page=3, page_size=20, count_is_estimate=True))
