"""Every page-numbered list takes `page` and `page_size` from one serializer
(common.pagination.PageFilterSerializer): the same bounds, defaults and 400s everywhere."""

from __future__ import annotations

import pytest
from django.test import Client

from common.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE
from tests.factories import StudioFactory, UserFactory
from tests.utils import assert_api_error

pytestmark = pytest.mark.django_db

# (path, who calls it): each list as a caller who may read it.
LISTS = [
    ("/api/studios/search", None),
    ("/api/profiles/spotlight", None),
    ("/api/studios/{studio_id}/reviews", None),
    ("/api/studio/manage/", "admin"),
    ("/api/admin/reviews", "admin"),
]


@pytest.fixture
def call(settings):
    settings.SEARCH_CACHE_SECONDS = 0
    settings.GEOCODER_ENABLED = False
    studio = StudioFactory()

    def get(path: str, who: str | None, query: str):
        client = Client()
        if who == "admin":
            client.force_login(UserFactory(admin=True))
        return client.get(f"{path.format(studio_id=studio.pk)}?{query}")

    return get


@pytest.mark.parametrize(("path", "who"), LISTS)
def test_defaults_and_the_last_page_allowed(call, path, who):
    first = call(path, who, "")
    assert first.status_code == 200, first.content
    assert (first.json()["page"], first.json()["page_size"]) == (1, DEFAULT_PAGE_SIZE)
    last = call(path, who, f"page={MAX_PAGE}&page_size={MAX_PAGE_SIZE}")
    assert last.status_code == 200, last.content
    assert (last.json()["page"], last.json()["page_size"]) == (MAX_PAGE, MAX_PAGE_SIZE)
    assert last.json()["results"] == []  # past the end: an empty page, not an error


@pytest.mark.parametrize(("path", "who"), LISTS)
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        (f"page={MAX_PAGE + 1}", "page"),
        ("page=two", "page"),
        ("page_size=0", "page_size"),
        (f"page_size={MAX_PAGE_SIZE + 1}", "page_size"),
    ],
)
def test_out_of_bounds_is_a_400_naming_the_field(call, path, who, query, field):
    error = assert_api_error(call(path, who, query), 400, "invalid")
    assert field in error["fields"], error
