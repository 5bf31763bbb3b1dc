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

`send_event_on_commit` is the public entry point; services that send several events in
one transaction open an `event_batch` so that the locks are taken once, in order.
"""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from .models import Event, EventStream

logger = logging.getLogger(__name__)

# Event types that carry an event_id (typing and control messages do not).
EVENT_TYPES = frozenset(
    {
        "message.new",
        "message.read",
        "notification.new",
        "notification.count",
        "connection.request",
        "connection.accepted",
        "connection.removed",
    }
)

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
        if payload.get("type") not in EVENT_TYPES:
            raise ValueError(f"unregistered event type {payload.get('type')!r}")
        # Round-trip through JSON here, so a payload that cannot be sent fails where it
        # was made (Zulip does the same in its tests).
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
        Event.objects.bulk_create(events)
        touched = sorted({e.user_id for e in events})
        EventStream.objects.bulk_update([self._locked[u] for u in touched], ["last_event_id"])
        frames = [(e.user_id, e.event_id, frame_text(e.payload, e.event_id)) for e in events]
        self._items.clear()
        self.last_frames = frames
        if self.push:
            transaction.on_commit(lambda: push_frames(frames))
        return frames


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
    """Store `event` for each user and push it to their sockets once the transaction commits."""
    user_ids = list(user_ids)
    with transaction.atomic(), event_batch(lock=user_ids) as batch:
        for user_id in user_ids:
            batch.add(user_id=user_id, payload=event)


# --- Pushing (the doorbell) --------------------------------------------------------------


async def push_frames_async(frames: Iterable[Frame]) -> None:
    """Ring every socket of each user. Losing a push is tolerated: sockets replay from the table."""
    layer = get_channel_layer()
    for user_id, event_id, text in frames:
        try:
            await layer.group_send(
                user_group(user_id), {"type": "rt.event", "event_id": event_id, "frame": text}
            )
        except Exception as exc:  # Redis down: the event is stored; clients resume
            logger.warning("push of event %s to user %s failed: %s", event_id, user_id, exc)


async def send_control_async(user_id: int, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    try:
        await layer.group_send(user_group(user_id), message)
    except Exception as exc:
        logger.warning("control message to user %s failed: %s", user_id, exc)


def push_frames(frames: list[Frame]) -> None:
    if frames:
        async_to_sync(push_frames_async)(frames)
