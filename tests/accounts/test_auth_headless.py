"""allauth's headless API for both clients, and how each then reaches /api/.

browser: /_allauth/browser/v1/… with the session cookie and CSRF (like a web page).
app:     /_allauth/app/v1/… with `X-Session-Token` only; cookies are ignored
         (allauth #3883, #3981).
"""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User, UserProfile
from tests.accounts.test_auth_pages import NEW_PASSWORD, email_link
from tests.factories import UserFactory
from tests.factories.accounts import DEFAULT_PASSWORD
from tests.utils import assert_api_error

pytestmark = pytest.mark.django_db

APP = "/_allauth/app/v1"
BROWSER = "/_allauth/browser/v1"


def post_json(client, url, data=None, **extra):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json", **extra)


# --- app client ----------------------------------------------------------------------


def app_login(client, **credentials):
    return post_json(client, f"{APP}/auth/login", credentials)


def test_app_signup_returns_a_session_token_that_the_api_accepts():
    client = Client()
    response = post_json(
        client,
        f"{APP}/auth/signup",
        {"email": "app.user@example.com", "username": "appuser", "password": NEW_PASSWORD},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    token = body["meta"]["session_token"]
    assert body["data"]["user"]["username"] == "appuser"
    assert body["data"]["user"]["email_verified"] is False
    assert body["data"]["user"]["role"] == "USER"
    assert UserProfile.objects.filter(user__username="appuser").exists()

    api = Client(headers={"X-Session-Token": token})
    profile = api.get("/api/user/profile")
    assert profile.status_code == 200
    assert profile.json()["email_verified"] is False


@pytest.mark.parametrize("field", ["username", "email"])
def test_app_login_by_username_or_email(field):
    user = UserFactory()
    response = app_login(Client(), **{field: getattr(user, field), "password": DEFAULT_PASSWORD})
    assert response.status_code == 200, response.content
    token = response.json()["meta"]["session_token"]

    api = Client(headers={"X-Session-Token": token})
    assert api.get("/api/user/profile").json()["username"] == user.username
    session = Client(headers={"X-Session-Token": token}).get(f"{APP}/auth/session")
    assert session.status_code == 200
    assert session.json()["data"]["user"]["id"] == user.pk


def test_app_endpoints_ignore_the_session_cookie():
    user = UserFactory()
    client = Client()
    client.force_login(user)  # a cookie session…
    assert client.get(f"{APP}/auth/session").status_code == 401  # …is not an app session
    assert client.get(f"{BROWSER}/auth/session").status_code == 200


def test_app_wrong_password_is_400():
    user = UserFactory()
    response = app_login(Client(), username=user.username, password="wrong")
    assert response.status_code == 400
    assert "meta" not in response.json() or "session_token" not in response.json()["meta"]


def test_app_logout_kills_the_token():
    user = UserFactory()
    token = app_login(Client(), username=user.username, password=DEFAULT_PASSWORD).json()["meta"][
        "session_token"
    ]
    client = Client(headers={"X-Session-Token": token})
    assert client.delete(f"{APP}/auth/session").status_code == 401
    assert client.get(f"{APP}/auth/session").status_code == 410  # allauth: token gone
    assert_api_error(client.get("/api/user/profile"), 401, "not_authenticated")


@pytest.mark.django_db(transaction=True)
def test_app_email_verification_by_key(outbox):
    client = Client()
    response = post_json(
        client,
        f"{APP}/auth/signup",
        {"email": "verify.me@example.com", "username": "verifyme", "password": NEW_PASSWORD},
    )
    token = response.json()["meta"]["session_token"]
    key = email_link(outbox[0], "/accounts/confirm-email/").rstrip("/").rsplit("/", 1)[-1]

    app = Client(headers={"X-Session-Token": token})
    response = post_json(app, f"{APP}/auth/email/verify", {"key": key})
    assert response.status_code == 200, response.content
    assert User.objects.get(username="verifyme").email_verified is True
    assert app.get(f"{APP}/auth/session").json()["data"]["user"]["email_verified"] is True


@pytest.mark.django_db(transaction=True)
def test_app_password_reset(outbox):
    user = UserFactory()
    client = Client()
    response = post_json(client, f"{APP}/auth/password/request", {"email": user.email})
    assert response.status_code == 200, response.content
    path = email_link(outbox[0], "/accounts/password/reset/key/")
    key = path.rstrip("/").rsplit("/", 1)[-1]
    response = post_json(
        client, f"{APP}/auth/password/reset", {"key": key, "password": NEW_PASSWORD}
    )
    # 401: the password is reset and nobody is signed in (ACCOUNT_LOGIN_ON_PASSWORD_RESET off).
    assert response.status_code == 401, response.content
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert app_login(Client(), username=user.username, password=NEW_PASSWORD).status_code == 200


@pytest.mark.parametrize("key", ["-abc", "-", "zz-", "!!-abc"])
def test_a_reset_key_without_a_user_part_is_a_400_not_a_500(key):
    client = Client(raise_request_exception=False)
    posted = post_json(client, f"{APP}/auth/password/reset", {"key": key, "password": NEW_PASSWORD})
    read = client.get(f"{APP}/auth/password/reset", headers={"X-Password-Reset-Key": key})
    for response in (posted, read):
        assert response.status_code == 400, response.content
        assert response.json()["errors"][0]["code"] == "invalid_password_reset"


def test_a_suspended_user_cannot_log_in_by_app_and_is_told_why():
    user = UserFactory(
        suspended_until=timezone.now() + timedelta(hours=5), suspension_reason="Spam"
    )
    response = app_login(Client(), username=user.username, password=DEFAULT_PASSWORD)
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["errors"][0]["code"] == "suspended"
    assert body["errors"][0]["reason"] == "Spam"
    assert "session_token" not in body.get("meta", {})


def test_an_existing_app_token_of_a_suspended_user_is_refused_except_sign_out():
    user = UserFactory()
    token = app_login(Client(), username=user.username, password=DEFAULT_PASSWORD).json()["meta"][
        "session_token"
    ]
    user.is_suspended_indefinitely = True
    user.suspension_reason = "Abuse"
    user.save()
    client = Client(headers={"X-Session-Token": token})
    response = client.get(f"{APP}/auth/session")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "suspended"
    assert_api_error(client.get("/api/user/profile"), 403, "suspended")
    assert client.delete(f"{APP}/auth/session").status_code == 401  # signing out still works


def test_app_login_rate_limit_is_429_with_retry_after(settings):
    settings.ACCOUNT_RATE_LIMITS = {"login": "1/m/ip"}
    user = UserFactory()
    app_login(Client(), username=user.username, password="wrong")
    response = app_login(Client(), username=user.username, password=DEFAULT_PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"


# --- browser client ------------------------------------------------------------------


@pytest.fixture
def browser():
    """A browser-like client: CSRF enforced, token read from the csrftoken cookie."""
    client = Client(enforce_csrf_checks=True)
    assert client.get(f"{BROWSER}/auth/session").status_code == 401  # sets csrftoken
    return client


def csrf(client) -> dict:
    return {"headers": {"X-CSRFToken": client.cookies["csrftoken"].value}}


def test_browser_login_needs_csrf(browser):
    user = UserFactory()
    credentials = {"username": user.username, "password": DEFAULT_PASSWORD}
    refused = post_json(browser, f"{BROWSER}/auth/login", credentials)
    assert_api_error(refused, 403, "csrf_failed")  # JSON, not Django's HTML page
    response = post_json(browser, f"{BROWSER}/auth/login", credentials, **csrf(browser))
    assert response.status_code == 200, response.content
    assert "session_token" not in response.json().get("meta", {})  # browsers use the cookie


@pytest.mark.parametrize("field", ["username", "email"])
def test_browser_login_then_api_with_cookie_and_csrf_then_logout(browser, field):
    user = UserFactory()
    response = post_json(
        browser,
        f"{BROWSER}/auth/login",
        {field: getattr(user, field), "password": DEFAULT_PASSWORD},
        **csrf(browser),
    )
    assert response.status_code == 200, response.content

    assert browser.get("/api/user/profile").json()["username"] == user.username
    patch = {"display_name": "Cookie Person"}
    response = browser.patch("/api/user/profile", data=patch, content_type="application/json")
    assert_api_error(response, 403, "csrf_failed")
    response = browser.patch(
        "/api/user/profile", data=patch, content_type="application/json", **csrf(browser)
    )
    assert response.status_code == 200
    assert response.json()["display_name"] == "Cookie Person"

    assert browser.delete(f"{BROWSER}/auth/session", **csrf(browser)).status_code == 401
    assert_api_error(browser.get("/api/user/profile"), 401, "not_authenticated")


@pytest.mark.django_db(transaction=True)
def test_browser_signup_and_verification(browser, outbox):
    response = post_json(
        browser,
        f"{BROWSER}/auth/signup",
        {"email": "web.user@example.com", "username": "webuser", "password": NEW_PASSWORD},
        **csrf(browser),
    )
    assert response.status_code == 200, response.content
    assert response.json()["data"]["user"]["email_verified"] is False
    key = email_link(outbox[0], "/accounts/confirm-email/").rstrip("/").rsplit("/", 1)[-1]
    response = post_json(browser, f"{BROWSER}/auth/email/verify", {"key": key}, **csrf(browser))
    assert response.status_code == 200, response.content
    assert User.objects.get(username="webuser").email_verified is True


@pytest.mark.django_db(transaction=True)
def test_browser_password_reset(browser, outbox):
    user = UserFactory()
    response = post_json(
        browser, f"{BROWSER}/auth/password/request", {"email": user.email}, **csrf(browser)
    )
    assert response.status_code == 200
    key = email_link(outbox[0], "/accounts/password/reset/key/").rstrip("/").rsplit("/", 1)[-1]
    response = post_json(
        browser,
        f"{BROWSER}/auth/password/reset",
        {"key": key, "password": NEW_PASSWORD},
        **csrf(browser),
    )
    assert response.status_code == 401, response.content  # reset, not signed in (as above)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_browser_session_of_a_suspended_user_is_refused(browser):
    user = UserFactory()
    post_json(
        browser,
        f"{BROWSER}/auth/login",
        {"username": user.username, "password": DEFAULT_PASSWORD},
        **csrf(browser),
    )
    User.objects.filter(pk=user.pk).update(is_suspended_indefinitely=True)
    response = browser.get(f"{BROWSER}/auth/session")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "suspended"
    assert_api_error(browser.get("/api/user/profile"), 403, "suspended")


# --- what Django answers under /_allauth/ (not allauth's views) -------------------------


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_headless_url_is_a_json_404(settings, debug):
    settings.DEBUG = debug  # DEBUG's technical page is rewritten too
    for path in (f"{APP}/no-such-thing", f"{BROWSER}/no-such-thing", "/_allauth/nothing"):
        assert_api_error(Client().get(path), 404, "not_found")


@pytest.mark.parametrize("body", ["{", "[1]"])
def test_json_allauth_cannot_read_is_a_json_400(body):
    response = Client().post(f"{APP}/auth/login", data=body, content_type="application/json")
    assert_api_error(response, 400, "malformed_request")


def test_allauth_keeps_its_own_shape_for_its_own_errors():
    response = post_json(Client(), f"{APP}/auth/login", {"username": "nobody", "password": "x"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"]


@pytest.mark.parametrize("debug", [False, True])
def test_a_disallowed_host_under_allauth_is_a_json_400_and_a_page_elsewhere(settings, debug):
    settings.DEBUG = debug
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client(HTTP_HOST="evil.example")
    assert_api_error(client.get(f"{APP}/config"), 400, "malformed_request")
    assert_api_error(post_json(client, f"{APP}/auth/login", {}), 400, "malformed_request")
    page = client.get("/accounts/login/")
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")


def test_a_csrf_failure_on_a_page_stays_a_page():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "x"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
