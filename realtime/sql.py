"""Hand-written SQL for the socket's hot path (PostgreSQL only).

The socket's per-frame reads, run on the event loop through psycopg's async pool
(realtime/db.py). The send itself is `realtime_message_send()`
(realtime/sqlfunctions/message_send.v1.sql), called by realtime/services/message_store.py.
"""

from __future__ import annotations

# hello's parts: the stream row made if needed, then the baseline and both badges.
_STREAM_ROW = """
ins AS (
    INSERT INTO realtime_event_streams (user_id, last_event_id) VALUES (%(user)s, 0)
    ON CONFLICT (user_id) DO NOTHING
    RETURNING last_event_id
)"""
_HELLO_STATE = """
    coalesce((SELECT last_event_id FROM ins),
             (SELECT last_event_id FROM realtime_event_streams WHERE user_id = %(user)s))
        AS last_event_id,
    (SELECT count(*) FROM messages WHERE receiver_id = %(user)s AND NOT is_read) AS messages,
    (SELECT count(*) FROM notifications WHERE user_id = %(user)s AND NOT read) AS notifications
"""


def _page_upto(head: str) -> str:
    """The first page of events after %(after)s up to `head` (a column), one row each;
    one row with a NULL event when there is none."""
    return f"""
LEFT JOIN LATERAL (
    SELECT event_id, (payload || jsonb_build_object('event_id', event_id))::text AS frame
    FROM realtime_events
    WHERE user_id = %(user)s AND event_id > %(after)s AND event_id <= {head}
    ORDER BY event_id
    LIMIT %(limit)s
) e ON true"""  # noqa: S608 - constants only


# hello: create the stream row if needed and read the baseline and both badges.
HELLO = f"WITH {_STREAM_ROW}\nSELECT {_HELLO_STATE}"

# hello with a resume in the handshake (`/ws/?last_event_id=37`), in one trip: HELLO's
# baseline and badges, and the first page of what follows 37 up to that baseline. The same
# snapshot reads both, so the page ends at the baseline exactly as RESUME_PAGE's ends at
# its head.
HELLO_PAGE = f"""
WITH {_STREAM_ROW}, head AS (SELECT {_HELLO_STATE})
SELECT h.last_event_id, h.messages, h.notifications, e.event_id, e.frame
FROM head h {_page_upto("h.last_event_id")}
"""  # noqa: S608 - constants only

# Replay: events after an id, in order, in pages; plus where the stream stands.
REPLAY = """
SELECT event_id, (payload || jsonb_build_object('event_id', event_id))::text
FROM realtime_events
WHERE user_id = %(user)s AND event_id > %(after)s AND event_id <= %(upto)s
ORDER BY event_id
LIMIT %(limit)s
"""

STREAM_HEAD = "SELECT last_event_id FROM realtime_event_streams WHERE user_id = %(user)s"

# resume: where the stream stands and whether `after` + 1 is still stored, in one trip.
RESUME_STATE = """
SELECT
    coalesce((SELECT last_event_id FROM realtime_event_streams WHERE user_id = %(user)s), 0),
    (SELECT min(event_id) FROM realtime_events WHERE user_id = %(user)s AND event_id > %(after)s)
"""

# resume, in one trip: where the stream stands and the first page of what follows `after`
# (an empty page while `after` < head means the next event was deleted: resync).
RESUME_PAGE = f"""
SELECT s.last_event_id, e.event_id, e.frame
FROM realtime_event_streams s {_page_upto("s.last_event_id")}
WHERE s.user_id = %(user)s
"""  # noqa: S608 - constants only

FIRST_AFTER = """
SELECT min(event_id) FROM realtime_events WHERE user_id = %(user)s AND event_id > %(after)s
"""

ACTIVE_USER_ID = """
SELECT id FROM users WHERE upper(username) = upper(%(username)s) AND is_active
"""
