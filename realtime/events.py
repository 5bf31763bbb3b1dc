"""The per-user durable event stream, and the only way events leave this app.

Every event a user may need after a reconnect is a row in `realtime_events` with an id
from that user's `realtime_event_streams` row. How ids stay in commit order:

* A writer locks the stream rows of every user it will send events to, in user-id order
  (`SELECT … ORDER BY user_id FOR UPDATE`), before it reads anything the events report.
* It inserts the events with ids `last_event_id + 1 …` and bumps the row, in the same
  transaction, and the lock is held until that transaction commits.
* A second writer for the same user blocks on the row lock until the first commits, then
  (READ COMMITTED re-reads the row) continues from the committed value.

So for one user, a transaction that commits later always has larger ids, and ids have no
gaps (a rolled-back bump disappears with its events). A client holding id N can ask for
"everything after N" and never skip an event that commits late. Frames are pushed only in
`transaction.on_commit`; the channel layer is a doorbell, the table is the mailbox.

`send_event_on_commit` is the one entry point every writer calls; services that send
several events in one transaction open an `event_batch` first so that the locks are taken
once, in user-id order, and their events join it. Every payload is checked against its
TypedDict (realtime/event_types.py) when it joins a batch. The SQL write of
`message_send` stores events whose JSON Python built and checked the same way.
"""

from __future__ import annotations

import contextvars
import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.db import transaction
from django.db.models import F

from .event_types import validate_event
from .models import Event, EventStream

logger = logging.getLogger(__name__)

Frame = tuple[int, int, str]  # (user_id, event_id, JSON text of the frame)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def frame_text(payload: dict[str, Any], event_id: int) -> str:
    return json.dumps({**payload, "event_id": event_id}, separators=(",", ":"))


class EventBatch:
    """Events collected during one transaction; ids allocated once, under ordered locks."""

    def __init__(self, *, push: bool = True) -> None:
        self.push = push
        self._items: list[tuple[int, dict[str, Any]]] = []
        self._locked: dict[int, EventStream] = {}
        self.last_frames: list[Frame] = []

    def lock(self, user_ids: Iterable[int]) -> None:
        """Lock these users' stream rows (user-id order) before reading what events report."""
        wanted = sorted({int(u) for u in user_ids} - self._locked.keys())
        if not wanted:
            return
        if self._locked and wanted[0] < max(self._locked):
            # Locking out of order could deadlock with another writer; callers lock all
            # their users up front. Postgres would detect the deadlock and abort one side.
            logger.debug("event stream locks taken out of user-id order: %s", wanted)
        EventStream.objects.bulk_create(
            [EventStream(user_id=u) for u in wanted], ignore_conflicts=True
        )
        for stream in (
            EventStream.objects.select_for_update().filter(user_id__in=wanted).order_by("user_id")
        ):
            self._locked[stream.user_id] = stream

    def next_event_id(self, user_id: int) -> int:
        """The id the next event added for this (locked) user will get."""
        self.lock([user_id])
        pending = sum(1 for u, _ in self._items if u == user_id)
        return self._locked[user_id].last_event_id + pending + 1

    def add(self, *, user_id: int, payload: dict[str, Any]) -> None:
        """Queue one event (writers call `send_event_on_commit`, which lands here)."""
        # Checked against its TypedDict (realtime/event_types.py) and round-tripped through
        # JSON here, so a payload that cannot be sent fails where it was made.
        validate_event(payload)
        self._items.append((int(user_id), json.loads(json.dumps(payload))))

    def flush(self) -> list[Frame]:
        if not self._items:
            return []
        self.lock(u for u, _ in self._items)
        events = []
        for user_id, payload in self._items:
            stream = self._locked[user_id]
            stream.last_event_id += 1
            events.append(
                Event(
                    user_id=user_id,
                    event_id=stream.last_event_id,
                    type=payload["type"],
                    payload=payload,
                )
            )
        Event.objects.bulk_create(events, batch_size=2000)
        # One UPDATE per distinct increment (an announcement: one UPDATE for everyone).
        by_increment: dict[int, list[int]] = {}
        for user_id, n in Counter(e.user_id for e in events).items():
            by_increment.setdefault(n, []).append(user_id)
        for n, user_ids in by_increment.items():
            EventStream.objects.filter(user_id__in=sorted(user_ids)).update(
                last_event_id=F("last_event_id") + n
            )
        frames = [(e.user_id, e.event_id, frame_text(e.payload, e.event_id)) for e in events]
        self._items.clear()
        self.last_frames = frames
        if self.push:
            transaction.on_commit(lambda: push_frames(frames))
        return frames


