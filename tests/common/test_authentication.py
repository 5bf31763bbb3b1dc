"""The API's two ways in — session token and session cookie — and suspension on both."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory
from tests.utils import assert_api_error, session_token_for

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.common.urls_errors")]

URL = "/api/t/verified"


def _post(client):
    return client.post(URL, content_type="application/json")


def test_a_session_token_authenticates_without_cookies():
    user = UserFactory()
    client = Client(headers={"X-Session-Token": session_token_for(user)})
    assert _post(client).status_code == 200


def test_an_unknown_token_is_401_not_anonymous_access(client):
    client = Client(headers={"X-Session-Token": "no-such-session"})
    error = assert_api_error(_post(client), 401, "not_authenticated")
    assert "sign in again" in error["message"]


def test_a_token_dies_with_a_password_change():
    user = UserFactory()
    client = Client(headers={"X-Session-Token": session_token_for(user)})
    user.set_password("a brand new password 42")
    user.save()
    assert_api_error(_post(client), 401, "not_authenticated")


@pytest.mark.parametrize("via", ["token", "cookie"])
def test_suspended_users_get_403_suspended_with_reason_and_end(via):
    until = timezone.now() + timedelta(days=3)
    user = UserFactory()
    if via == "token":
        client = Client(headers={"X-Session-Token": session_token_for(user)})
    else:
        client = Client()
        client.force_login(user)
    assert _post(client).status_code == 200  # the session works…

    user.suspended_until = until
    user.suspension_reason = "Spam"
    user.save()

    error = assert_api_error(_post(client), 403, "suspended")  # …and stops at once
    assert error["fields"] == {"until": until.isoformat(), "indefinite": False, "reason": "Spam"}
    assert "Spam" in error["message"]
    # Reads too, not only writes.
    assert_api_error(client.get("/api/t/domain/not_found"), 403, "suspended")


def test_a_suspension_that_has_ended_lets_the_session_work_again():
    user = UserFactory(suspended_until=timezone.now() - timedelta(seconds=1), suspension_reason="x")
    client = Client(headers={"X-Session-Token": session_token_for(user)})
    assert _post(client).status_code == 200
