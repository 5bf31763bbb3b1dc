"""Result cards on PostgreSQL come from studio_search_cards() (migration 0014), which must
give exactly what the text statement gives (SQLite's, and PostgreSQL's before 0014)."""

from __future__ import annotations

from decimal import Decimal
from importlib import import_module

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.search.cards import _CARDS_SQL, studio_cards
from tests.factories.accounts import UserFactory, UserProfileFactory
from tests.factories.directory import StudioFactory, StudioImageFactory

pytestmark = pytest.mark.django_db

cards_function = import_module("directory.migrations.0014_search_cards_function")


@pytest.fixture
def studios():
    """A card with every field filled, and one with every nullable field empty."""
    owner = UserFactory(owner=True, avatar_url="https://avatars.example.com/a.png", profile=None)
    UserProfileFactory(
        user=owner, short_about="Booth with a view", show_address=True, use_coordinates_for_map=True
    )
    full = StudioFactory(
        owner=owner,
        name="Full Studio",
        city="Berlin",
        abbreviated_address="Torstraße, Berlin",
        latitude=Decimal("52.52437000"),
        longitude=Decimal("13.41053000"),
        is_premium=True,
        is_verified=True,
    )
    # The first image is the lowest sort order, then the lowest id: 2b, made before 2a.
    StudioImageFactory(
        studio=full, sort_order=5, image_url="https://i.example.com/5.jpg", alt_text="5"
    )
    StudioImageFactory(
        studio=full, sort_order=2, image_url="https://i.example.com/2b.jpg", alt_text="2b"
    )
    StudioImageFactory(
        studio=full, sort_order=2, image_url="https://i.example.com/2a.jpg", alt_text="2a"
    )
    StudioImageFactory(
        studio=full, sort_order=2, image_url="https://i.example.com/2c.jpg", alt_text="2c"
    )
    bare = StudioFactory(owner=UserFactory(owner=True, avatar_url=None, profile=None))
    return full, bare


def _text_rows(ids: list[int]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(_CARDS_SQL.format(ids=", ".join(["%s"] * len(ids))), ids)
        rows = cursor.fetchall()
    return sorted(tuple(float(v) if isinstance(v, Decimal) else v for v in r) for r in rows)


def _function_rows(ids: list[int]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM studio_search_cards(%s::bigint[])", [ids])
        return sorted(cursor.fetchall())


def test_the_function_gives_the_text_statements_rows(studios):
    full, bare = studios
    ids = [full.pk, bare.pk]
    rows = _function_rows(ids)
    assert rows == _text_rows(ids)
    by_id = {row[0]: row for row in rows}
    assert by_id[full.pk][-2:] == ("https://i.example.com/2b.jpg", "2b")  # order 2, lowest id
    assert by_id[bare.pk][3:6] == (None, None, None)  # no address, no coordinates
    assert by_id[bare.pk][10:14] == (None, None, None, None)  # no avatar, no profile
    assert by_id[bare.pk][-2:] == (None, None)  # no image


def test_cards_are_one_call_of_the_function_in_the_given_order(studios):
    full, bare = studios
    with CaptureQueriesContext(connection) as queries:
        cards = studio_cards([(bare.pk, None), (10**12, None), (full.pk, 0.001)])
    assert len(queries) == 1
    assert "studio_search_cards(" in queries[0]["sql"]
    assert [card.id for card in cards] == [bare.pk, full.pk]  # an id gone is left out
    card = cards[1]
    assert (card.latitude, card.longitude) == (52.52437, 13.41053)
    assert card.owner.avatar_url == "https://avatars.example.com/a.png"
    assert card.coordinates_public
    assert card.is_premium
    assert card.is_verified
    assert (card.first_image_url, card.first_image_alt) == ("https://i.example.com/2b.jpg", "2b")
    assert card.distance_mi is not None
    assert cards[0].distance_mi is None
    assert cards[0].short_about is None
    assert cards[0].first_image_url is None


def test_the_way_back_drops_the_function():
    """In this test's transaction, which rolls it back."""
    with connection.cursor() as cursor:
        cursor.execute(cards_function.PG_UNINSTALL)
        cursor.execute("SELECT count(*) FROM pg_proc WHERE proname = 'studio_search_cards'")
        assert cursor.fetchone()[0] == 0
        cursor.execute(cards_function.PG_SQL)
        cursor.execute("SELECT proconfig FROM pg_proc WHERE proname = 'studio_search_cards'")
        assert cursor.fetchone()[0] == ["plan_cache_mode=force_generic_plan"]
