"""Reads of a user's event stream for the socket: hello, replay, head, user lookup.

Two backends behind one interface, chosen once per process by `stream_reader()`: the
hand-written statements of realtime/sql.py on the event loop through psycopg's async pool
(PostgreSQL, services mode), or the ORM through a thread (SQLite, embedded mode).
"""

from __future__ import annotations

import asyncio
import functools
from typing import Protocol

from channels.db import database_sync_to_async

from .. import db, sql

REPLAY_PAGE = 500


class StreamReader(Protocol):
    async def hello_state(self, user_id: int) -> tuple[int, int, int]:
        """(last event id, unread messages, unread notifications); creates the stream row."""

    async def hello_page(
        self, user_id: int, after: int
    ) -> tuple[int, int, int, list[tuple[int, str]]]:
        """hello_state and the first page after `after` up to its last event id, in one
        read: `hello` with a resume named in the handshake."""

    async def events_page(self, user_id: int, after: int, upto: int) -> list[tuple[int, str]]:
        """Up to REPLAY_PAGE events (after, upto], in order, as (id, frame text)."""

    async def stream_head(self, user_id: int) -> int:
        """The user's last event id (0 without a stream)."""

    async def first_after(self, user_id: int, after: int) -> int | None:
        """The smallest stored event id after `after` (None: none left)."""

    async def resume_state(self, user_id: int, after: int) -> tuple[int, int | None]:
        """(stream_head, first_after(after)) in one read: what `resume` decides on."""

    async def resume_page(self, user_id: int, after: int) -> tuple[int, list[tuple[int, str]]]:
        """(stream_head, events_page(after, head)) in one read: a `resume` that is not
        behind by more than a page is one statement."""

    async def active_user_id(self, username: str) -> int | None:
        """The id of the active user with this username (case-insensitive)."""


class SqlStreamReader:
    async def hello_state(self, user_id: int) -> tuple[int, int, int]:
        # Shielded like realtime/auth.py's reads: a cancelled connect must not cost the
        # pool a connection.
        row = await asyncio.shield(db.fetchone(sql.HELLO, {"user": user_id}))
        if row[0] is None:
            # The stream row was created by a transaction (this user's first event) that
            # committed while HELLO waited on it: the INSERT then did nothing and the
            # statement's snapshot, older than that commit, does not see the row. A new
            # statement does.
            row = await db.fetchone(sql.HELLO, {"user": user_id})
        return row

    async def hello_page(
        self, user_id: int, after: int
    ) -> tuple[int, int, int, list[tuple[int, str]]]:
        params = {"user": user_id, "after": after, "limit": REPLAY_PAGE}
        rows = await asyncio.shield(db.fetchall(sql.HELLO_PAGE, params))
        if rows[0][0] is None:  # the stream row's race, as in hello_state
            rows = await db.fetchall(sql.HELLO_PAGE, params)
        head, messages, notifications = rows[0][:3]
        return head, messages, notifications, [(i, t) for *_, i, t in rows if i is not None]

    async def events_page(self, user_id: int, after: int, upto: int) -> list[tuple[int, str]]:
        params = {"user": user_id, "after": after, "upto": upto, "limit": REPLAY_PAGE}
        return await db.fetchall(sql.REPLAY, params)

    async def stream_head(self, user_id: int) -> int:
        row = await db.fetchone(sql.STREAM_HEAD, {"user": user_id})
        return row[0] if row else 0

    async def first_after(self, user_id: int, after: int) -> int | None:
        return (await db.fetchone(sql.FIRST_AFTER, {"user": user_id, "after": after}))[0]

    async def resume_state(self, user_id: int, after: int) -> tuple[int, int | None]:
        return await db.fetchone(sql.RESUME_STATE, {"user": user_id, "after": after})

    async def resume_page(self, user_id: int, after: int) -> tuple[int, list[tuple[int, str]]]:
        params = {"user": user_id, "after": after, "limit": REPLAY_PAGE}
        # The reconnect storm's main work: it queues for longer than other statements
        # (db.RESUME_WAIT), and db.Busy reaches the client as a `busy` error frame.
        rows = await db.fetchall(sql.RESUME_PAGE, params, timeout=db.RESUME_WAIT)
        if not rows:  # no stream row yet
            return 0, []
        return rows[0][0], [(i, text) for _, i, text in rows if i is not None]

    async def active_user_id(self, username: str) -> int | None:
        row = await db.fetchone(sql.ACTIVE_USER_ID, {"username": username})
        return row[0] if row else None


