"""The text plan (directory/search/text_plan.py) against the general plan on the same data:
the same studios in the same order on every page, for every sort and the flag filters;
the stored premium rotation (refresh, trigger, a stale day); the count's estimate."""

from __future__ import annotations

import datetime as dt
import hashlib
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from directory.models import Studio, StudioSearch
from directory.search import text_plan
from directory.search.parameters import SearchParams, rotation_seed
from directory.search.plans import search_studios
from directory.services.search_index import search_rotation_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _offline(search_offline):
    """No page cache, no geocoder (tests/directory/conftest.py)."""


def _pages(client, query: dict, page_size: int) -> tuple[list[int], set]:
    """Every page's ids in order, and the (count, count_is_estimate) pairs seen."""
    ids, counts, page = [], set(), 1
    while True:
        body = client.get(
            "/api/studios/search?" + urlencode({**query, "page": page, "page_size": page_size})
        ).json()
        counts.add((body["count"], body["count_is_estimate"]))
        if not body["results"]:
            return ids, counts
        ids += [card["id"] for card in body["results"]]
        page += 1


def _used_text_plan(client, query: dict) -> bool:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/studios/search?" + urlencode(query)).status_code == 200
    return any("studio_search_rotation r" in q["sql"] for q in queries.captured_queries)


QUERIES = ["sound", "studio", "london", "London  Studio 0", "so", "owen", "new york", "hamerfest"]
FLAGS = [
    {},
    {"premium": "true"},
    {"premium": "false"},
    {"verified": "true"},
    {"has_images": "false", "verified": "false"},
    {"studio_types": "HOME"},
    {"services": "ISDN,ZOOM"},
]


@pytest.mark.parametrize("sort", ["relevance", "name", "newest", "rating"])
@pytest.mark.parametrize("q", QUERIES)
def test_text_plan_pages_are_the_general_plans(client, world, settings, q, sort):
    for flags in FLAGS:
        query = {"q": q, "sort": sort, **flags}
        settings.SEARCH_TEXT_PLAN = True
        assert _used_text_plan(client, query)
        for page_size in (3, 20):
            got, got_counts = _pages(client, query, page_size)
            settings.SEARCH_TEXT_PLAN = False
            expected, expected_counts = _pages(client, query, page_size)
            settings.SEARCH_TEXT_PLAN = True
            assert got == expected, (query, page_size)
            assert got_counts == expected_counts == {(len(expected), False)}, query
            assert len(set(got)) == len(got)


def test_the_plan_applies_to_text_without_centre_or_city(settings):
    assert text_plan.text_plan_applies(SearchParams(q="booth"), None)
    assert text_plan.text_plan_applies(SearchParams(q="booth", sort="newest"), None)
    assert not text_plan.text_plan_applies(SearchParams(q="booth", city="leeds"), None)
    assert not text_plan.text_plan_applies(SearchParams(city="leeds"), None)
    settings.SEARCH_TEXT_PLAN = False
    assert not text_plan.text_plan_applies(SearchParams(q="booth"), None)


def _keys() -> dict[int, tuple[bool, str | None]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT studio_id, is_premium, rotation_key FROM studio_search")
        return {sid: (premium, key) for sid, premium, key in cursor.fetchall()}


def _md5(sid: int, seed: str) -> str:
    return hashlib.md5(f"{sid}{seed}".encode(), usedforsecurity=False).hexdigest()


def test_the_rotation_refresh_stores_the_days_keys_and_the_plan_follows_it(world, settings):
    today = timezone.now().date()
    tomorrow = today + dt.timedelta(days=1)
    assert search_rotation_refresh(day=today) == 0  # the migration stored today's already
    keys = _keys()
    assert any(premium for premium, _ in keys.values())
    for sid, (premium, key) in keys.items():
        assert key == (_md5(sid, rotation_seed(today)) if premium else None)

    params = SearchParams(q="studio", page_size=100)
    settings.SEARCH_TEXT_PLAN = False
    expected_tomorrow = [card.id for card in search_studios(params, day=tomorrow).results]
    settings.SEARCH_TEXT_PLAN = True
    # Stale: the stored keys are today's; tomorrow's page is the general plan's, not the keys'.
    with CaptureQueriesContext(connection) as queries:
        stale = [card.id for card in search_studios(params, day=tomorrow).results]
    assert stale == expected_tomorrow
    assert not any("rotation_key" in q["sql"] for q in queries.captured_queries)

    premium_rows = sum(1 for premium, _ in keys.values() if premium)
    assert search_rotation_refresh(day=tomorrow) == premium_rows
    assert search_rotation_refresh(day=tomorrow) == 0  # a rerun rewrites nothing
    for sid, (premium, key) in _keys().items():
        assert key == (_md5(sid, rotation_seed(tomorrow)) if premium else None)
    with CaptureQueriesContext(connection) as queries:
        fresh = [card.id for card in search_studios(params, day=tomorrow).results]
    assert fresh == expected_tomorrow
    assert any("rotation_key" in q["sql"] for q in queries.captured_queries)


def test_a_studio_that_becomes_premium_gets_its_key_from_the_trigger(world):
    listed = StudioSearch.objects.filter(is_premium=False).values("studio_id")
    studio = Studio.objects.filter(pk__in=listed).first()
    assert _keys()[studio.id] == (False, None)
    Studio.objects.filter(pk=studio.pk).update(is_premium=True)  # no service: any write
    assert _keys()[studio.id] == (True, _md5(studio.id, rotation_seed()))
    Studio.objects.filter(pk=studio.pk).update(is_premium=False)
    assert _keys()[studio.id] == (False, None)


def test_the_sample_stride_is_the_migrations_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'studio_search_text_sample_idx'"
        )
        (definition,) = cursor.fetchone()
    assert f"(studio_id % ({text_plan.TEXT_SAMPLE_STRIDE})::bigint) = 0" in definition


@pytest.mark.parametrize("q", ["studio", "sound"])
def test_count_past_the_limit_is_the_sample_estimate_and_pages_stay_exact(
    client, world, settings, monkeypatch, q
):
    settings.SEARCH_TEXT_PLAN = False
    expected, _ = _pages(client, {"q": q}, 20)
    settings.SEARCH_TEXT_PLAN = True
    # A stride the small world has samples of (the query names it; the index is for 256).
    monkeypatch.setattr(text_plan, "TEXT_SAMPLE_STRIDE", 3)
    sampled = sum(1 for sid in expected if sid % 3 == 0)
    assert sampled > 1
    settings.SEARCH_EXACT_COUNT_LIMIT = sampled * 3 - 1
    got, counts = _pages(client, {"q": q}, 20)
    assert got == expected
    assert counts == {(sampled * 3, True)}
    settings.SEARCH_EXACT_COUNT_LIMIT = sampled * 3  # not past it: exact
    got, counts = _pages(client, {"q": q}, 20)
    assert got == expected
    assert counts == {(len(expected), False)}
