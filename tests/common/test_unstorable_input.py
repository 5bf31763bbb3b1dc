"""Lone surrogates and NUL characters anywhere in a request: a 400 in the API error shape,
before any view runs (common.middleware.UnstorableInputMiddleware), never a 500.

A JSON body can carry both only as escapes (`"\\ud800"`, `"\\u0000"`): `json.loads`
accepts them, and then the value breaks whatever touches it next — the UTF-8 encoder of
the response that echoes it in an error message, the password hasher, PostgreSQL (which
stores neither in text or jsonb). These are the inputs the probe of issue 8 found.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.factories import ReviewFactory, SavedSearchFactory, StudioFactory, UserFactory
from tests.support.images import image_bytes, upload
from tests.utils import assert_api_error, token_client

pytestmark = pytest.mark.django_db

APP = "/_allauth/app/v1"
BROWSER = "/_allauth/browser/v1"
SURROGATE = "\ud800"
NUL = "\x00"


def _send(client: Client, method: str, url: str, body) -> object:
    # json.dumps writes the lone surrogate as the escape "\ud800", as an attacker would.
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def _assert_refused(response, where: str) -> None:
    error = assert_api_error(response, 400, "invalid")
    assert where in error["fields"], error


@pytest.mark.parametrize("bad", [SURROGATE, NUL], ids=["surrogate", "nul"])
@pytest.mark.parametrize(
    ("url", "body", "where"),
    [
        (f"{APP}/auth/login", {"username": "demo", "password": "{bad}"}, "password"),
        (f"{APP}/auth/login", {"username": "{bad}", "password": "x"}, "username"),
        (
            f"{APP}/auth/signup",
            {"email": "a@example.com", "username": "{bad}", "password": "long enough 123"},
            "username",
        ),
        (f"{BROWSER}/auth/login", {"username": "demo", "password": "{bad}"}, "password"),
    ],
    ids=["app-login-password", "app-login-username", "app-signup", "browser-login"],
)
def test_allauth_headless_refuses_them_before_login(url, body, where, bad):
    UserFactory(username="demo")
    body = {k: v.replace("{bad}", bad) for k, v in body.items()}
    _assert_refused(_send(Client(), "post", url, body), where)


@pytest.fixture
def owner_client():
    owner = UserFactory(owner=True)
    return owner, token_client(owner)


@pytest.mark.parametrize("bad", [SURROGATE, NUL], ids=["surrogate", "nul"])
def test_signed_in_writes_refuse_them(owner_client, bad):
    owner, client = owner_client
    studio = StudioFactory(owner=owner)
    SavedSearchFactory(user=owner)
    cases = [
        ("patch", f"/api/studio/manage/{studio.pk}", {"status": bad}, "status"),
        ("patch", f"/api/studio/manage/{studio.pk}", {"studio_types": [bad]}, "studio_types.0"),
        ("patch", f"/api/studio/manage/{studio.pk}", {"services": [bad]}, "services.0"),
        ("post", "/api/user/connections", {"action": bad, "username": "x"}, "action"),
        ("post", "/api/user/saved-searches", {"name": "n", "filters": {bad: 1}}, "filters"),
        ("post", "/api/user/saved-searches", {"name": "n", "filters": {"q": bad}}, "filters.q"),
        (
            "put",
            "/api/user/notification-preferences",
            {"preferences": {bad: {"email": False}}},
            "preferences",
        ),
        ("put", "/api/user/metadata/theme", {"value": bad}, "value"),
        ("put", "/api/user/metadata/theme", {"value": {bad: 1}}, "value"),
    ]
    for method, url, body, where in cases:
        _assert_refused(_send(client, method, url, body), where)


@pytest.mark.parametrize("bad", [SURROGATE, NUL], ids=["surrogate", "nul"])
def test_admin_review_status_refuses_them(bad):
    review = ReviewFactory()
    client = token_client(UserFactory(admin=True))
    response = _send(client, "patch", f"/api/admin/reviews/{review.pk}", {"status": bad})
    _assert_refused(response, "status")


def test_the_error_names_the_place_of_a_nested_value():
    client = token_client(UserFactory())
    body = {"display_name": "ok", "profile": {"custom_connection_methods": ["a", "b\x00"]}}
    response = _send(client, "patch", "/api/user/profile", body)
    error = assert_api_error(response, 400, "invalid")
    assert error["fields"] == {
        "profile.custom_connection_methods.1": ["Contains a NUL character, which cannot be stored."]
    }


def test_a_nul_in_the_path_is_a_404_json():
    client = token_client(UserFactory())
    assert_api_error(client.get("/api/conversations/a%00b/messages"), 404, "not_found")
    assert_api_error(client.get("/_allauth/app/v1/auth/a%00b"), 404, "not_found")


def test_a_nul_in_the_query_string_is_a_400_json():
    response = Client().get("/api/studios/search?q=a%00b")
    error = assert_api_error(response, 400, "invalid")
    assert "q" in error["fields"]


def test_a_nul_in_a_page_path_is_a_plain_404():
    response = Client().get("/studios/a%00b")
    assert response.status_code == 404


def test_valid_unicode_passes_untouched():
    """Astral characters (a surrogate *pair* in JSON) and ordinary accents are fine."""
    client = token_client(UserFactory())
    body = {"display_name": "Zoë 🎙️", "profile": {"about": "Ça marche \ud83c\udf99"}}
    response = _send(client, "patch", "/api/user/profile", body)
    assert response.status_code == 200, response.content
    assert response.json()["profile"]["about"] == "Ça marche 🎙"


def test_a_body_that_is_not_json_is_left_to_the_view():
    client = token_client(UserFactory())
    response = client.patch("/api/user/profile", data="{not json", content_type="application/json")
    assert_api_error(response, 400, "malformed_request")


def test_a_nul_in_a_multipart_field_is_a_400_json(owner_client):
    """Multipart is left to DRF (its CharField refuses NUL): parsing it in the middleware
    would leave views without a form parser unable to read their body."""
    owner, client = owner_client
    studio = StudioFactory(owner=owner)
    response = client.post(
        f"/api/studio/manage/{studio.pk}/images",
        {"image": upload(image_bytes()), "alt_text": "Bo\x00oth"},
    )
    _assert_refused(response, "alt_text")
    assert not studio.images.exists()


def test_a_nul_in_a_urlencoded_form_is_a_plain_400_on_a_page():
    response = Client().post(
        "/accounts/login/",
        "login=a%00b&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400


def test_a_malformed_multipart_body_is_still_a_4xx(owner_client):
    owner, client = owner_client
    studio = StudioFactory(owner=owner)
    response = client.post(
        f"/api/studio/manage/{studio.pk}/images",
        data=b"--x\r\nContent-Disposition: form-data; broken",
        content_type="multipart/form-data; boundary=x",
    )
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"].startswith("application/json")


# Well-formed JSON that Python's parser refuses: RecursionError, and ValueError past
# sys.get_int_max_str_digits(). allauth's headless views catch only JSONDecodeError.
DEEP = "[" * 10_000 + "]" * 10_000
LONG_INTEGER = '{"email": ' + "1" * 5_000 + "}"


@pytest.mark.parametrize("body", [DEEP, LONG_INTEGER], ids=["deep", "long-integer"])
@pytest.mark.parametrize(
    ("method", "url", "signed_in"),
    [
        ("post", f"{APP}/auth/login", False),
        ("post", f"{APP}/auth/signup", False),
        ("post", f"{APP}/auth/password/request", False),
        ("post", f"{APP}/auth/email/verify", False),
        ("post", f"{APP}/auth/provider/token", False),
        ("post", f"{BROWSER}/auth/login", False),
        ("delete", f"{APP}/auth/session", True),
        ("put", f"{APP}/auth/sessions", True),
        ("patch", f"{APP}/account/providers", True),
        ("post", "/api/moderation/reports", True),
    ],
)
def test_json_python_cannot_read_is_a_400_everywhere(method, url, signed_in, body):
    client = token_client(UserFactory()) if signed_in else Client()
    response = getattr(client, method)(url, data=body, content_type="application/json")
    assert_api_error(response, 400, "malformed_request")
