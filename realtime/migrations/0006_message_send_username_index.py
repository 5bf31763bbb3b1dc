"""realtime_message_send() finds the receiver through the username index.

0004 matched `lower(username) = lower(p_to)`, which no index serves: every message read
the whole users table twice (the lock statement and the receiver lookup), a cost that
grows with the number of members. The case-insensitive unique index on users is on
`upper(username)` (the same expression Django's `username__iexact` uses), so the function
now matches on `upper()`: an index lookup, and the same "one member per name, whatever
the case" rule the unique index enforces. Otherwise the function is unchanged.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION realtime_message_send(
    p_sender bigint, p_to text, p_subject text, p_content text, p_client_id text,
    p_context jsonb, p_email_delay integer, p_n_title text, p_n_message text,
    p_n_data jsonb, p_n_action_url text, p_n_key text
)
RETURNS TABLE (status text, message jsonb, sender_event_id bigint, frames json,
               email_user_id bigint, receiver_id bigint)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
BEGIN
    -- 1. Both users' stream rows, locked in user-id order (realtime/events.py).
    PERFORM 1 FROM realtime_event_streams s
    WHERE s.user_id = p_sender
       OR s.user_id = (SELECT u.id FROM users u WHERE upper(u.username) = upper(p_to))
    ORDER BY s.user_id
    FOR UPDATE;
    -- 2. A new snapshot (READ COMMITTED, next statement): everything below reads what
    --    committed before the lock was ours.
    RETURN QUERY
WITH
snd AS (SELECT id, username, display_name, avatar_url FROM users WHERE id = p_sender),
rcv AS (
    SELECT id, username, display_name, avatar_url, is_active FROM users
    WHERE upper(username) = upper(p_to)
),
dup AS (
    SELECT m.*, jsonb_build_object('id', m.id, 'from', ds.username, 'to', dr.username,
    'sender', jsonb_build_object('id', ds.id, 'username', ds.username,
    'display_name', ds.display_name, 'avatar_url', ds.avatar_url), 'subject', m.subject, 'content', m.content,
    'created_at', to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'is_read', m.is_read, 'client_id', m.client_id, 'context', m.context) AS j
    FROM messages m
    LEFT JOIN users ds ON ds.id = m.sender_id
    LEFT JOIN users dr ON dr.id = m.receiver_id
    WHERE m.sender_id = p_sender AND m.client_id = p_client_id
),
st AS (
    SELECT user_id, last_event_id FROM realtime_event_streams
    WHERE user_id IN (p_sender, (SELECT id FROM rcv))
),
chk AS (
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM dup) THEN 'duplicate'
        WHEN NOT EXISTS (SELECT 1 FROM rcv WHERE is_active) THEN 'not_found'
        WHEN (SELECT id FROM rcv) = p_sender THEN 'self'
        WHEN (SELECT count(*) FROM st) < 2 THEN 'no_stream'
        ELSE 'ok' END AS status
),
snd_st AS (SELECT last_event_id FROM st WHERE user_id = p_sender),
rcv_st AS (SELECT last_event_id FROM st WHERE user_id = (SELECT id FROM rcv)),
msg AS (
    INSERT INTO messages (sender_id, receiver_id, subject, content, is_read, client_id,
                          context, sender_event_id, created_at)
    SELECT p_sender, rcv.id, p_subject, p_content, false, p_client_id,
           p_context, (SELECT last_event_id FROM snd_st) + 1, now()
    FROM rcv, chk WHERE chk.status = 'ok'
    RETURNING *
),
mj AS (SELECT jsonb_build_object('id', msg.id, 'from', snd.username, 'to', rcv.username,
    'sender', jsonb_build_object('id', snd.id, 'username', snd.username,
    'display_name', snd.display_name, 'avatar_url', snd.avatar_url), 'subject', msg.subject, 'content', msg.content,
    'created_at', to_char(msg.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'is_read', msg.is_read, 'client_id', msg.client_id, 'context', msg.context) AS j FROM msg, snd, rcv),
pref AS (
    SELECT in_app FROM realtime_notification_preferences
    WHERE user_id = (SELECT id FROM rcv) AND type = 'MESSAGE_RECEIVED'
),
notif AS (
    INSERT INTO notifications (user_id, type, title, message, data, read, action_url,
                               coalesce_key, created_at, updated_at)
    SELECT msg.receiver_id, 'MESSAGE_RECEIVED', p_n_title, p_n_message,
           p_n_data || jsonb_build_object('message_id', msg.id), false,
           p_n_action_url, p_n_key, now(), now()
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
    SELECT p_sender::bigint AS user_id, (SELECT last_event_id FROM snd_st) + 1 AS event_id,
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
                              'notification', jsonb_build_object('id', notif.id, 'type', notif.type, 'title', notif.title,
    'message', notif.message, 'data', notif.data, 'action_url', notif.action_url,
    'read', notif.read, 'created_at', to_char(notif.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')))
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
    SELECT msg.receiver_id, now() + make_interval(secs => p_email_delay), 0 FROM msg
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
FROM chk;
END
$fn$
"""

