"""Writes are throttled per user (per IP when anonymous); reads never are."""

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.utils import assert_api_error, token_client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.common.urls_errors")]


@pytest.fixture
def low_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"writes": "2/minute", "anon_writes": "1/minute"},
    }


def _post(client):
    return client.post(
        "/api/t/echo", data={"count": 1, "name": "a"}, content_type="application/json"
    )


def test_writes_over_the_rate_get_429_with_retry_after(low_rates):
    client = token_client(UserFactory())
    assert _post(client).status_code == 200
    assert _post(client).status_code == 200
    response = _post(client)
    assert_api_error(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 60


def test_the_limit_is_per_user(low_rates):
    first, second = token_client(UserFactory()), token_client(UserFactory())
    for _ in range(2):
        _post(first)
    assert _post(first).status_code == 429
    assert _post(second).status_code == 200


def test_reads_are_not_throttled(low_rates):
    client = token_client(UserFactory())
    for _ in range(2):
        _post(client)
    # A GET on the same view: 405 proves it went past the throttle to the view.
    assert client.get("/api/t/echo").status_code == 405


def test_anonymous_writes_are_limited_per_ip(low_rates):
    client = Client()
    assert _post(client).status_code == 200
    assert_api_error(_post(client), 429, "rate_limited")