class OrmStreamReader:
    async def hello_state(self, user_id: int) -> tuple[int, int, int]:
        return await database_sync_to_async(_hello_state)(user_id)

    async def hello_page(
        self, user_id: int, after: int
    ) -> tuple[int, int, int, list[tuple[int, str]]]:
        return await database_sync_to_async(_hello_page)(user_id, after)

    async def events_page(self, user_id: int, after: int, upto: int) -> list[tuple[int, str]]:
        return await database_sync_to_async(_events_page)(user_id, after, upto)

    async def stream_head(self, user_id: int) -> int:
        return await database_sync_to_async(_stream_head)(user_id)

    async def first_after(self, user_id: int, after: int) -> int | None:
        return await database_sync_to_async(_first_after)(user_id, after)

    async def resume_state(self, user_id: int, after: int) -> tuple[int, int | None]:
        return await database_sync_to_async(_resume_state)(user_id, after)

    async def resume_page(self, user_id: int, after: int) -> tuple[int, list[tuple[int, str]]]:
        return await database_sync_to_async(_resume_page)(user_id, after)

    async def active_user_id(self, username: str) -> int | None:
        return await database_sync_to_async(_active_user_id)(username)


@functools.cache
def stream_reader() -> StreamReader:
    """The backend for this process: SQL on PostgreSQL, the ORM on SQLite."""
    return SqlStreamReader() if db.enabled() else OrmStreamReader()


def _hello_state(user_id: int) -> tuple[int, int, int]:
    from ..models import EventStream, Message, Notification

    stream, _ = EventStream.objects.get_or_create(user_id=user_id)
    return (
        stream.last_event_id,
        Message.objects.filter(receiver_id=user_id, is_read=False).count(),
        Notification.objects.filter(user_id=user_id, read=False).count(),
    )


def _hello_page(user_id: int, after: int) -> tuple[int, int, int, list[tuple[int, str]]]:
    head, messages, notifications = _hello_state(user_id)
    return head, messages, notifications, _events_page(user_id, after, head) if after < head else []


def _events_page(user_id: int, after: int, upto: int) -> list[tuple[int, str]]:
    from ..events import frame_text
    from ..models import Event

    rows = Event.objects.filter(user_id=user_id, event_id__gt=after, event_id__lte=upto).order_by(
        "event_id"
    )[:REPLAY_PAGE]
    return [(e.event_id, frame_text(e.payload, e.event_id)) for e in rows]


def _stream_head(user_id: int) -> int:
    from ..models import EventStream

    stream = EventStream.objects.filter(user_id=user_id).first()
    return stream.last_event_id if stream else 0


def _first_after(user_id: int, after: int) -> int | None:
    from django.db.models import Min

    from ..models import Event

    return Event.objects.filter(user_id=user_id, event_id__gt=after).aggregate(m=Min("event_id"))[
        "m"
    ]


def _resume_state(user_id: int, after: int) -> tuple[int, int | None]:
    return _stream_head(user_id), _first_after(user_id, after)


def _resume_page(user_id: int, after: int) -> tuple[int, list[tuple[int, str]]]:
    head = _stream_head(user_id)
    return head, _events_page(user_id, after, head) if after < head else []


def _active_user_id(username: str) -> int | None:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(username__iexact=username, is_active=True)
        .values_list("pk", flat=True)
        .first()
    )
