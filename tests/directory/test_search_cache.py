"""Search pages are cached under the normalised parameters and the search data version,
which the database bumps at the commit of any change search shows."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts.models import UserProfile
from directory.models import Review, ReviewStatus, Studio, StudioService
from directory.search.cache import search_cache_key, search_data_version
from directory.search.parameters import SearchParams
from tests.factories import (
    ReviewFactory,
    StudioFactory,
    StudioImageFactory,
    StudioServiceFactory,
    StudioTypeFactory,
)

# Real commits: the version is bumped by deferred triggers, which run at COMMIT.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.SEARCH_CACHE_SECONDS = 300
    settings.GEOCODER_ENABLED = False


def names(client, query=""):
    return [r["name"] for r in client.get("/api/studios/search?" + query).json()["results"]]


def test_a_change_to_a_studio_shows_in_the_next_search(client):
    studio = StudioFactory(name="Before", city="Leeds")
    assert names(client, "city=leeds") == ["Before"]
    studio.name = "After"
    studio.save()
    assert names(client, "city=leeds") == ["After"]


@pytest.mark.parametrize(
    "change",
    [
        "image",
        "type",
        "service",
        "review",
        "unlist",
        "owner_name",
        "privacy",
        "bulk_update",
    ],
)
def test_every_kind_of_change_bumps_the_version(change):
    studio = StudioFactory(city="Leeds")
    before = search_data_version()
    if change == "image":
        StudioImageFactory(studio=studio)
    elif change == "type":
        StudioTypeFactory(studio=studio)
    elif change == "service":
        StudioServiceFactory(studio=studio)
    elif change == "review":
        review = ReviewFactory(studio=studio)
        Review.objects.filter(pk=review.pk).update(status=ReviewStatus.APPROVED)
    elif change == "unlist":
        Studio.objects.filter(pk=studio.pk).update(is_profile_visible=False)
    elif change == "owner_name":
        studio.owner.display_name = "Someone Else"
        studio.owner.save()
    elif change == "privacy":
        UserProfile.objects.filter(user=studio.owner).update(show_address=True)
    elif change == "bulk_update":
        StudioService.objects.bulk_create([StudioService(studio=studio, service="ISDN")])
    assert search_data_version() > before


def test_a_login_does_not_bump_the_version():
    studio = StudioFactory()
    before = search_data_version()
    studio.owner.save(update_fields=["last_login"])
    assert search_data_version() == before


def test_the_cache_serves_the_same_page_without_the_database(client, django_assert_max_num_queries):
    StudioFactory(name="Cached", city="Leeds")
    assert names(client, "city=Leeds") == ["Cached"]
    with django_assert_max_num_queries(1):  # the version read only
        assert names(client, "city=%20leeds%20") == ["Cached"]  # same normalised key
    assert any(key for key in cache._cache.get_client().scan_iter("*search:page*"))


def test_the_key_normalises_parameters():
    a = SearchParams(studio_types=("HOME", "PODCAST"), city=" Leeds ", q="quiet  booth")
    b = SearchParams(studio_types=("PODCAST", "HOME"), city="leeds", q="quiet booth")
    assert search_cache_key(a) == search_cache_key(b)
    assert search_cache_key(a) != search_cache_key(SearchParams(city="leeds", page=2))