PREVIOUS = r"""
CREATE OR REPLACE FUNCTION realtime_message_send(
    p_sender bigint, p_to text, p_subject text, p_content text, p_client_id text,
    p_context jsonb, p_email_delay integer, p_n_title text, p_n_message text,
    p_n_data jsonb, p_n_action_url text, p_n_key text
)
RETURNS TABLE (status text, message jsonb, sender_event_id bigint, frames json,
               email_user_id bigint, receiver_id bigint)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
BEGIN
    -- 1. Both users' stream rows, locked in user-id order (realtime/events.py).
    PERFORM 1 FROM realtime_event_streams s
    WHERE s.user_id = p_sender
       OR s.user_id = (SELECT u.id FROM users u WHERE lower(u.username) = lower(p_to))
    ORDER BY s.user_id
    FOR UPDATE;
    -- 2. A new snapshot (READ COMMITTED, next statement): everything below reads what
    --    committed before the lock was ours.
    RETURN QUERY
WITH
snd AS (SELECT id, username, display_name, avatar_url FROM users WHERE id = p_sender),
rcv AS (
    SELECT id, username, display_name, avatar_url, is_active FROM users
    WHERE lower(username) = lower(p_to)
),
dup AS (
    SELECT m.*, jsonb_build_object('id', m.id, 'from', ds.username, 'to', dr.username,
    'sender', jsonb_build_object('id', ds.id, 'username', ds.username,
    'display_name', ds.display_name, 'avatar_url', ds.avatar_url), 'subject', m.subject, 'content', m.content,
    'created_at', to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'is_read', m.is_read, 'client_id', m.client_id, 'context', m.context) AS j
    FROM messages m
    LEFT JOIN users ds ON ds.id = m.sender_id
    LEFT JOIN users dr ON dr.id = m.receiver_id
    WHERE m.sender_id = p_sender AND m.client_id = p_client_id
),
st AS (
    SELECT user_id, last_event_id FROM realtime_event_streams
    WHERE user_id IN (p_sender, (SELECT id FROM rcv))
),
chk AS (
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM dup) THEN 'duplicate'
        WHEN NOT EXISTS (SELECT 1 FROM rcv WHERE is_active) THEN 'not_found'
        WHEN (SELECT id FROM rcv) = p_sender THEN 'self'
        WHEN (SELECT count(*) FROM st) < 2 THEN 'no_stream'
        ELSE 'ok' END AS status
),
snd_st AS (SELECT last_event_id FROM st WHERE user_id = p_sender),
rcv_st AS (SELECT last_event_id FROM st WHERE user_id = (SELECT id FROM rcv)),
msg AS (
    INSERT INTO messages (sender_id, receiver_id, subject, content, is_read, client_id,
                          context, sender_event_id, created_at)
    SELECT p_sender, rcv.id, p_subject, p_content, false, p_client_id,
           p_context, (SELECT last_event_id FROM snd_st) + 1, now()
    FROM rcv, chk WHERE chk.status = 'ok'
    RETURNING *
),
mj AS (SELECT jsonb_build_object('id', msg.id, 'from', snd.username, 'to', rcv.username,
    'sender', jsonb_build_object('id', snd.id, 'username', snd.username,
    'display_name', snd.display_name, 'avatar_url', snd.avatar_url), 'subject', msg.subject, 'content', msg.content,
    'created_at', to_char(msg.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'is_read', msg.is_read, 'client_id', msg.client_id, 'context', msg.context) AS j FROM msg, snd, rcv),
pref AS (
    SELECT in_app FROM realtime_notification_preferences
    WHERE user_id = (SELECT id FROM rcv) AND type = 'MESSAGE_RECEIVED'
),
notif AS (
    INSERT INTO notifications (user_id, type, title, message, data, read, action_url,
                               coalesce_key, created_at, updated_at)
    SELECT msg.receiver_id, 'MESSAGE_RECEIVED', p_n_title, p_n_message,
           p_n_data || jsonb_build_object('message_id', msg.id), false,
           p_n_action_url, p_n_key, now(), now()
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
    SELECT p_sender::bigint AS user_id, (SELECT last_event_id FROM snd_st) + 1 AS event_id,
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
                              'notification', jsonb_build_object('id', notif.id, 'type', notif.type, 'title', notif.title,
    'message', notif.message, 'data', notif.data, 'action_url', notif.action_url,
    'read', notif.read, 'created_at', to_char(notif.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')))
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
    SELECT msg.receiver_id, now() + make_interval(secs => p_email_delay), 0 FROM msg
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
FROM chk;
END
$fn$
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS)


class Migration(migrations.Migration):
    dependencies = [("realtime", "0005_db_defaults_connection_fk_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
