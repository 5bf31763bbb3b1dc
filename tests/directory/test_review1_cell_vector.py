"""Review of 0142a87 (migration 0008): the cell GIN's expression must not reject a studio
that the search index accepted before. A description word of 2,038–2,047 bytes is a
valid tsvector lexeme (to_tsvector keeps words up to 2,047 bytes), but prefixed with its
cell (`-360/-720/` is up to 10 bytes) it is too long for array_to_tsvector(), so the
expression index raises on the studio_search trigger's INSERT/UPDATE."""

from __future__ import annotations

from decimal import Decimal

import pytest

from directory.models.search import StudioSearch
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
