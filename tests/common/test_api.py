"""The one /api/ error shape: every kind of error, its status, code and headers."""

import json

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.utils import assert_api_error, token_client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.common.urls_errors")]


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("invalid", 400),
        ("forbidden", 403),
        ("suspended", 403),
        ("not_found", 404),
        ("conflict", 409),
        ("rate_limited", 429),
    ],
)
def test_domain_errors_keep_their_status_code_and_fields(client, kind, status):
    error = assert_api_error(client.get(f"/api/t/domain/{kind}"), status, kind)
    if kind == "invalid":
        assert error["fields"] == {"name": ["Required."]}


def test_rate_limited_says_when_to_retry_rounding_up(client):
    response = client.get("/api/t/domain/rate_limited")
    assert response["Retry-After"] == "3"


def test_a_delete_that_other_rows_depend_on_is_a_conflict_not_a_500(client):
    assert_api_error(client.delete("/api/t/protected"), 409, "conflict")


def test_malformed_json_is_400(client):
    response = client.post("/api/t/echo", data="{not json", content_type="application/json")
    assert_api_error(response, 400, "malformed_request")


@pytest.mark.parametrize("body", ["NaN", '{"count": Infinity, "name": "x"}'])
def test_non_standard_json_constants_are_400(client, body):
    response = client.post("/api/t/echo", data=body, content_type="application/json")
    assert_api_error(response, 400, "malformed_request")


def test_json_nested_too_deeply_is_400_not_a_recursion_crash(client):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/t/echo", data=body, content_type="application/json")
    assert_api_error(response, 400, "malformed_request")


def test_wrong_types_name_each_field(client):
    response = client.post(
        "/api/t/echo", data={"count": "many", "name": ["a"]}, content_type="application/json"
    )
    error = assert_api_error(response, 400, "invalid")
    assert set(error["fields"]) == {"count", "name"}


@pytest.mark.parametrize("body", [[1, 2], "a string", 3, None])
def test_a_body_that_is_not_an_object_is_400(client, body):
    response = client.post("/api/t/echo", data=json.dumps(body), content_type="application/json")
    error = assert_api_error(response, 400, "invalid")
    assert "non_field_errors" in error["fields"]


def test_unsupported_content_type_is_415(client):
    response = client.post("/api/t/echo", data="count=1", content_type="text/plain")
    assert_api_error(response, 415, "unsupported_media_type")


def test_wrong_method_is_405_with_allow(client):
    response = client.get("/api/t/echo")
    assert_api_error(response, 405, "method_not_allowed")
    assert "POST" in response["Allow"]


def test_anonymous_is_401_with_a_challenge(client):
    response = client.post("/api/t/verified", content_type="application/json")
    assert_api_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == 'Session realm="api"'


def test_unverified_email_is_403_email_unverified():
    client = token_client(UserFactory(email_verified=False))
    response = client.post("/api/t/verified", content_type="application/json")
    assert_api_error(response, 403, "email_unverified")


def test_verified_email_passes():
    client = token_client(UserFactory(email_verified=True))
    assert client.post("/api/t/verified", content_type="application/json").status_code == 200


def test_with_verification_off_unverified_users_may_write(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "none"
    client = token_client(UserFactory(email_verified=False))
    assert client.post("/api/t/verified", content_type="application/json").status_code == 200


def test_csrf_failure_on_a_drf_view_is_403_csrf_failed():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    response = client.post("/api/t/verified", content_type="application/json")
    error = assert_api_error(response, 403, "csrf_failed")
    assert "X-CSRFToken" in error["message"]


def test_csrf_failure_outside_drf_is_json_too():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/t/plain-post")
    assert_api_error(response, 403, "csrf_failed")


@pytest.mark.parametrize("debug", [False, True])
def test_unknown_api_url_is_json_404_even_with_debug(client, settings, debug):
    settings.DEBUG = debug
    assert_api_error(client.get("/api/t/no-such-thing"), 404, "not_found")
    assert_api_error(client.get("/api/t/plain-404"), 404, "not_found")


def test_pages_outside_api_keep_html_errors(client):
    response = client.get("/page/plain-404")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("url", ["/api/t/crash", "/api/t/plain-crash"])
def test_a_crash_is_json_500_never_an_html_page(settings, debug, url):
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    assert_api_error(client.get(url), 500, "server_error")
