"""The event stream's promise: per user, ids grow in commit order, without gaps.

Concurrent senders (threads with their own connections, and the socket's async path)
write to one user while a reader watches the table: at every instant the visible ids
must be exactly 1..max — a late commit never lands below an id already visible — and a
resume from any id returns exactly the later events.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from channels.db import database_sync_to_async
from django.db import close_old_connections, connection, transaction

from realtime.events import event_batch, send_event_on_commit
from realtime.models import Event, EventStream
from realtime.services import message_send, message_send_async
from tests.factories import UserFactory

from .conftest import open_socket

pytestmark = pytest.mark.django_db(transaction=True)


def _visible_ids(user_id: int) -> list[int]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT coalesce(array_agg(event_id ORDER BY event_id), '{}') "
            "FROM realtime_events WHERE user_id = %s",
            [user_id],
        )
        return cur.fetchone()[0]


class Watcher(threading.Thread):
    """Polls the receiver's events; records any moment where visible ids have a hole."""

    def __init__(self, user_id: int) -> None:
        super().__init__(daemon=True)
        self.user_id, self.stop, self.holes, self.polls = user_id, threading.Event(), [], 0

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                ids = _visible_ids(self.user_id)
                self.polls += 1
                if ids != list(range(1, len(ids) + 1)):
                    self.holes.append(ids)
        finally:
            close_old_connections()
            connection.close()


def test_concurrent_senders_get_ids_in_commit_order():
    receiver = UserFactory()
    senders = UserFactory.create_batch(6)
    watcher = Watcher(receiver.pk)
    watcher.start()
    per_sender = 15

    def run(sender):
        try:
            for i in range(per_sender):
                message_send(sender=sender, to=receiver.username, content=f"{i}", client_id=f"{i}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(s,)) for s in senders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    watcher.stop.set()
    watcher.join()
    assert watcher.polls > 5
    assert watcher.holes == []
    ids = _visible_ids(receiver.pk)
    # 90 message.new + one coalesced notification (+count) per sender.
    assert ids == list(range(1, 6 * per_sender + 2 * 6 + 1))
    assert EventStream.objects.get(user=receiver).last_event_id == ids[-1]
    # Per sender, its messages appear in the order it sent them.
    for sender in senders:
        contents = [
            e.payload["message"]["content"]
            for e in Event.objects.filter(user=receiver, type="message.new").order_by("event_id")
            if e.payload["message"]["from"] == sender.username
        ]
        assert contents == [str(i) for i in range(per_sender)]


def test_a_late_commit_waits_and_gets_the_higher_id():
    """T1 takes ids and commits slowly; T2 for the same user blocks until T1 commits."""
    user = UserFactory()
    assert EventStream.objects.filter(user=user).exists()  # made with the account
    # T1's commit is what releases T2, so T1 notes the time just before committing: T2
    # may finish before T1's thread runs again after the commit.
    t1_locked, t1_committing_at, t2_done_at = threading.Event(), [], []

    def slow_writer():
        try:
            with transaction.atomic(), event_batch(lock=[user.pk]) as batch:
                batch.add(user_id=user.pk, payload={"type": "notification.count", "unread": 1})
                t1_locked.set()
                time.sleep(0.5)
                t1_committing_at.append(time.monotonic())
        finally:
            connection.close()

    def fast_writer():
        t1_locked.wait()
        try:
            send_event_on_commit(
                event={"type": "notification.count", "unread": 2}, user_ids=[user.pk]
            )
            t2_done_at.append(time.monotonic())
        finally:
            connection.close()

    threads = [threading.Thread(target=slow_writer), threading.Thread(target=fast_writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert t2_done_at[0] >= t1_committing_at[0]
    rows = list(
        Event.objects.filter(user=user).order_by("event_id").values_list("event_id", "payload")
    )
    assert [(i, p["unread"]) for i, p in rows] == [(1, 1), (2, 2)]


def test_rolled_back_events_leave_no_gap():
    user = UserFactory()

    def failing_write():
        with transaction.atomic(), event_batch(lock=[user.pk]) as batch:
            batch.add(user_id=user.pk, payload={"type": "notification.count", "unread": 1})
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_write()
    send_event_on_commit(event={"type": "notification.count", "unread": 2}, user_ids=[user.pk])
    assert _visible_ids(user.pk) == [1]


def test_unregistered_event_type_is_refused():
    user = UserFactory()
    with pytest.raises(ValueError, match="unregistered"):
        send_event_on_commit(event={"type": "message.exploded"}, user_ids=[user.pk])


@pytest.mark.usefixtures("close_pool")
async def test_concurrent_async_senders_and_a_socket_observe_increasing_ids():
    receiver = await database_sync_to_async(UserFactory)()
    senders = [await database_sync_to_async(UserFactory)() for _ in range(8)]
    sock, hello = await open_socket(cookie_user=receiver)
    per_sender = 12

    async def run(sender):
        for i in range(per_sender):
            await message_send_async(
                sender=sender, to=receiver.username, content=f"{i}", client_id=f"a{i}"
            )

    await asyncio.gather(*(run(s) for s in senders))
    total = len(senders) * per_sender + 2 * len(senders)
    seen = [await sock.recv() for _ in range(total)]
    ids = [f["event_id"] for f in seen]
    assert ids == list(range(hello["last_event_id"] + 1, hello["last_event_id"] + total + 1))
    # A resume from any id returns exactly the later events.
    for start in (0, 7, total // 2, total - 1, total):
        await sock.send({"type": "resume", "last_event_id": start})
        replayed = []
        while (f := await sock.recv())["type"] != "resumed":
            replayed.append(f["event_id"])
        assert replayed == list(range(start + 1, total + 1))
        assert f["last_event_id"] == total
    await sock.close()
