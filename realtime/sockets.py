"""Closing open sockets when a session or an account ends: one mechanism for every door.

A socket is tied to the Django session it authenticated with (the cookie's session, or
the session an app token names) and lives no longer than that session is valid for its
user. Every way a session ends reaches the socket through a signal wired in
RealtimeConfig.ready, so no view, service or allauth flow calls this module:

- a session row is deleted (`Session` post_delete: logout, allauth's "sign out other
  sessions" and every `UserSession.end()`, an email change that ends sessions, a key
  cycled by login or by a password change) → `close_session_sockets`, 4401 for the
  sockets of that session only;
- the user's password changes (the user row is saved after `set_password`: a change, a
  reset, `changepassword`, the admin) → `check_user_sessions`: each socket of the user
  re-checks its own session the way the next HTTP request would (Django's session auth
  hash) and closes with 4401 if it no longer names the user. A session kept alive by
  `update_session_auth_hash` keeps its sockets;
- Django's `user_logged_out` → `close_session_sockets` (also covered by the delete);
- `common.signals.user_access_revoked` (suspension, account deletion) →
  `close_user_sockets`: every socket of the user, 4403 for "suspended", 4401 otherwise.

Each sends a control message to the user's group after the current transaction commits;
every socket of that user, on every Daphne process, checks it (RealtimeConsumer.rt_control).
Close codes: realtime/close_codes.py.
"""

from __future__ import annotations

import hashlib

from asgiref.sync import async_to_sync
from django.contrib.auth import SESSION_KEY
from django.db import transaction

from . import close_codes
from .auth import forget_session
from .events import send_control_async


def session_fingerprint(session_key: str | None) -> str | None:
    """Control messages name a session by a hash of its key, never the key itself."""
    if not session_key:
        return None
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]


def _send(user_id: int, message: dict) -> None:
    # robust: the write that ended a session has committed; a failed push (Redis down, no
    # usable loop in this thread) is logged and must not turn it into a 500.
    transaction.on_commit(lambda: async_to_sync(send_control_async)(user_id, message), robust=True)


def close_session_sockets(
    *, user_id: int, session_key: str, code: int = close_codes.UNAUTHENTICATED
) -> None:
    """Close the sockets opened with this session (cookie or app token): it ended."""
    _send(
        user_id,
        {
            "type": "rt.control",
            "action": "session.revoked",
            "session": session_fingerprint(session_key),
            "code": code,
        },
    )


def check_user_sessions(*, user_id: int) -> None:
    """Every socket of the user re-checks its session; the ones it no longer names close."""
    _send(
        user_id,
        {
            "type": "rt.control",
            "action": "sessions.check",
            "session": None,
            "code": close_codes.UNAUTHENTICATED,
        },
    )


def close_user_sockets(
    *, user_id: int, code: int = close_codes.SUSPENDED, reason: str = "user.suspended"
) -> None:
    """Close every socket of the user: suspension (4403), deactivation (4401)."""
    _send(user_id, {"type": "rt.control", "action": reason, "session": None, "code": code})


def on_user_logged_out(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if user is not None and session is not None and session.session_key:
        close_session_sockets(user_id=user.pk, session_key=session.session_key)


def on_session_deleted(sender, instance, **kwargs) -> None:
    """A session row is gone: its sockets go too (whoever deleted it, however)."""
    forget_session(instance.session_key)
    try:
        user_id = instance.get_decoded().get(SESSION_KEY)
    except Exception:  # an undecodable session authenticates nobody, nor any socket
        return
    if user_id is not None and str(user_id).isdigit():
        close_session_sockets(user_id=int(user_id), session_key=instance.session_key)


def on_user_saved(sender, instance, created: bool, update_fields=None, **kwargs) -> None:
    """After `set_password` (Django keeps the raw password in `_password` until the save
    has run) or a save naming the password field: other sessions are no longer valid."""
    if created:
        return
    changed = getattr(instance, "_password", None) is not None or (
        update_fields is not None and "password" in update_fields
    )
    if changed:
        check_user_sessions(user_id=instance.pk)


def on_user_access_revoked(sender, user_id: int, reason: str, **kwargs) -> None:
    if reason == "suspended":
        close_user_sockets(user_id=user_id, code=close_codes.SUSPENDED, reason="user.suspended")
    else:
        close_user_sockets(
            user_id=user_id, code=close_codes.UNAUTHENTICATED, reason=f"user.{reason}"
        )
