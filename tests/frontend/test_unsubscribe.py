"""The unsubscribe link of the digest: GET asks, POST (button or RFC 8058 one-click) acts."""

from __future__ import annotations

import pytest

from directory.models import SavedSearch
from directory.services.saved_searches import unsubscribe_url
from tests.factories import SavedSearchFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def searches():
    first = SavedSearchFactory()
    return first, SavedSearchFactory(user=first.user)


def test_opening_the_link_changes_nothing_and_offers_one_button(client, searches):
    url = unsubscribe_url(user_id=searches[0].user_id)
    response = client.get(url.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200
    assert b'<form method="post">' in response.content
    assert SavedSearch.objects.filter(alerts_enabled=True).count() == 2


def test_the_button_unsubscribes_from_everything(client, searches):
    url = unsubscribe_url(user_id=searches[0].user_id).removeprefix("http://127.0.0.1:8000")
    response = client.post(url)
    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    assert not SavedSearch.objects.filter(alerts_enabled=True).exists()


def test_a_mail_clients_one_click_post_unsubscribes_one_search(client, searches):
    first, second = searches
    url = unsubscribe_url(user_id=first.user_id, saved_search_id=first.pk)
    response = client.post(
        url.removeprefix("http://127.0.0.1:8000"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.alerts_enabled, second.alerts_enabled) == (False, True)


def test_a_broken_link_is_a_404_page(client, searches):
    response = client.post("/saved-searches/unsubscribe/not-a-real-token")
    assert response.status_code == 404
    assert b"not valid" in response.content
    assert SavedSearch.objects.filter(alerts_enabled=True).count() == 2
