"""Hand-written SQL for the socket's hot path (PostgreSQL only).

`message.send` is the product's busiest write. Measured on this machine (docs/benchmarks.md,
STYLE.md), the ORM version — about eight round trips and a thread hop per message —
saturates near 220 messages/s, so the socket sends one transaction of two pipelined
statements (one network round trip) on the event loop through psycopg's async pool:

1. LOCK_STREAMS takes both users' stream rows in user-id order (see realtime/events.py
   for why ids then grow in commit order).
2. SEND_MESSAGE, with a fresh snapshot taken after the lock, checks the rules, inserts the
   message, the coalesced notification, the events and the email due time, bumps both
   streams, and returns the frames to push and the ack.

The JSON built here matches realtime/serialization.py field for field (tested).
"""

from __future__ import annotations

TS = """to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""

USER_JSON = """jsonb_build_object('id', {u}.id, 'username', {u}.username,
    'display_name', {u}.display_name, 'avatar_url', {u}.avatar_url)"""

MESSAGE_JSON = (
    """jsonb_build_object('id', {m}.id, 'from', {s}.username, 'to', {r}.username,
    'sender', """
    + USER_JSON.format(u="{s}")
    + """, 'subject', {m}.subject, 'content', {m}.content,
    'created_at', """
    + TS.format(col="{m}.created_at")
    + """, 'is_read', {m}.is_read, 'client_id', {m}.client_id, 'context', {m}.context)"""
)

NOTIFICATION_JSON = (
    """jsonb_build_object('id', {n}.id, 'type', {n}.type, 'title', {n}.title,
    'message', {n}.message, 'data', {n}.data, 'action_url', {n}.action_url,
    'read', {n}.read, 'created_at', """
    + TS.format(col="{n}.created_at")
    + ")"
)

LOCK_STREAMS = """
SELECT s.user_id, s.last_event_id
FROM realtime_event_streams s
WHERE s.user_id = %(sender)s
   OR s.user_id = (SELECT u.id FROM users u WHERE lower(u.username) = lower(%(to)s))
ORDER BY s.user_id
FOR UPDATE
"""

# Only constant fragments are formatted in; every value is a bound parameter.
SEND_MESSAGE = f"""
WITH
snd AS (SELECT id, username, display_name, avatar_url FROM users WHERE id = %(sender)s),
rcv AS (
    SELECT id, username, display_name, avatar_url, is_active FROM users
    WHERE lower(username) = lower(%(to)s)
),
dup AS (
    SELECT m.*, {MESSAGE_JSON.format(m="m", s="ds", r="dr")} AS j
    FROM messages m
    LEFT JOIN users ds ON ds.id = m.sender_id
    LEFT JOIN users dr ON dr.id = m.receiver_id
    WHERE m.sender_id = %(sender)s AND m.client_id = %(client_id)s
),
st AS (
    SELECT user_id, last_event_id FROM realtime_event_streams
    WHERE user_id IN (%(sender)s, (SELECT id FROM rcv))
),
chk AS (
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM dup) THEN 'duplicate'
        WHEN NOT EXISTS (SELECT 1 FROM rcv WHERE is_active) THEN 'not_found'
        WHEN (SELECT id FROM rcv) = %(sender)s THEN 'self'
        WHEN (SELECT count(*) FROM st) < 2 THEN 'no_stream'
        ELSE 'ok' END AS status
),
snd_st AS (SELECT last_event_id FROM st WHERE user_id = %(sender)s),
rcv_st AS (SELECT last_event_id FROM st WHERE user_id = (SELECT id FROM rcv)),
msg AS (
    INSERT INTO messages (sender_id, receiver_id, subject, content, is_read, client_id,
                          context, sender_event_id, created_at)
    SELECT %(sender)s, rcv.id, %(subject)s, %(content)s, false, %(client_id)s,
           %(context)s::jsonb, (SELECT last_event_id FROM snd_st) + 1, now()
    FROM rcv, chk WHERE chk.status = 'ok'
    RETURNING *
),
mj AS (SELECT {MESSAGE_JSON.format(m="msg", s="snd", r="rcv")} AS j FROM msg, snd, rcv),
pref AS (
    SELECT in_app FROM realtime_notification_preferences
    WHERE user_id = (SELECT id FROM rcv) AND type = 'MESSAGE_RECEIVED'
),
notif AS (
    INSERT INTO notifications (user_id, type, title, message, data, read, action_url,
                               coalesce_key, created_at, updated_at)
    SELECT msg.receiver_id, 'MESSAGE_RECEIVED', %(n_title)s, %(n_message)s,
           %(n_data)s::jsonb || jsonb_build_object('message_id', msg.id), false,
           %(n_action_url)s, %(n_key)s, now(), now()
    FROM msg
    WHERE coalesce((SELECT in_app FROM pref), true)
    ON CONFLICT (user_id, coalesce_key) WHERE coalesce_key IS NOT NULL AND NOT read
    DO NOTHING
    RETURNING *
),
unread AS (
    SELECT count(*) + 1 AS n FROM notifications
    WHERE user_id = (SELECT id FROM rcv) AND NOT read
),
ev AS (
    SELECT %(sender)s::bigint AS user_id, (SELECT last_event_id FROM snd_st) + 1 AS event_id,
           'message.new' AS type,
           jsonb_build_object('type', 'message.new', 'message', mj.j) AS payload
    FROM mj
    UNION ALL
    SELECT rcv.id, (SELECT last_event_id FROM rcv_st) + 1, 'message.new',
           jsonb_build_object('type', 'message.new', 'message', mj.j)
    FROM mj, rcv
    UNION ALL
    SELECT notif.user_id, (SELECT last_event_id FROM rcv_st) + 2, 'notification.new',
           jsonb_build_object('type', 'notification.new',
                              'notification', {NOTIFICATION_JSON.format(n="notif")})
    FROM notif
    UNION ALL
    SELECT notif.user_id, (SELECT last_event_id FROM rcv_st) + 3, 'notification.count',
           jsonb_build_object('type', 'notification.count', 'unread', unread.n)
    FROM notif, unread
),
ins_ev AS (
    INSERT INTO realtime_events (user_id, event_id, type, payload, created_at)
    SELECT user_id, event_id, type, payload, now() FROM ev
),
bump AS (
    UPDATE realtime_event_streams s SET last_event_id = x.max_id
    FROM (SELECT user_id, max(event_id) AS max_id FROM ev GROUP BY user_id) x
    WHERE s.user_id = x.user_id
),
email AS (
    INSERT INTO realtime_message_email_state AS es (user_id, due_at, last_emailed_message_id)
    SELECT msg.receiver_id, now() + make_interval(secs => %(email_delay)s), 0 FROM msg
    ON CONFLICT (user_id) DO UPDATE SET due_at = EXCLUDED.due_at WHERE es.due_at IS NULL
    RETURNING es.user_id, es.due_at
)
SELECT
    chk.status,
    coalesce((SELECT j FROM mj), (SELECT j FROM dup)) AS message,
    CASE WHEN chk.status = 'ok' THEN (SELECT last_event_id FROM snd_st) + 1
         ELSE (SELECT sender_event_id FROM dup) END AS sender_event_id,
    (SELECT json_agg(json_build_array(user_id, event_id,
                     (payload || jsonb_build_object('event_id', event_id))::text)
                     ORDER BY user_id, event_id)
     FROM ev) AS frames,
    (SELECT user_id FROM email) AS email_user_id,
    (SELECT id FROM rcv) AS receiver_id
FROM chk
"""  # noqa: S608

ENSURE_STREAMS = """
INSERT INTO realtime_event_streams (user_id, last_event_id)
SELECT id, 0 FROM users WHERE id = %(sender)s OR lower(username) = lower(%(to)s)
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
SELECT id FROM users WHERE lower(username) = lower(%(username)s) AND is_active
"""
