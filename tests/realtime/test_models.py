"""The realtime tables on PostgreSQL: messages, notifications, user connections."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models import Q

from realtime.models import Message, Notification, UserConnection
from tests.dbrules import (
    CHECK_VIOLATION,
    NOT_NULL_VIOLATION,
    UNIQUE_VIOLATION,
    db_clock,
    explain,
    raw_insert,
    refused,
)
from tests.factories import (
    MessageFactory,
    NotificationFactory,
    UserConnectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REQUIRED_COLUMNS = {
    # sender and receiver are nullable: a deleted account leaves its conversations.
    "messages": ("content",),
    "notifications": ("user_id", "type", "title", "message"),
    "user_connections": ("user_id", "connected_user_id"),
}
REQUIRED = {
    "messages": lambda: {"content": "Is the booth free on Tuesday?"},
    "notifications": lambda: {
        "user_id": UserFactory().pk,
        "type": "MESSAGE_RECEIVED",
        "title": "New message",
        "message": "Ann sent you a message.",
    },
    "user_connections": lambda: {
        "user_id": UserFactory().pk,
        "connected_user_id": UserFactory().pk,
    },
}
DEFAULTS = [
    ("messages", "is_read", False),
    ("notifications", "read", False),
    ("user_connections", "accepted", False),
]


@pytest.mark.parametrize("table", REQUIRED)
def test_a_row_of_only_the_required_columns_inserts(table):
    assert tuple(REQUIRED[table]()) == REQUIRED_COLUMNS[table]
    row = raw_insert(table, **REQUIRED[table]())
    assert row["legacy_id"] is None


@pytest.mark.parametrize(
    ("table", "column"), [(t, c) for t, columns in REQUIRED_COLUMNS.items() for c in columns]
)
def test_required_column_is_not_null(table, column):
    values = REQUIRED[table]()
    del values[column]
    with refused(NOT_NULL_VIOLATION, column=column):
        raw_insert(table, **values)


@pytest.mark.parametrize(("table", "column", "expected"), DEFAULTS)
def test_database_default(table, column, expected):
    assert raw_insert(table, **REQUIRED[table]())[column] == expected


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("messages", ("created_at",)),
        ("notifications", ("created_at", "updated_at")),
        ("user_connections", ("created_at",)),
    ],
)
def test_timestamps_default_to_now(table, columns):
    row = raw_insert(table, **REQUIRED[table]())
    began, now = db_clock()
    for column in columns:
        assert began <= row[column] <= now


# --- messages ---------------------------------------------------------------------------


def test_nobody_messages_themselves():
    user = UserFactory()
    with refused(CHECK_VIOLATION, constraint="messages_not_to_self"):
        MessageFactory(sender=user, receiver=user)


def test_a_client_id_is_used_once_per_sender():
    first = MessageFactory(client_id="c-1")
    MessageFactory(client_id="c-1")  # another sender: fine
    MessageFactory(sender=first.sender)  # no client id: fine, many times
    MessageFactory(sender=first.sender)
    with refused(UNIQUE_VIOLATION, constraint="messages_sender_client_id_uniq"):
        MessageFactory(sender=first.sender, client_id="c-1")


@pytest.mark.parametrize("side", ["sender", "receiver"])
def test_deleting_a_user_keeps_their_conversations_with_them_emptied(side):
    message = MessageFactory()
    other_side = "receiver" if side == "sender" else "sender"
    getattr(message, side).delete()
    message.refresh_from_db()
    assert getattr(message, f"{side}_id") is None
    assert getattr(message, f"{other_side}_id") is not None
    assert message.content


def test_a_message_between_two_deleted_accounts_stays():
    message = MessageFactory()
    message.sender.delete()
    message.receiver.delete()
    assert Message.objects.filter(pk=message.pk, sender=None, receiver=None).exists()


# --- notifications ----------------------------------------------------------------------


def test_deleting_a_user_deletes_their_notifications():
    notification = NotificationFactory()
    notification.user.delete()
    assert not Notification.objects.filter(pk=notification.pk).exists()


# --- user connections -------------------------------------------------------------------


def test_a_connection_request_is_not_repeated():
    link = UserConnectionFactory()
    with refused(UNIQUE_VIOLATION) as refusal:
        UserConnectionFactory(user=link.user, connected_user=link.connected_user)
    assert refusal.constraint in {"connection_pair_uniq", "connection_unordered_pair_uniq"}


def test_a_connection_is_unique_in_either_direction():
    link = UserConnectionFactory()
    with refused(UNIQUE_VIOLATION, constraint="connection_unordered_pair_uniq"):
        UserConnectionFactory(user=link.connected_user, connected_user=link.user)


def test_nobody_connects_to_themselves():
    user = UserFactory()
    with refused(CHECK_VIOLATION, constraint="connection_not_self"):
        UserConnectionFactory(user=user, connected_user=user)


def test_a_user_connects_to_many_people():
    user = UserFactory()
    UserConnectionFactory(user=user)
    UserConnectionFactory(user=user)
    UserConnectionFactory(connected_user=user)
    assert UserConnection.objects.filter(user=user).count() == 2


@pytest.mark.parametrize("side", ["user", "connected_user"])
def test_deleting_either_person_deletes_the_connection(side):
    link = UserConnectionFactory(accepted=True)
    getattr(link, side).delete()
    assert not UserConnection.objects.filter(pk=link.pk).exists()


# --- indexes: each serves its query -------------------------------------------------------

INDEX_QUERIES = {
    "messages_inbox_idx": lambda uid: Message.objects.filter(receiver_id=uid).order_by("-id")[:20],
    "messages_outbox_idx": lambda uid: Message.objects.filter(sender_id=uid).order_by("-id")[:20],
    "notifications_recent_idx": lambda uid: Notification.objects.filter(user_id=uid).order_by(
        "-created_at"
    )[:20],
    "connection_incoming_idx": lambda uid: UserConnection.objects.filter(
        connected_user_id=uid, accepted=False
    ),
    "connection_outgoing_idx": lambda uid: UserConnection.objects.filter(
        user_id=uid, accepted=False
    ),
}


@pytest.fixture
def connection_graph():
    """Realistic statistics: many people, each with a few dozen connections (ANALYZE).

    Without them the planner's choice between indexes that share a leading column follows
    whatever statistics an earlier test left behind (ANALYZE is not rolled back).
    """
    people = UserFactory.create_batch(60, profile=None)
    UserConnection.objects.bulk_create(
        UserConnection(user=a, connected_user=b, accepted=(i + j) % 4 != 0)
        for i, a in enumerate(people)
        for j, b in enumerate(people)
        if i < j and (i * 7 + j) % 3 == 0
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE user_connections, messages, notifications")
    return people


@pytest.mark.parametrize("index", INDEX_QUERIES)
def test_index_serves_its_query(index, connection_graph):
    someone = connection_graph[30]
    assert index in explain(INDEX_QUERIES[index](someone.pk))


@pytest.fixture
def mostly_read_inbox():
    """A realistic inbox: hundreds read, a few unread; the planner knows it (ANALYZE)."""
    ann, bob = UserFactory(), UserFactory()
    Message.objects.bulk_create(
        Message(sender=bob, receiver=ann, content="Hi", is_read=n >= 5) for n in range(400)
    )
    Notification.objects.bulk_create(
        Notification(user=ann, type="MESSAGE_RECEIVED", title="t", message="m", read=n >= 5)
        for n in range(400)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE messages, notifications")
    return ann, bob


def test_unread_count_of_a_conversation_uses_the_partial_index(mostly_read_inbox):
    ann, bob = mostly_read_inbox
    qs = Message.objects.filter(receiver=ann, sender=bob, is_read=False).values("pk")
    assert "messages_unread_idx" in explain(qs)


def test_unread_badge_of_notifications_uses_the_partial_index(mostly_read_inbox):
    ann, _ = mostly_read_inbox
    qs = Notification.objects.filter(user=ann, read=False).values("pk")
    assert "notifications_unread_idx" in explain(qs)


def test_are_two_people_connected_is_answered_from_the_pair_index(connection_graph):
    """The legacy bidirectional query: (A asked B) or (B asked A)."""
    ann, bob = connection_graph[3].pk, connection_graph[30].pk
    qs = UserConnection.objects.filter(
        Q(user_id=ann, connected_user_id=bob) | Q(user_id=bob, connected_user_id=ann)
    )
    assert "connection_pair_uniq" in explain(qs)


def test_message_send_finds_the_receiver_through_the_username_index():
    """message_send reads the sender and the receiver in one query per message; the
    receiver (by name) must be found through the case-insensitive unique index on users,
    not a scan of every member. realtime_message_send() itself takes ids."""
    from realtime.services.message_store import PARTIES_SQL

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + PARTIES_SQL, {"sender": 1, "to": "Ann"})
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "users_username_ci_uniq" in plan, plan
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'realtime_message_send'")
        (source,) = cursor.fetchone()
    assert "username" not in source
