"""Wrong types and hostile values in every field of the accounts API: 400 or success in
the one error shape, never a 500."""

import json

import pytest

from accounts.services.profiles import PROFILE_EDITABLE_FIELDS
from tests.factories import UserFactory
from tests.utils import assert_api_error, token_client

pytestmark = pytest.mark.django_db

HOSTILE_VALUES = [
    None,
    0,
    -1,
    10**30,
    1.5,
    True,
    [],
    ["a"],
    {},
    {"nested": {"x": [1]}},
    "",
    " ",
    "x" * 20_000,
    "nul\u0000byte",
    "😀" * 300,
    "<script>alert(1)</script>",
    "'; DROP TABLE users; --",
]


@pytest.fixture(autouse=True)
def _no_throttling(settings):
    """Hundreds of writes by one user: throttling would answer 429 and test nothing."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"writes": "100000/minute", "anon_writes": "100000/minute"},
    }


def _is_fine(response) -> bool:
    if response.status_code >= 500 or response.status_code == 429:
        return False
    if response.status_code >= 400:
        assert_api_error(response, response.status_code, response.json()["error"]["code"])
    return True


@pytest.fixture
def client():
    return token_client(UserFactory())


def test_profile_fields(client):
    failures = []
    for field in ("display_name", *PROFILE_EDITABLE_FIELDS):
        for value in HOSTILE_VALUES:
            body = {field: value} if field == "display_name" else {"profile": {field: value}}
            response = client.patch(
                "/api/user/profile", data=json.dumps(body), content_type="application/json"
            )
            if not _is_fine(response):
                failures.append((field, repr(value)[:40], response.status_code))
    assert not failures


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=lambda v: repr(v)[:20])
def test_metadata_values_and_keys(client, value):
    for key in ["ok", "x" * 65, "UPPER", "semi;colon"]:
        response = client.put(
            f"/api/user/metadata/{key}",
            data=json.dumps({"value": value}),
            content_type="application/json",
        )
        assert _is_fine(response), (key, value, response.content)


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=lambda v: repr(v)[:20])
def test_account_deletion_inputs(client, value):
    for field in ("password", "confirm_username"):
        response = client.delete(
            "/api/user/account", data=json.dumps({field: value}), content_type="application/json"
        )
        assert _is_fine(response)
        assert response.status_code != 204


@pytest.mark.parametrize(
    "body",
    ["", "null", "[]", '"text"', "{", '{"a": NaN}', "\x00", "{" * 5000, '{"profile": null}'],
)
def test_raw_bodies_on_every_write(client, body):
    for method, url in [
        ("patch", "/api/user/profile"),
        ("put", "/api/user/metadata/k"),
        ("delete", "/api/user/account"),
    ]:
        response = getattr(client, method)(url, data=body, content_type="application/json")
        assert _is_fine(response), (method, url, body[:20], response.content)


def test_avatar_as_a_text_field_is_400(client):
    response = client.post("/api/user/avatar", {"avatar": "not a file"})
    assert_api_error(response, 400, "invalid")
