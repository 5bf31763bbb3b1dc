"""Social login end to end against a local OpenID Connect provider (tests/fakes/oidc.py).

allauth's real OAuth2/OIDC code runs: it reads the discovery document, redirects to the
provider, exchanges the code over HTTP (client secret + PKCE), validates the ID token,
fetches userinfo, and signs the person in. Nothing of allauth is mocked; the only
stand-in is the provider itself.
"""

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.utils import timezone

from accounts.models import User
from tests.factories import UserFactory
from tests.fakes.oidc import FakeOIDCProvider

pytestmark = pytest.mark.django_db

PROVIDER_ID = "testsso"
LOGIN_URL = f"/accounts/oidc/{PROVIDER_ID}/login/"


@pytest.fixture
def oidc(settings):
    provider = FakeOIDCProvider().start()
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": PROVIDER_ID,
                    "name": "Test SSO",
                    "client_id": provider.client_id,
                    "secret": provider.client_secret,
                    "settings": {"server_url": provider.issuer},
                }
            ],
            "OAUTH_PKCE_ENABLED": True,
        }
    }
    yield provider
    provider.stop()


def _through_provider(client: Client, start: str, method: str = "post", **kwargs):
    """Start a login at our site, let the provider answer, come back to the callback."""
    response = getattr(client, method)(start, **kwargs)
    assert response.status_code == 302, response.content
    authorize_url = response["Location"]
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["code_challenge_method"] == ["S256"]  # PKCE is on
    at_provider = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    callback = urlsplit(at_provider.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def test_buttons_appear_only_for_configured_providers(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    page = client.get("/accounts/login/").content.decode()
    assert "/accounts/google/login/" not in page
    assert "/accounts/facebook/login/" not in page
    assert "/accounts/twitter_oauth2/login/" not in page

    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {"APPS": [{"client_id": "id", "secret": "secret"}]}
    }
    page = client.get("/accounts/login/").content.decode()
    assert "/accounts/google/login/" in page
    assert "/accounts/facebook/login/" not in page
    config = client.get("/_allauth/browser/v1/config").json()["data"]["socialaccount"]
    assert [p["id"] for p in config["providers"]] == ["google"]


def test_social_signup_and_login_through_the_provider(client, oidc):
    assert "Test SSO" in client.get("/accounts/login/").content.decode()

    response = _through_provider(client, LOGIN_URL)
    assert response.status_code == 302, response.content
    assert response["Location"] == "/"

    user = User.objects.get(email="sso.person@example.com")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert user.username == "ssoperson"
    assert user.display_name == "Sso Person"
    assert not user.has_usable_password()  # OAuth-only, like the legacy null password
    assert user.email_verified is True  # the provider vouched for the address
    assert EmailAddress.objects.get(user=user).verified is True
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == (PROVIDER_ID, "oidc-user-1")
    assert {"POST /token", "GET /userinfo"} <= set(oidc.requests)

    # The same person again: the same account, no duplicate.
    again = Client()
    assert _through_provider(again, LOGIN_URL).status_code == 302
    assert int(again.session["_auth_user_id"]) == user.pk
    assert User.objects.filter(email="sso.person@example.com").count() == 1


def test_a_signed_in_user_links_a_provider_account(client, oidc):
    user = UserFactory(email="someone.else@example.com")
    client.force_login(user)
    response = _through_provider(client, LOGIN_URL, data={"process": "connect"})
    assert response.status_code == 302, response.content
    assert SocialAccount.objects.get(provider=PROVIDER_ID).user == user

    # From now on, the provider signs them in as that user.
    fresh = Client()
    _through_provider(fresh, LOGIN_URL)
    assert int(fresh.session["_auth_user_id"]) == user.pk


def test_a_suspended_user_cannot_log_in_through_a_provider(client, oidc):
    user = UserFactory(
        suspended_until=timezone.now() + timedelta(days=1), suspension_reason="Fake reviews"
    )
    SocialAccount.objects.create(user=user, provider=PROVIDER_ID, uid="oidc-user-1")
    response = _through_provider(client, LOGIN_URL)
    assert response.status_code == 403
    assert b"Fake reviews" in response.content
    assert "_auth_user_id" not in client.session


def test_headless_browser_redirect_flow(oidc):
    client = Client(enforce_csrf_checks=True)
    client.get("/_allauth/browser/v1/auth/session")
    response = _through_provider(
        client,
        "/_allauth/browser/v1/auth/provider/redirect",
        data={
            "provider": PROVIDER_ID,
            "process": "login",
            "callback_url": "/welcome",
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/welcome"
    session = client.get("/_allauth/browser/v1/auth/session")
    assert session.status_code == 200
    assert session.json()["data"]["user"]["email"] == "sso.person@example.com"


def test_app_signs_in_with_a_provider_id_token(oidc):
    """A native app got an ID token from the provider's SDK and trades it for a session
    token; allauth checks the signature against the provider's JWKS."""
    id_token = oidc.id_token(oidc.next_user, audience=oidc.client_id)
    response = Client().post(
        "/_allauth/app/v1/auth/provider/token",
        data=json.dumps(
            {
                "provider": PROVIDER_ID,
                "process": "login",
                "token": {"client_id": oidc.client_id, "id_token": id_token},
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    token = response.json()["meta"]["session_token"]
    assert "GET /jwks" in oidc.requests
    profile = Client(headers={"X-Session-Token": token}).get("/api/user/profile")
    assert profile.json()["email"] == "sso.person@example.com"


def test_app_token_signed_by_someone_else_is_refused(oidc):
    impostor = FakeOIDCProvider()  # never started: only its key is used
    impostor._server, impostor._kid = oidc._server, oidc._kid  # same issuer and key id…
    forged = impostor.id_token(oidc.next_user, audience=oidc.client_id)  # …another key
    response = Client().post(
        "/_allauth/app/v1/auth/provider/token",
        data=json.dumps(
            {
                "provider": PROVIDER_ID,
                "process": "login",
                "token": {"client_id": oidc.client_id, "id_token": forged},
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="sso.person@example.com").exists()
