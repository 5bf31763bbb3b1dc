"""The browser pages at /accounts/: signup, verification, login, logout, password flows.

Real allauth views, forms and emails (locmem backend); nothing mocked.
"""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone

from accounts.models import User, UserProfile
from tests.factories import UserFactory
from tests.factories.accounts import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a much better password 2025"


def email_link(message, path_fragment: str) -> str:
    """The path of the first link in an email that contains `path_fragment`."""
    paths = re.findall(r"https?://[^/\s]+(/\S+)", message.body)
    found = [path for path in paths if path_fragment in path]
    assert found, message.body
    return found[0]


def _signup(client, **overrides):
    data = {
        "email": "new.voice@example.com",
        "username": "NewVoice",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }
    return client.post("/accounts/signup/", data)


@pytest.mark.django_db(transaction=True)
def test_signup_logs_in_sends_a_verification_link_and_creates_the_profile(client, outbox):
    assert client.get("/accounts/signup/").status_code == 200
    response = _signup(client)
    assert response.status_code == 302, response.content

    user = User.objects.get(username="NewVoice")
    assert user.display_name == "NewVoice"
    assert user.email_verified is False
    assert UserProfile.objects.filter(user=user).exists()
    assert EmailAddress.objects.get(user=user).verified is False
    # "optional" verification: signed in straight away, told to verify by email.
    assert int(client.session["_auth_user_id"]) == user.pk
    assert len(outbox) == 1
    assert "/accounts/confirm-email/" in outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_following_the_verification_link_verifies_and_mirrors_email_verified(client, outbox):
    _signup(client)
    link = email_link(outbox[0], "/accounts/confirm-email/")
    assert client.get(link).status_code == 200  # a confirmation page, not a GET side effect
    response = client.post(link)
    assert response.status_code == 302
    user = User.objects.get(username="NewVoice")
    assert user.email_verified is True
    assert EmailAddress.objects.get(user=user).verified is True


def test_mandatory_verification_is_a_setting(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    response = _signup(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


def test_reserved_usernames_are_refused(client):
    response = _signup(client, username="admin")
    assert response.status_code == 200
    assert not User.objects.filter(username="admin").exists()


@pytest.mark.parametrize("login_field", ["email", "username"])
def test_login_by_email_or_username_then_logout(client, login_field):
    user = UserFactory()
    response = client.post(
        "/accounts/login/", {"login": getattr(user, login_field), "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302, response.content
    assert int(client.session["_auth_user_id"]) == user.pk

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_wrong_password_is_refused(client):
    user = UserFactory()
    response = client.post("/accounts/login/", {"login": user.username, "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db(transaction=True)
def test_password_reset_by_email_link(client, outbox):
    user = UserFactory()
    response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    link = email_link(outbox[0], "/accounts/password/reset/key/")
    response = client.get(link)  # allauth moves the key into the session and redirects
    assert response.status_code == 302
    form_url = response["Location"]
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    fresh = Client()
    response = fresh.post("/accounts/login/", {"login": user.email, "password": NEW_PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_password_change_while_signed_in(client, outbox):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": DEFAULT_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The security notification the user gets about it.
    assert any("password" in m.subject.lower() for m in outbox)


def test_a_suspended_user_cannot_log_in(client):
    user = UserFactory(
        suspended_until=timezone.now() + timedelta(days=2), suspension_reason="Spam reviews"
    )
    response = client.post(
        "/accounts/login/", {"login": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 403
    assert b"Spam reviews" in response.content
    assert "_auth_user_id" not in client.session


def test_a_suspended_users_open_session_sees_the_suspension_page_but_can_sign_out(client):
    user = UserFactory()
    client.force_login(user)
    user.is_suspended_indefinitely = True
    user.suspension_reason = "Harassment"
    user.save()

    response = client.get("/accounts/email/")
    assert response.status_code == 403
    assert b"Harassment" in response.content
    assert client.get("/admin/").status_code == 403

    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_page_rate_limit_answers_429_with_retry_after(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login": "2/m/ip"}
    user = UserFactory()
    for _ in range(2):
        client.post("/accounts/login/", {"login": user.username, "password": "wrong"})
    response = client.post("/accounts/login/", {"login": user.username, "password": "wrong"})
    assert response.status_code == 429
    assert response["Retry-After"] == "60"


def test_signup_and_password_reset_rate_limits_answer_429(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"signup": "1/5m/ip", "reset_password": "1/m/key"}
    _signup(client)
    response = Client().post(
        "/accounts/signup/",
        {
            "email": "b@example.com",
            "username": "b",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 429
    assert response["Retry-After"] == "300"

    user = UserFactory()
    client.post("/accounts/password/reset/", {"email": user.email})
    response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 429
