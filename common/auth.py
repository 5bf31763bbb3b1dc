"""Who is calling, and may they still act: the account checks HTTP and WebSocket share.

Everything here knows users only through `settings.AUTH_USER_MODEL` and the attributes
the user model exposes (`is_suspended`, `suspended_until`, `suspension_reason`,
`email_verified`), so `realtime` can use it without importing `directory`.

The WebSocket consumer authenticates and re-checks a user with:

    user, session_key = session_token_owner(token) or (None, None)   # None: close 4401
    if user_is_suspended(user): close 4403      # codes: realtime/close_codes.py
    session_user_id(session_key)                # still this user's? (session ends)

and listens to `common.signals.user_access_revoked` to close sockets that are already
open when an account is suspended or deleted (see docs/accounts.md, "Suspension").
All functions here are synchronous ORM code: call them through
`database_sync_to_async` from a consumer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user, get_user_model
from django.http import HttpRequest

from common.errors import EmailNotVerified, Suspended

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.sessions.backends.base import SessionBase

# How a deleted account is named where text must name someone (the unread-messages email).
# The API and the socket give `sender: null` (or `receiver: null`) and leave the words to
# the client.
DELETED_USER_DISPLAY_NAME = "Deleted user"


def authenticate_session_token(token: str | None) -> AbstractBaseUser | None:
    """The user behind an allauth session token (`X-Session-Token`), or None.

    The same lookup the DRF authentication class does: the token names a Django session,
    and Django's `get_user` checks it (expired session, changed password, inactive user
    all give None). Suspension is not checked here: call `user_is_suspended` next, so the
    caller can tell "unknown token" (4401) from "suspended" (4403).
    """
    found = session_token_owner(token)
    return found[0] if found else None


def session_token_owner(token: str | None) -> tuple[AbstractBaseUser, str] | None:
    """(user, session key) behind an allauth session token, or None.

    The WebSocket needs the session key too: logging out closes that session's sockets.
    """
    found = _session_token_session(token)
    return (found[0], found[1].session_key) if found else None


def request_session_token_auth(
    request: HttpRequest, token: str | None
) -> tuple[AbstractBaseUser, SessionBase] | None:
    """(user, session) behind the request's session token, looked up once per request.

    The suspension middleware and DRF's authentication class both need the caller of an
    API request; without this each would read the session and the user again (three
    queries apiece). The answer is kept on the Django request, keyed by the token.
    """
    cache = request.__dict__.setdefault("_session_token_auth", {})
    if token not in cache:
        cache[token] = _session_token_session(token)
    return cache[token]


def _session_token_session(token: str | None) -> tuple[AbstractBaseUser, SessionBase] | None:
    if not token or len(token) > 255:
        return None
    from allauth.headless import app_settings as headless_settings

    session = headless_settings.TOKEN_STRATEGY.lookup_session(token)
    if session is None:
        return None
    request = HttpRequest()
    request.session = session
    user = get_user(request)
    return (user, session) if user.is_authenticated else None


def session_user_id(session_key: str) -> int | None:
    """The id of the user a session still authenticates, or None.

    None when the session was deleted (logout, sessions ended elsewhere) or no longer
    matches its user (a password change or reset: Django's session auth hash differs),
    exactly as the next HTTP request of that session would see it.
    """
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    request = HttpRequest()
    request.session = store
    user = get_user(request)
    return user.pk if user.is_authenticated else None


def user_is_suspended(user: AbstractBaseUser | None) -> bool:
    """Whether this user object is suspended right now (`suspended_until` is compared
    with the current time, so a timed suspension ends by itself)."""
    return bool(user is not None and getattr(user, "is_suspended", False))


def user_id_is_suspended(user_id: int) -> bool:
    """The same, read fresh from the database: for long-lived connections that hold a
    user object loaded minutes ago."""
    user = get_user_model().objects.filter(pk=user_id).first()
    return user_is_suspended(user)


def suspension_details(user: AbstractBaseUser) -> dict[str, Any]:
    until = getattr(user, "suspended_until", None)
    indefinite = bool(getattr(user, "is_suspended_indefinitely", False))
    return {
        "until": None if indefinite or until is None else until.isoformat(),
        "indefinite": indefinite,
        "reason": getattr(user, "suspension_reason", "") or "",
    }


def suspended_error(user: AbstractBaseUser) -> Suspended:
    details = suspension_details(user)
    if details["indefinite"] or not details["until"]:
        message = "This account is suspended."
    else:
        message = f"This account is suspended until {details['until']}."
    if details["reason"]:
        message = f"{message} Reason: {details['reason']}"
    return Suspended(message, fields=details)


def ensure_not_suspended(user: AbstractBaseUser | None) -> None:
    """Raise `common.errors.Suspended` (403, code `suspended`) for a suspended user."""
    if user_is_suspended(user):
        raise suspended_error(user)


def email_verification_gate_enabled() -> bool:
    """Unverified users may not write reviews or messages unless verification is off.

    With ACCOUNT_EMAIL_VERIFICATION="none" no verification mail is ever sent, so gating
    on it would lock everyone out of writing.
    """
    return getattr(settings, "ACCOUNT_EMAIL_VERIFICATION", "optional") != "none"


def ensure_can_write_content(user: AbstractBaseUser) -> None:
    """Raise `Suspended` or `EmailNotVerified` (403) unless the user may write reviews or
    send messages. Services call it, so REST and WebSocket refuse alike."""
    ensure_not_suspended(user)
    if email_verification_gate_enabled() and not getattr(user, "email_verified", False):
        raise EmailNotVerified()
