"""The text plan (directory/search/text_plan.py) against the general plan on the same data:
the same studios in the same order on every page, for every sort and the flag filters;
the stored premium rotation (refresh, trigger, a stale day); the count's estimate."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from directory.models import Studio, StudioSearch
from directory.search import text_plan
from directory.search.parameters import SearchParams, rotation_seed
from directory.search.plans import search_studios
from directory.search.text_plan import TEXT_SAMPLE_STRIDE
from directory.services.search_index import search_index_rebuild, search_rotation_refresh
from tests.directory.search_data import rotation_key

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _offline(search_offline):
    """No page cache, no geocoder (tests/directory/conftest.py)."""


@pytest.fixture(autouse=True)
def _todays_rotation(db):
    """The stored rotation is the day's, as the midnight beat task keeps it: the migration
    stored the day the test database was made, which is yesterday once a run crosses
    midnight UTC (and then the text plan rightly stands aside)."""
    search_rotation_refresh()


def _pages(
    client, query: dict, page_size: int, max_pages: int | None = None
) -> tuple[list[int], set]:
    """Every page's ids in order (or the first `max_pages`), and the (count,
    count_is_estimate) pairs seen."""
    ids, counts, page = [], set(), 1
    while max_pages is None or page <= max_pages:
        body = client.get(
            "/api/studios/search?" + urlencode({**query, "page": page, "page_size": page_size})
        ).json()
        counts.add((body["count"], body["count_is_estimate"]))
        if not body["results"]:
            break
        ids += [card["id"] for card in body["results"]]
        page += 1
    return ids, counts


def _used_text_plan(client, query: dict) -> bool:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/studios/search?" + urlencode(query)).status_code == 200
    return any("studio_search_rotation r" in q["sql"] for q in queries.captured_queries)


QUERIES = ["sound", "London  Studio 0", "so", "new york", "hamerfest"]
FLAGS = [
    {},
    {"premium": "true"},
    {"premium": "false"},
    {"verified": "true"},
    {"has_images": "false", "verified": "false"},
    {"studio_types": "HOME"},
    {"services": "ISDN,ZOOM"},
]


@pytest.mark.parametrize("walk", [False, True], ids=["one-statement", "tier-walk"])
@pytest.mark.parametrize("sort", ["relevance", "name", "newest", "rating"])
@pytest.mark.parametrize("q", QUERIES)
def test_text_plan_pages_are_the_general_plans(client, world, settings, q, sort, walk):
    """Both ways the plan reads a page: a few matches in one statement; past the limit
    (here a limit of 0: every count is past it) tier by tier off the indexes. Every match
    in order through pages of 50; the page boundaries through the first four pages of 3."""
    limit = 0 if walk else settings.SEARCH_EXACT_COUNT_LIMIT
    for flags in FLAGS:
        query = {"q": q, "sort": sort, **flags}
        settings.SEARCH_TEXT_PLAN = True
        assert _used_text_plan(client, query)
        for page_size, max_pages in ((50, None), (3, 4)):
            settings.SEARCH_EXACT_COUNT_LIMIT = limit
            got, got_counts = _pages(client, query, page_size, max_pages)
            settings.SEARCH_TEXT_PLAN = False
            expected, expected_counts = _pages(client, query, page_size, max_pages)
            settings.SEARCH_TEXT_PLAN = True
            assert got == expected, (query, page_size)
            assert len(set(got)) == len(got)
            if max_pages is not None:  # the counts: on the whole walk below
                continue
            assert expected_counts == {(len(expected), False)}
            if not walk:
                assert got_counts == expected_counts, query
            else:  # exact, or (a sampled match: ids are not reset between tests) estimated
                (count, estimate), *_ = got_counts
                assert len(got_counts) == 1
                assert count == len(expected) or (estimate and count % TEXT_SAMPLE_STRIDE == 0)


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


def test_the_rotation_refresh_stores_the_days_keys_and_the_plan_follows_it(world, settings):
    today = timezone.now().date()
    tomorrow = today + dt.timedelta(days=1)
    assert search_rotation_refresh(day=today) == 0  # stored already: a rerun rewrites nothing
    keys = _keys()
    assert any(premium for premium, _ in keys.values())
    for sid, (premium, key) in keys.items():
        assert key == (rotation_key(sid, rotation_seed(today)) if premium else None)

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
        assert key == (rotation_key(sid, rotation_seed(tomorrow)) if premium else None)
    with CaptureQueriesContext(connection) as queries:
        fresh = [card.id for card in search_studios(params, day=tomorrow).results]
    assert fresh == expected_tomorrow
    assert any("rotation_key" in q["sql"] for q in queries.captured_queries)


def test_a_studio_that_becomes_premium_gets_its_key_from_the_trigger(world):
    listed = StudioSearch.objects.filter(is_premium=False).values("studio_id")
    studio = Studio.objects.filter(pk__in=listed).first()
    assert _keys()[studio.id] == (False, None)
    Studio.objects.filter(pk=studio.pk).update(is_premium=True)  # no service: any write
    assert _keys()[studio.id] == (True, rotation_key(studio.id, rotation_seed()))
    Studio.objects.filter(pk=studio.pk).update(is_premium=False)
    assert _keys()[studio.id] == (False, None)


def _sampled_studios(count: int) -> list[int]:
    """`count` listed studios named "Sampled Booth n" whose ids are in the 1-in-256 sample."""
    owner = Studio.objects.first().owner
    base = (Studio.objects.order_by("-pk").first().pk // 256 + 10) * 256
    studios = Studio.objects.bulk_create(
        [
            Studio(
                id=base + 256 * i,
                owner=owner,
                name=f"Sampled Booth {i}",
                city="Leeds",
                status="ACTIVE",
                is_profile_visible=True,
                is_premium=i % 3 == 0,
            )
            for i in range(count)
        ]
    )
    return [studio.pk for studio in studios]


def _sample_rows() -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT studio_id, is_premium, is_verified, has_images, type_mask, service_mask,"
            " search_vector::text FROM studio_search_sample"
        )
        return set(cursor.fetchall())


def _expected_sample_rows() -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT studio_id, is_premium, is_verified, has_images, type_mask,"  # noqa: S608
            " service_mask, search_vector::text FROM studio_search"
            f" WHERE studio_id % {TEXT_SAMPLE_STRIDE} = 0"
        )
        return set(cursor.fetchall())


def test_the_sample_table_holds_exactly_the_sampled_rows(world):
    ids = _sampled_studios(4)
    assert len(_sample_rows()) >= 4
    assert _sample_rows() == _expected_sample_rows()
    Studio.objects.filter(pk=ids[0]).update(name="Sampled Kestrel", is_verified=True)
    Studio.objects.filter(pk=ids[1]).update(is_profile_visible=False)  # unlisted: deleted
    assert _sample_rows() == _expected_sample_rows()
    assert ids[1] not in {row[0] for row in _sample_rows()}
    search_index_rebuild()  # TRUNCATE fires no row trigger: emptied, refilled
    assert _sample_rows() == _expected_sample_rows()
    assert len(_sample_rows()) >= 3


def test_count_past_the_limit_is_the_sample_estimate_and_pages_stay_exact(client, world, settings):
    ids = _sampled_studios(8)
    settings.SEARCH_TEXT_PLAN = False
    expected, _ = _pages(client, {"q": "sampled booth"}, 3)
    settings.SEARCH_TEXT_PLAN = True
    assert sorted(expected) == sorted(ids)  # only they match; every one is in the sample
    settings.SEARCH_EXACT_COUNT_LIMIT = 8 * TEXT_SAMPLE_STRIDE - 1
    got, counts = _pages(client, {"q": "sampled booth"}, 3)
    assert got == expected
    assert counts == {(8 * TEXT_SAMPLE_STRIDE, True)}
    settings.SEARCH_EXACT_COUNT_LIMIT = 8 * TEXT_SAMPLE_STRIDE  # not past it: exact
    got, counts = _pages(client, {"q": "sampled booth"}, 3)
    assert got == expected
    assert counts == {(8, False)}
