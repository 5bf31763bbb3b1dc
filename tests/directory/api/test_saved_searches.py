"""/api/user/saved-searches: the signed-in user's own saved searches, and nobody else's."""

from __future__ import annotations

import pytest

from directory.models import SavedSearch
from tests.factories import SavedSearchFactory, UserFactory
from tests.support.api import assert_needs_login, error_of

pytestmark = pytest.mark.django_db

URL = "/api/user/saved-searches"


def test_create_list_update_delete(api, settings):
    settings.SITE_URL = "https://studios.example.com"
    user = UserFactory()
    api.force_login(user)

    created = api.post(
        URL,
        {
            "name": "Near London",
            "filters": {"location": "London", "radius": 50, "services": "ZOOM"},
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["filters"] == {"location": "London", "radius": 50.0, "services": ["ZOOM"]}
    assert body["alerts_enabled"] is True
    assert body["last_alerted_at"] is None
    assert body["search_url"] == (
        "https://studios.example.com/search?location=London&radius=50.0&services=ZOOM"
    )

    assert [s["id"] for s in api.get(URL).json()] == [body["id"]]

    patched = api.patch(f"{URL}/{body['id']}", {"alerts_enabled": False}, format="json").json()
    assert patched["alerts_enabled"] is False
    assert patched["name"] == "Near London"  # not sent, not changed

    assert api.delete(f"{URL}/{body['id']}").status_code == 204
    assert not SavedSearch.objects.filter(user=user).exists()


def test_filters_are_checked_by_the_search_validator(api):
    api.force_login(UserFactory())
    response = api.post(
        URL, {"name": "x", "filters": {"lat": 95, "lng": 0, "radius": 9000}}, format="json"
    )
    assert response.status_code == 400
    fields = error_of(response)["fields"]["filters"]
    assert set(fields) == {"lat", "radius"}


def test_someone_elses_saved_search_is_not_found(api):
    theirs = SavedSearchFactory()
    api.force_login(UserFactory())
    assert api.get(f"{URL}/{theirs.pk}").status_code == 404
    assert api.patch(f"{URL}/{theirs.pk}", {"name": "mine"}, format="json").status_code == 404
    assert api.delete(f"{URL}/{theirs.pk}").status_code == 404
    assert api.get(URL).json() == []


def test_saved_searches_need_a_login(api):
    assert_needs_login(api.get(URL))
    assert_needs_login(api.post(URL, {"name": "x", "filters": {}}, format="json"))


def test_the_list_costs_a_fixed_number_of_queries(api, django_assert_max_num_queries):
    user = UserFactory()
    SavedSearchFactory.create_batch(20, user=user)
    api.force_login(user)
    with django_assert_max_num_queries(3):  # session, user, the list
        assert len(api.get(URL).json()) == 20


def test_an_imported_saved_search_reads_under_our_names(api, settings):
    """Saved searches imported from the legacy site keep its names in the database; the API
    (and the link it gives) speaks ours, so the search page opens them as they were."""
    settings.SITE_URL = "https://studios.example.com"
    user = UserFactory()
    SavedSearchFactory(
        user=user,
        filters={"studioTypes": ["RECORDING"], "sortBy": "created_at", "q": "booth"},
    )
    api.force_login(user)
    [saved] = api.get(URL).json()
    assert saved["filters"] == {"studio_types": ["RECORDING"], "sort": "newest", "q": "booth"}
    assert saved["search_url"] == (
        "https://studios.example.com/search?q=booth&sort=newest&studio_types=RECORDING"
    )
