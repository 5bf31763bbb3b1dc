"""Hand-written SQL for the socket's hot path (PostgreSQL only).

`message.send` is the product's busiest write. Measured on this machine
(docs/benchmarks.md), the ORM version — about a dozen round trips and a thread hop per
message — is far slower, so the socket makes one call per message, in autocommit, on the
event loop through psycopg's async pool: `realtime_message_send()` (migrations 0004 and 0006)

1. locks both users' stream rows in user-id order (realtime/events.py says why ids then
   grow in commit order), then
2. in a new statement — a snapshot taken after the lock — checks the rules, inserts the
   message, the coalesced notification, the events and the email due time, bumps both
   streams, and returns the frames to push and the ack.

The JSON it builds matches realtime/serialization.py field for field (tested).
"""

from __future__ import annotations

# The send itself lives in PostgreSQL as realtime_message_send() (migration 0006): one
# round trip, a lock statement and then the write with a snapshot taken after the lock.
SEND_MESSAGE = """
SELECT status, message, sender_event_id, frames, email_user_id, receiver_id
FROM realtime_message_send(
    %(sender)s, %(to)s, %(subject)s, %(content)s, %(client_id)s, %(context)s::jsonb,
    %(email_delay)s, %(n_title)s, %(n_message)s, %(n_data)s::jsonb, %(n_action_url)s,
    %(n_key)s
)
"""

ENSURE_STREAMS = """
INSERT INTO realtime_event_streams (user_id, last_event_id)
SELECT id, 0 FROM users WHERE id = %(sender)s OR upper(username) = upper(%(to)s)
ON CONFLICT (user_id) DO NOTHING
"""

# hello: create the stream row if needed and read the baseline and both badges.
HELLO = """
WITH ins AS (
    INSERT INTO realtime_event_streams (user_id, last_event_id) VALUES (%(user)s, 0)
    ON CONFLICT (user_id) DO NOTHING
    RETURNING last_event_id
)
SELECT
    coalesce((SELECT last_event_id FROM ins),
             (SELECT last_event_id FROM realtime_event_streams WHERE user_id = %(user)s)),
    (SELECT count(*) FROM messages WHERE receiver_id = %(user)s AND NOT is_read),
    (SELECT count(*) FROM notifications WHERE user_id = %(user)s AND NOT read)
"""

# Replay: events after an id, in order, in pages; plus where the stream stands.
REPLAY = """
SELECT event_id, (payload || jsonb_build_object('event_id', event_id))::text
FROM realtime_events
WHERE user_id = %(user)s AND event_id > %(after)s AND event_id <= %(upto)s
ORDER BY event_id
LIMIT %(limit)s
"""

STREAM_HEAD = "SELECT last_event_id FROM realtime_event_streams WHERE user_id = %(user)s"

FIRST_AFTER = """
SELECT min(event_id) FROM realtime_events WHERE user_id = %(user)s AND event_id > %(after)s
"""

ACTIVE_USER_ID = """
SELECT id FROM users WHERE upper(username) = upper(%(username)s) AND is_active
"""
