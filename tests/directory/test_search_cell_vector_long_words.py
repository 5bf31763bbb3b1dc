"""The cell GIN (migration 0008) takes every studio the search index takes. A word of up
to 2,047 bytes is a valid lexeme, but with its cell before it (`-360/-720/`, up to 10
bytes) it would be too long for array_to_tsvector(), and the index would refuse the
studio_search row (found in review). Both the index and the per-cell queries keep a
lexeme's first 500 characters; such a long word is then tested again on each row."""

from __future__ import annotations

from decimal import Decimal

import pytest

from directory.models.search import StudioSearch
from directory.search.parameters import SearchParams
from directory.search.plans import search_studios
from tests.factories import StudioFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("length", [2041, 2047])
def test_a_located_studio_with_a_long_word_can_be_saved(length):
    studio = StudioFactory(
        latitude=Decimal("51.5"),
        longitude=Decimal("-0.1"),
        description="Vocal booth " + "a" * length,
    )
    assert StudioSearch.objects.filter(studio_id=studio.id).exists()


def test_a_long_word_in_a_studio_that_later_gets_coordinates():
    studio = StudioFactory(latitude=None, longitude=None, description="x" * 2045)
    studio.latitude, studio.longitude = Decimal("-33.9"), Decimal("151.2")
    studio.save()
    assert StudioSearch.objects.filter(studio_id=studio.id, latitude__isnull=False).exists()


@pytest.fixture(autouse=True)
def _offline(search_offline):
    """No page cache, no geocoder (tests/directory/conftest.py)."""


def _ids(q: str, plan: bool, settings) -> list[int]:
    settings.SEARCH_RADIUS_TEXT_PLAN = plan
    page = search_studios(SearchParams(q=q, lat=51.5, lng=-0.1, radius=10, page_size=50))
    return [card.id for card in page.results]


def test_long_words_are_found_off_the_cell_index_as_the_general_plan_finds_them(settings):
    """A 2,045-character word, and another sharing its first 600 characters: asked whole,
    by its first 600 characters as a prefix, or by a short prefix."""
    long_word = "b" * 2045
    other = "b" * 600 + "c" * 1000
    found = StudioFactory(
        name="Long", latitude=Decimal("51.5"), longitude=Decimal("-0.1"), description=long_word
    )
    near = StudioFactory(
        name="Near", latitude=Decimal("51.51"), longitude=Decimal("-0.1"), description=other
    )
    for q, expected in (
        (long_word, {found.id}),
        ("b" * 600, {found.id, near.id}),
        ("bbb", {found.id, near.id}),
        ("b" * 600 + "c" * 10, {near.id}),
    ):
        cell_plan = _ids(q, True, settings)
        assert set(cell_plan) == expected, q[:20]
        assert cell_plan == _ids(q, False, settings), q[:20]
