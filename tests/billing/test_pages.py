"""The billing pages: shells over the API (their behaviour lives in static JS)."""

from __future__ import annotations

import json
import re

import pytest

from tests.factories import StudioFactory, UserFactory

pytestmark = pytest.mark.django_db


def _page_data(response) -> dict:
    match = re.search(
        r'<script id="page-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "page-data missing"
    return json.loads(match.group(1))


def test_billing_page_needs_login_and_loads_its_module(client):
    assert client.get("/billing").status_code == 302
    client.force_login(UserFactory())
    response = client.get("/billing")
    assert response.status_code == 200
    assert b"frontend/pages/billing.js" in response.content
    assert b'id="open-portal"' in response.content


@pytest.mark.parametrize(
    ("path", "result"),
    [("/billing/checkout/success", "success"), ("/billing/checkout/cancelled", "cancelled")],
)
def test_checkout_result_pages_pass_result_and_studio(client, path, result):
    studio = StudioFactory()
    client.force_login(studio.owner)
    response = client.get(path, {"studio_id": studio.pk, "session_id": "cs_test_1"})
    assert response.status_code == 200
    assert _page_data(response) == {"result": result, "studio_id": studio.pk}
    bad = client.get(path, {"studio_id": "x"})
    assert _page_data(bad)["studio_id"] is None


def test_studio_page_has_the_go_premium_section(client):
    studio = StudioFactory()
    response = client.get(f"/studios/{studio.pk}")
    assert b'id="go-premium"' in response.content  # shown to the owner by studio.js


def test_billing_is_not_a_username(client):
    from django.conf import settings

    assert "billing" in settings.ACCOUNT_USERNAME_BLACKLIST
