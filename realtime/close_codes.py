"""Every WebSocket close code the server sends, in one place (docs/realtime-protocol.md).

The application owns the 4000–4999 range; ours are 4400 + the nearest HTTP status, so a
client can read them like an HTTP answer. Daphne/autobahn accept only 1000 and 3000–4999
from an application: any other code (1008, 1009, …) raises inside Daphne instead of
closing, which left "zombie" sockets and 1011s behind. `sendable` guards every close.
"""

from __future__ import annotations

UNAUTHENTICATED = 4401
SUSPENDED = 4403
IDLE = 4408
TOO_BIG = 4413
RATE_LIMITED = 4429
BUSY = 4503

# code -> when it is sent; the protocol document's table lists the same rows.
MEANINGS: dict[int, str] = {
    UNAUTHENTICATED: (
        "not authenticated within the auth timeout; bad or expired token; inactive account; "
        "the session ended (logout, password change or reset, sessions ended elsewhere); "
        "the account was deleted"
    ),
    SUSPENDED: "the user is suspended (at connect, or while connected)",
    IDLE: "silent for longer than the idle timeout",
    TOO_BIG: "a frame larger than REALTIME_MAX_FRAME_BYTES (64 KiB)",
    RATE_LIMITED: "kept sending after `rate_limited` (about 50 more frames without a pause)",
    BUSY: (
        "the server is overloaded while the socket opens: no database connection for the "
        "sign-in lookup or the initial state (with the replay a URL's `last_event_id` asks "
        "for) within the wait (realtime/db.py, Busy)"
    ),
}


def sendable(code: int) -> int:
    """The code itself if an application may send it, else UNAUTHENTICATED's fallback.

    Raises nothing: a close must always close. An unknown code is a programming error,
    so it is only ever replaced, never passed to Daphne.
    """
    if code == 1000 or 3000 <= code <= 4999:
        return code
    return UNAUTHENTICATED