def event_streams_create(*, user_ids: Iterable[int]) -> None:
    """Make the stream rows of these users if missing (with the account: a send then only
    locks rows that exist, and a new user's first event never waits on another's insert)."""
    EventStream.objects.bulk_create(
        [EventStream(user_id=u) for u in sorted(set(user_ids))], ignore_conflicts=True
    )


_current_batch: contextvars.ContextVar[EventBatch | None] = contextvars.ContextVar(
    "realtime_event_batch", default=None
)


@contextmanager
def event_batch(*, lock: Iterable[int] = (), push: bool = True) -> Iterator[EventBatch]:
    """Collect events until the block ends, then store them (inside the caller's atomic).

    Nested blocks join the outermost one, so `notify()` inside `connection_accept()` adds
    to the same batch and the same locks. `push=False` leaves pushing to the caller (the
    socket pushes its own send after the ack).
    """
    outer = _current_batch.get()
    if outer is not None:
        outer.lock(lock)
        yield outer
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_batch() must run inside transaction.atomic()")
    batch = EventBatch(push=push)
    batch.lock(lock)
    token = _current_batch.set(batch)
    try:
        yield batch
    finally:
        _current_batch.reset(token)
    batch.flush()


def send_event_on_commit(*, event: dict[str, Any], user_ids: Iterable[int]) -> None:
    """Store `event` for each user and push it to their sockets once the transaction commits.

    The one entry point for every writer. Inside an `event_batch` (a service that sends
    several events locks all its users up front) the event joins that batch; otherwise it
    gets its own batch and savepoint. The payload is checked against its TypedDict here.
    """
    user_ids = [int(u) for u in user_ids]
    batch = _current_batch.get()
    if batch is not None:
        batch.lock(user_ids)  # a no-op for users the service already locked
        for user_id in user_ids:
            batch.add(user_id=user_id, payload=event)
        return
    with transaction.atomic(), event_batch(lock=user_ids) as batch:
        for user_id in user_ids:
            batch.add(user_id=user_id, payload=event)


# --- Pushing (the doorbell) --------------------------------------------------------------


async def push_frames_async(frames: Iterable[Frame]) -> None:
    """Ring every socket of each user: one layer message per user, in id order.

    Losing a push is tolerated: sockets fill gaps from the table. With the pub/sub layer
    all the publishes of one call go to Redis in one pipelined round trip (a notification
    to a thousand people is a thousand PUBLISH commands, not a thousand round trips).
    """
    by_user: dict[int, list[list]] = {}
    for user_id, event_id, text in frames:
        by_user.setdefault(user_id, []).append([event_id, text])
    messages = [
        (user_group(user_id), {"type": "rt.events", "events": events})
        for user_id, events in by_user.items()
    ]
    try:
        await _group_send_many(messages)
    except Exception as exc:  # Redis down: the events are stored; clients resume
        logger.warning("push to %d users failed: %s", len(messages), exc)


async def _group_send_many(messages: list[tuple[str, dict[str, Any]]]) -> None:
    layer = get_channel_layer()
    if isinstance(layer, RedisPubSubChannelLayer) and len(messages) > 1:
        # channels_redis' pub/sub layer publishes one message per round trip; pipeline them
        # on its own connection, with its own channel names and serializer.
        loop_layer = layer._get_layer()
        shard = loop_layer._shards[0]
        if len(loop_layer._shards) == 1:
            async with shard._lock:
                shard._ensure_redis()
                async with shard._redis.pipeline(transaction=False) as pipe:
                    for group, message in messages:
                        pipe.publish(
                            loop_layer._get_group_channel_name(group), layer.serialize(message)
                        )
                    await pipe.execute()
            return
    for group, message in messages:
        await layer.group_send(group, message)


async def send_control_async(user_id: int, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    try:
        await layer.group_send(user_group(user_id), message)
    except Exception as exc:
        logger.warning("control message to user %s failed: %s", user_id, exc)


def push_frames(frames: list[Frame]) -> None:
    if frames:
        async_to_sync(push_frames_async)(frames)
