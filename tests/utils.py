"""Small helpers shared by the API tests."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
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


def session_key_for(user) -> str:
    """A real signed-in session, as Django's login() makes it: its key is both the
    browser's session cookie and allauth's app session token (X-Session-Token)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


# The app token is the session key: the same helper under the name the API tests read.
session_token_for = session_key_for


def token_client(user) -> Client:
    """A client that authenticates like an app: X-Session-Token, no cookie."""
    return Client(headers={"X-Session-Token": session_token_for(user)})
