"""Services: message rules, idempotency, the SQL and ORM paths, notify, connections, email state."""

from __future__ import annotations

import asyncio
import contextlib

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
from tests.factories import StudioFactory, UserFactory

from .conftest import STORES

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


def test_contact_rules(a, b, message_store_path):
    def send(**kw):
        base = {"sender": a, "to": "bob", "subject": "Booking", "content": "Hello there!"}
        return message_send(**{**base, **kw}, rules="contact")

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


def test_send_is_idempotent_per_client_id(
    a, b, message_store_path, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = message_send(sender=a, to="Bob", content="hi", client_id="k")
        again = message_send(sender=a, to="bob", content="other", client_id="k")
    assert first.created
    assert not again.created
    assert again.message == first.message
    assert again.sender_event_id == first.sender_event_id == 1
    assert Message.objects.count() == 1
    assert Event.objects.count() == 4
    # The email is scheduled once per unread burst, not once per message.
    message_send(sender=a, to="bob", content="more", client_id="k2")
    assert [c[0] for c in enqueued] == ["tasks.realtime.send_unread_message_email"]
    assert enqueued[0][1] == (b.pk,)
    assert MessageEmailState.objects.get(user=b).due_at is not None


def test_sql_and_orm_stores_write_the_same_rows_and_events(a, b, settings):
    """The two stores behind message_send: same rows, same events, same JSON (ids,
    names and times aside)."""
    c, d = UserFactory(username="cy"), UserFactory(username="dee")
    studio_b, studio_d = StudioFactory(owner=b), StudioFactory(owner=d)
    settings.REALTIME_MESSAGE_STORE = STORES["sql"]
    message_send(
        sender=a, to="bob", content="same", client_id="1", context={"studio_id": studio_b.pk}
    )
    settings.REALTIME_MESSAGE_STORE = STORES["orm"]
    message_send(
        sender=c, to="dee", content="same", client_id="1", context={"studio_id": studio_d.pk}
    )

    def shape(sender, receiver, studio):
        m = Message.objects.get(sender=sender)
        n = Notification.objects.get(user=receiver)
        ids = {sender.pk: "S", receiver.pk: "R", m.pk: "M", n.pk: "N", studio.pk: "ST"}
        names = {
            sender.display_name: "<sender name>",
            receiver.display_name: "<receiver name>",
            sender.username: "<sender>",
            receiver.username: "<receiver>",
        }

        def neutral(value, key=""):
            if isinstance(value, dict):
                return {k: neutral(v, k) for k, v in value.items() if k != "created_at"}
            if isinstance(value, list):
                return [neutral(v) for v in value]
            if key == "id" or key.endswith("_id"):  # a row id: compare what it points at
                return ids.get(value, value)
            if isinstance(value, str):
                for old, new in names.items():
                    value = value.replace(old, new)
            return value

        events = Event.objects.filter(user__in=[sender, receiver]).order_by("user_id", "event_id")
        return (
            neutral([m.content, m.context, m.is_read, m.sender_event_id, m.client_id]),
            neutral([n.type, n.title, n.message, n.read, n.data, n.action_url]),
            n.coalesce_key == f"conversation:{sender.pk}",
            [(e.user_id == sender.pk, e.event_id, e.type, neutral(e.payload)) for e in events],
        )

    assert shape(a, b, studio_b) == shape(c, d, studio_d)


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
    from common.jobs import load_task_modules

    load_task_modules()
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


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("push", [True, False])
async def test_async_send_honours_push_with_either_store(message_store_path, push, close_pool):
    """`push=False` means the caller pushes (the socket rings the receiver before its ack):
    the service itself must then push nothing, whichever store wrote (the embedded-mode
    fallback used to push anyway, so every socket send was pushed twice)."""
    from channels.db import database_sync_to_async
    from channels.layers import get_channel_layer

    from realtime.events import user_group
    from realtime.services import message_send_async

    sender = await database_sync_to_async(UserFactory)()
    receiver = await database_sync_to_async(UserFactory)()
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(user_group(receiver.pk), channel)
    try:
        result = await message_send_async(
            sender=sender, to=receiver.username, content="hi", client_id="p", push=push
        )
        assert [e for u, e, _ in result.frames if u == receiver.pk] == [1, 2, 3]
        received = []
        with contextlib.suppress(TimeoutError):
            while True:
                received.append(await asyncio.wait_for(layer.receive(channel), 1.0))
        ids = [event_id for m in received for event_id, _ in m["events"]]
        assert ids == ([1, 2, 3] if push else [])
    finally:
        await layer.group_discard(user_group(receiver.pk), channel)
