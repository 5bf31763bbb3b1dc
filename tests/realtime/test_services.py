"""Services: message rules, idempotency, the SQL and ORM paths, notify, connections, email state."""

from __future__ import annotations

import pytest
from celery import current_app

from common.errors import Conflict, NotFound, ValidationFailed
from realtime.models import (
    Event,
    Message,
    MessageEmailState,
    Notification,
    NotificationPreference,
    UserConnection,
)
from realtime.services import (
    connection_accept,
    connection_cancel,
    connection_reject,
    connection_remove,
    connection_request,
    message_send,
    messages_mark_read,
    notification_preferences_update,
    notify,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    """Tasks enqueued on commit, by name (the broker itself is exercised in test_email)."""
    calls = []

    def fake(name, *, args=(), kwargs=None, **options):
        calls.append((name, args, kwargs, options))

    def fake_plain(name, *args, **kwargs):
        calls.append((name, args, kwargs, {}))

    monkeypatch.setattr("realtime.services.messages.enqueue_on_commit_with_options", fake)
    monkeypatch.setattr("realtime.services.notifications.enqueue_on_commit", fake_plain)
    return calls


@pytest.mark.parametrize("use_sql", [True, False])
def test_contact_rules(a, b, use_sql):
    def send(**kw):
        base = {"sender": a, "to": "bob", "subject": "Booking", "content": "Hello there!"}
        return message_send(**{**base, **kw}, rules="contact", use_sql=use_sql)

    for bad in (
        {"subject": "Hi"},
        {"subject": "x" * 201},
        {"content": "short"},
        {"content": "x" * 2001},
    ):
        with pytest.raises(ValidationFailed):
            send(**bad)
    with pytest.raises(ValidationFailed) as exc:
        send(to="alice")
    assert "to" in exc.value.fields
    with pytest.raises(NotFound):
        send(to="nobody")
    b.is_active = False
    b.save()
    with pytest.raises(NotFound):
        send()
    assert Message.objects.count() == 0


@pytest.mark.parametrize("use_sql", [True, False])
def test_send_is_idempotent_per_client_id(
    a, b, use_sql, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = message_send(sender=a, to="Bob", content="hi", client_id="k", use_sql=use_sql)
        again = message_send(sender=a, to="bob", content="other", client_id="k", use_sql=use_sql)
    assert first.created
    assert not again.created
    assert again.message == first.message
    assert again.sender_event_id == first.sender_event_id == 1
    assert Message.objects.count() == 1
    assert Event.objects.count() == 4
    # The email is scheduled once per unread burst, not once per message.
    message_send(sender=a, to="bob", content="more", client_id="k2", use_sql=use_sql)
    assert [c[0] for c in enqueued] == ["tasks.realtime.send_unread_message_email"]
    assert enqueued[0][1] == (b.pk,)
    assert MessageEmailState.objects.get(user=b).due_at is not None


def test_sql_and_orm_paths_write_the_same_rows_and_events(a, b):
    c, d = UserFactory(username="cy"), UserFactory(username="dee")
    message_send(sender=a, to="bob", content="same", client_id="1", context={"studio_id": 3})
    message_send(
        sender=c, to="dee", content="same", client_id="1", context={"studio_id": 3}, use_sql=False
    )

    def shape(sender, receiver):
        m = Message.objects.get(sender=sender)
        n = Notification.objects.get(user=receiver)
        events = [
            (e.event_id, e.type, e.payload)
            for e in Event.objects.filter(user__in=[sender, receiver]).order_by(
                "user_id", "event_id"
            )
        ]
        return (
            (m.content, m.context, m.is_read, m.sender_event_id, m.client_id),
            (n.type, n.title.split(" from ")[0], n.read, set(n.data)),
            [(i, t) for i, t, _ in events],
            [sorted(p) for _, _, p in events],
        )

    assert shape(a, b) == shape(c, d)


def test_notify_honours_preferences_and_coalesces(a, enqueued):
    n = notify(user_id=a.pk, type="STUDIO_VERIFIED", title="Verified", message="Your studio")
    assert n is not None
    assert [c[0] for c in enqueued] == ["tasks.realtime.send_notification_email"]
    notification_preferences_update(
        user_id=a.pk, preferences={"STUDIO_VERIFIED": {"in_app": False, "email": False}}
    )
    enqueued.clear()
    assert notify(user_id=a.pk, type="STUDIO_VERIFIED", title="Again", message="x") is None
    assert enqueued == []
    assert NotificationPreference.objects.get(user=a).in_app is False
    first = notify(user_id=a.pk, type="REVIEW_RECEIVED", title="R", message="m", coalesce_key="k")
    second = notify(user_id=a.pk, type="REVIEW_RECEIVED", title="R2", message="m", coalesce_key="k")
    assert first.pk == second.pk
    first.read = True
    first.save()
    third = notify(user_id=a.pk, type="REVIEW_RECEIVED", title="R3", message="m", coalesce_key="k")
    assert third.pk != first.pk


def test_message_notification_respects_in_app_pref(a, b):
    notification_preferences_update(
        user_id=b.pk, preferences={"MESSAGE_RECEIVED": {"in_app": False}}
    )
    message_send(sender=a, to="bob", content="hi", client_id="1")
    assert Notification.objects.filter(user=b).count() == 0
    assert list(Event.objects.filter(user=b).values_list("type", flat=True)) == ["message.new"]


def test_mark_read_clears_the_coalesced_notification_when_nothing_is_unread(a, b):
    m1 = message_send(sender=a, to="bob", content="one", client_id="1").message
    m2 = message_send(sender=a, to="bob", content="two", client_id="2").message
    assert messages_mark_read(reader=b, with_username="alice", up_to_id=m1["id"]) == 1
    assert Notification.objects.get(user=b).read is False
    assert messages_mark_read(reader=b, ids=[m2["id"]]) == 1
    assert Notification.objects.get(user=b).read is True
    assert messages_mark_read(reader=b, ids=[m2["id"]]) == 0  # idempotent
    assert messages_mark_read(reader=a, ids=[m1["id"]]) == 0  # not the receiver


def test_connection_rules(a, b):
    with pytest.raises(ValidationFailed):
        connection_request(user=a, username="alice")
    with pytest.raises(NotFound):
        connection_request(user=a, username="ghost")
    connection_request(user=a, username="bob")
    with pytest.raises(Conflict):
        connection_request(user=a, username="bob")
    with pytest.raises(NotFound):
        connection_accept(user=a, username="bob")  # only the recipient accepts
    with pytest.raises(NotFound):
        connection_reject(user=a, username="bob")  # only the recipient rejects
    connection_request(user=b, username="alice")  # asks back: accepts
    conn = UserConnection.objects.get()
    assert conn.accepted
    assert conn.user_id == a.pk
    with pytest.raises(Conflict):
        connection_request(user=b, username="alice")
    with pytest.raises(NotFound):
        connection_cancel(user=a, username="bob")  # nothing pending
    connection_remove(user=b, username="alice")
    assert not UserConnection.objects.exists()
    connection_request(user=a, username="bob")
    connection_cancel(user=a, username="bob")
    assert not UserConnection.objects.exists()
    types = list(Notification.objects.filter(user=b).values_list("type", flat=True))
    assert sorted(types) == ["CONNECTION_REQUEST", "CONNECTION_REQUEST"]
    assert list(Notification.objects.filter(user=a).values_list("type", flat=True)) == [
        "CONNECTION_ACCEPTED"
    ]


def test_tasks_are_registered_under_their_names():
    from common.jobs import _load_task_modules

    _load_task_modules()
    for name in (
        "tasks.realtime.send_unread_message_email",
        "tasks.realtime.send_notification_email",
        "tasks.realtime.trim_events",
    ):
        assert name in current_app.tasks


def test_notify_many_is_bulk_and_honours_each_users_preferences(
    enqueued, django_assert_max_num_queries
):
    from realtime.services import notify_many

    people = UserFactory.create_batch(30)
    quiet = people[0]
    notification_preferences_update(
        user_id=quiet.pk, preferences={"STUDIO_VERIFIED": {"in_app": False, "email": False}}
    )
    with django_assert_max_num_queries(12):
        result = notify_many(
            user_ids=[p.pk for p in people], type="STUDIO_VERIFIED", title="News", message="Hi"
        )
    assert result[quiet.pk] is None
    assert sum(1 for n in result.values() if n is not None) == 29
    assert Event.objects.filter(type="notification.new").count() == 29
    assert Event.objects.filter(type="notification.count").count() == 29
    [(name, _, kwargs, _)] = enqueued
    assert name == "tasks.realtime.send_notification_email"
    assert sorted(kwargs["user_ids"]) == sorted(p.pk for p in people[1:])
