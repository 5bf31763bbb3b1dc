"""Helpers of the browser tests: real sessions for browsers, client options for pages."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore


def session_key_for(user) -> str:
    """A real signed-in session, as Django's login() makes it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def sign_in_with_cookie(context, user, base: str) -> None:
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_key_for(user), "url": base}]
    )


def realtime_options(page, **options) -> None:
    """Adjust the client's timings for this page (docs/frontend.md: SF_REALTIME_OPTIONS)."""
    page.add_init_script(f"window.SF_REALTIME_OPTIONS = {json.dumps(options)};")
