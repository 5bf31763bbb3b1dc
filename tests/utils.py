"""Small helpers shared by the API tests."""

from __future__ import annotations

from typing import Any

from django.test import Client


def assert_api_error(response, status: int, code: str) -> dict[str, Any]:
    """The response is the one /api/ error shape, with this status and code."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].split(";")[0] == "application/json", response.content
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}, error
    assert error["code"] == code, error
    assert isinstance(error["message"], str), error
    assert error["message"], error
    assert isinstance(error["fields"], dict), error
    return error


def session_token_for(user) -> str:
    """An allauth app session token for `user` (the token is a Django session key)."""
    client = Client()
    client.force_login(user)
    return client.session.session_key


def token_client(user) -> Client:
    """A client that authenticates like an app: X-Session-Token, no cookie."""
    return Client(headers={"X-Session-Token": session_token_for(user)})
