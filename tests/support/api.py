"""Small helpers for API tests."""

from __future__ import annotations


def error_of(response) -> dict:
    """The `error` object of an /api/ error response (and proof it has the one shape)."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]


def assert_needs_login(response) -> None:
    assert response.status_code == 401, response.content
    assert error_of(response)["code"] == "not_authenticated"
