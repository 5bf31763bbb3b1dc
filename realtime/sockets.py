"""Hooks other code calls to close sockets: logout and suspension.

    from realtime.sockets import close_session_sockets, close_user_sockets
    close_session_sockets(user_id=user.pk, session_key=session_key)   # logout → 4401
    close_user_sockets(user_id=user.pk)                                # suspended → 4403

Both send a control message to the user's group after the current transaction commits;
every socket of that user, on every Daphne process, checks it and closes. Two signals are
wired in RealtimeConfig.ready, so no other app calls these directly:

- Django's `user_logged_out` (which allauth's logout sends) → `close_session_sockets`;
- `common.signals.user_access_revoked` (suspension, account deletion; sent after commit
  by directory.services.accounts and the admin) → `close_user_sockets`, 4403 for
  "suspended", 4401 for anything else ("deleted").
"""

from __future__ import annotations

import hashlib

from asgiref.sync import async_to_sync
from django.db import transaction

from .events import send_control_async

CLOSE_UNAUTHENTICATED = 4401
CLOSE_SUSPENDED = 4403


def session_fingerprint(session_key: str | None) -> str | None:
    """A socket remembers a hash of its session, never the key itself."""
    if not session_key:
        return None
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]


def _send(user_id: int, message: dict) -> None:
    transaction.on_commit(lambda: async_to_sync(send_control_async)(user_id, message))


def close_session_sockets(
    *, user_id: int, session_key: str, code: int = CLOSE_UNAUTHENTICATED
) -> None:
    """Close the sockets opened with this session (cookie or app token): logout."""
    _send(
        user_id,
        {
            "type": "rt.control",
            "action": "session.revoked",
            "session": session_fingerprint(session_key),
            "code": code,
        },
    )


def close_user_sockets(
    *, user_id: int, code: int = CLOSE_SUSPENDED, reason: str = "user.suspended"
) -> None:
    """Close every socket of the user: suspension (4403), deactivation (4401)."""
    _send(user_id, {"type": "rt.control", "action": reason, "session": None, "code": code})


def on_user_logged_out(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if user is not None and session is not None and session.session_key:
        close_session_sockets(user_id=user.pk, session_key=session.session_key)


def on_user_access_revoked(sender, user_id: int, reason: str, **kwargs) -> None:
    if reason == "suspended":
        close_user_sockets(user_id=user_id, code=CLOSE_SUSPENDED, reason="user.suspended")
    else:
        close_user_sockets(user_id=user_id, code=CLOSE_UNAUTHENTICATED, reason=f"user.{reason}")
