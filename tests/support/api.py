"""Small helpers for API tests."""

from __future__ import annotations


def error_of(response) -> dict:
    """The `error` object of an /api/ error response (and proof it has the one shape)."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]


def assert_needs_login(response) -> None:
    # The status is 401 once the accounts work lands its authentication header; the code
    # says "not signed in" either way.
    assert response.status_code in (401, 403), response.content
    assert error_of(response)["code"] == "not_authenticated"
