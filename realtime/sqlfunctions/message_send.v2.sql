-- realtime_message_send, version 2: the hot write of realtime.services.messages.message_send.
--
-- Loaded by migration realtime/0004_message_send_checks_party_versions (which drops version
-- 1's signature first). A later change is a new file (message_send.v3.sql) loaded by a new
-- migration, never an edit of this one.
--
-- Python has already checked every rule (realtime/services/messages.py: fields, who may
-- send to whom, context, the send budget) and built every JSON object the events carry
-- (realtime/serialization.py), from the two users' rows as some earlier read saw them (the
-- socket keeps them per process, realtime/services/message_store.py). Version 2 takes the
-- row versions (`xmin`) of that read and writes only if both rows are still those versions:
-- any update of a user since (suspended, unverified, deactivated, renamed, a new display
-- name) or a deleted user answers status 'stale' and writes nothing, and Python reads the
-- two users again, checks the rules again and calls again. So the rules are checked
-- against the rows as they are when the message is written, without a read per send.
--
-- Then, in one round trip, as version 1:
--
-- 1. creates the two users' stream rows if missing, then locks them in user-id order
--    (realtime/events.py says why ids then grow in commit order);
-- 2. in a new statement (a snapshot taken after the lock): unless (sender, client_id)
--    already sent, inserts the message, the coalesced notification, the events (ids from
--    the locked streams) and the unread-email due time, and bumps both streams.
--
-- It fills in only what the database assigns: the message id, the notification id (and
-- the notification's data.message_id) and the unread count.
CREATE OR REPLACE FUNCTION realtime_message_send(
    p_sender bigint, p_receiver bigint, p_subject text, p_content text, p_client_id text,
    p_context jsonb, p_created_at timestamptz, p_message_event jsonb,
    p_notification_event jsonb, p_count_event jsonb, p_coalesce_key text,
    p_email_delay integer, p_sender_version bigint, p_receiver_version bigint
)
RETURNS TABLE (status text, message_id bigint, sender_event_id bigint, frames json,
               email_user_id bigint)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
BEGIN
    IF (SELECT count(*) FROM users u
        WHERE (u.id = p_sender AND u.xmin::text::bigint = p_sender_version)
           OR (u.id = p_receiver AND u.xmin::text::bigint = p_receiver_version)) <> 2 THEN
        RETURN QUERY SELECT 'stale'::text, NULL::bigint, NULL::bigint, NULL::json, NULL::bigint;
        RETURN;
    END IF;
    INSERT INTO realtime_event_streams (user_id, last_event_id)
    SELECT u, 0 FROM unnest(ARRAY[p_sender, p_receiver]) AS u ORDER BY u
    ON CONFLICT (user_id) DO NOTHING;
    PERFORM 1 FROM realtime_event_streams s
    WHERE s.user_id IN (p_sender, p_receiver)
    ORDER BY s.user_id
    FOR UPDATE;
    RETURN QUERY
WITH
dup AS (
    SELECT m.id, m.sender_event_id FROM messages m
    WHERE m.sender_id = p_sender AND m.client_id = p_client_id
),
snd_st AS (SELECT last_event_id AS e FROM realtime_event_streams WHERE user_id = p_sender),
rcv_st AS (SELECT last_event_id AS e FROM realtime_event_streams WHERE user_id = p_receiver),
msg AS (
    INSERT INTO messages (sender_id, receiver_id, subject, content, is_read, client_id,
                          context, sender_event_id, created_at)
    SELECT p_sender, p_receiver, p_subject, p_content, false, p_client_id, p_context,
           (SELECT e FROM snd_st) + 1, p_created_at
    WHERE NOT EXISTS (SELECT 1 FROM dup)
    RETURNING id
),
pref AS (
    SELECT in_app FROM realtime_notification_preferences
    WHERE user_id = p_receiver AND type = 'MESSAGE_RECEIVED'
),
notif AS (
    INSERT INTO notifications (user_id, type, title, message, data, read, action_url,
                               coalesce_key, created_at, updated_at)
    SELECT p_receiver, n->>'type', n->>'title', n->>'message',
           jsonb_set(n->'data', '{message_id}', to_jsonb(msg.id)), false,
           n->>'action_url', p_coalesce_key, p_created_at, p_created_at
    FROM msg, (SELECT p_notification_event->'notification' AS n) AS t
    WHERE coalesce((SELECT in_app FROM pref), true)
    ON CONFLICT (user_id, coalesce_key) WHERE coalesce_key IS NOT NULL AND NOT read
    DO NOTHING
    RETURNING id, data
),
unread AS (
    SELECT count(*) + 1 AS n FROM notifications WHERE user_id = p_receiver AND NOT read
),
mev AS (SELECT jsonb_set(p_message_event, '{message,id}', to_jsonb(msg.id)) AS j FROM msg),
ev AS (
    SELECT p_sender AS user_id, (SELECT e FROM snd_st) + 1 AS event_id,
           'message.new' AS type, mev.j AS payload
    FROM mev
    UNION ALL
    SELECT p_receiver, (SELECT e FROM rcv_st) + 1, 'message.new', mev.j FROM mev
    UNION ALL
    SELECT p_receiver, (SELECT e FROM rcv_st) + 2, 'notification.new',
           jsonb_set(jsonb_set(p_notification_event, '{notification,id}', to_jsonb(notif.id)),
                     '{notification,data}', notif.data)
    FROM notif
    UNION ALL
    SELECT p_receiver, (SELECT e FROM rcv_st) + 3, 'notification.count',
           jsonb_set(p_count_event, '{unread}', to_jsonb(unread.n))
    FROM notif, unread
),
ins_ev AS (
    INSERT INTO realtime_events (user_id, event_id, type, payload, created_at)
    SELECT user_id, event_id, type, payload, p_created_at FROM ev
),
bump AS (
    UPDATE realtime_event_streams s SET last_event_id = x.max_id
    FROM (SELECT user_id, max(event_id) AS max_id FROM ev GROUP BY user_id) x
    WHERE s.user_id = x.user_id
),
email AS (
    INSERT INTO realtime_message_email_state AS es (user_id, due_at, last_emailed_message_id)
    SELECT p_receiver, p_created_at + make_interval(secs => p_email_delay), 0 FROM msg
    ON CONFLICT (user_id) DO UPDATE SET due_at = EXCLUDED.due_at WHERE es.due_at IS NULL
    RETURNING es.user_id
)
SELECT
    CASE WHEN EXISTS (SELECT 1 FROM dup) THEN 'duplicate' ELSE 'ok' END,
    coalesce((SELECT id FROM msg), (SELECT id FROM dup)),
    coalesce((SELECT event_id FROM ev WHERE user_id = p_sender),
             (SELECT sender_event_id FROM dup)),
    (SELECT json_agg(json_build_array(user_id, event_id,
                     (payload || jsonb_build_object('event_id', event_id))::text)
                     ORDER BY user_id, event_id)
     FROM ev),
    (SELECT user_id FROM email);
END
$fn$;
