"""The pages' Content-Security-Policy (frontend/middleware.py): own scripts and styles
only. The browser tests fail on any violation (conftest.PageErrors); these check where the
header is sent."""

from __future__ import annotations

import pytest
from django.test import override_settings

from frontend.middleware import content_security_policy
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/", "/search", "/faq", "/premium", "/accounts/login/", "/no-such-page/x"]
)
def test_pages_carry_the_policy(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy


def test_signed_in_pages_and_the_unsubscribe_page_carry_it(client):
    client.force_login(UserFactory())
    assert "script-src 'self'" in client.get("/messages")["Content-Security-Policy"]
    response = client.get("/saved-searches/unsubscribe/not-a-token")
    assert response.status_code == 404
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert b"style=" not in response.content


def test_json_and_the_admin_are_left_alone(client):
    assert "Content-Security-Policy" not in client.get("/api/faq")
    admin = UserFactory(admin=True)
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response


def test_the_map_tile_host_is_allowed_for_images():
    site = "https://studios.example.com"
    with override_settings(SITE_URL=site, MAP_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png"):
        assert "img-src 'self' data: https: https://tiles.example.org;" in content_security_policy()
    with override_settings(SITE_URL=site, MAP_TILE_URL=""):
        assert "img-src 'self' data: https:;" in content_security_policy() + ";"


def test_uploads_on_a_plain_http_site_url_show_under_any_host_name():
    """A local run stores photo URLs on SITE_URL (http://127.0.0.1:8000/media/…); opened as
    http://localhost:8000 the page must still load them."""
    with override_settings(SITE_URL="http://127.0.0.1:8765", MAP_TILE_URL=""):
        assert "img-src 'self' data: https: http://127.0.0.1:8765;" in content_security_policy()


def test_a_legacy_link_is_redirected_with_our_names_and_sort_values(client):
    response = client.get("/search?studioTypes=HOME&sortBy=created_at&query=booth")
    assert response.status_code == 301
    assert response["Location"] == "/search?studio_types=HOME&sort=newest&q=booth"
