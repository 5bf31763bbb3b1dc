"""Where `message_send` reads the two people and writes the message: one interface, two stores.

* `PostgresStore` (services mode): the write is one call of `realtime_message_send()`
  (realtime/sqlfunctions/message_send.v2.sql), in the caller's transaction (REST) or in
  autocommit on the event loop through psycopg's async pool (the socket, no thread hop).
  The socket's reads of the two people come from a per-process cache (`PartyCache`): the
  write itself checks that both rows are still the versions the rules were checked
  against, and answers `stale` (nothing written) when one changed, so a send costs one
  database round trip, not two, and a suspension still stops the very next send.
* `OrmStore` (embedded mode, SQLite): the same write with the ORM and `event_batch`.

Both take a `Draft` whose rules are already checked and whose JSON is already built
(realtime/services/messages.py); a store fills in only what the database assigns (ids,
the unread count). The store is chosen once per process from the database vendor, or
named by `REALTIME_MESSAGE_STORE` (a dotted path: bench/settings_orm.py measures the ORM
store on PostgreSQL that way).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Protocol

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .. import db
from ..events import Frame, event_batch, send_event_on_commit
from ..models import Message, MessageEmailState, NotificationType
from .notifications import notify

# The columns both stores read, in Party's order (PARTIES_SQL spells the same list).
PARTY_FIELDS = (
    "id",
    "username",
    "display_name",
    "avatar_url",
    "is_active",
    "email_verified",
    "suspended_until",
    "is_suspended_indefinitely",
    "suspension_reason",
)

# The sender (by id) and the receiver (by name, through the upper(username) unique index),
# each with its row version (xmin: any update of the row changes it).
PARTIES_SQL = """
SELECT id, username, display_name, avatar_url, is_active, email_verified, suspended_until,
       is_suspended_indefinitely, suspension_reason, xmin::text::bigint
FROM users
WHERE id = %(sender)s OR upper(username) = upper(%(to)s)
"""

SEND_SQL = """
SELECT status, message_id, sender_event_id, frames, email_user_id
FROM realtime_message_send(
    %(sender)s, %(receiver)s, %(subject)s, %(content)s, %(client_id)s, %(context)s::jsonb,
    %(created_at)s, %(message_event)s::jsonb, %(notification_event)s::jsonb,
    %(count_event)s::jsonb, %(coalesce_key)s, %(email_delay)s, %(sender_version)s,
    %(receiver_version)s
)
"""


@dataclass(frozen=True)
class Party:
    """A user as a send sees them, read fresh for every send (a socket's user object may
    be minutes old: verified since, suspended since)."""

    id: int
    username: str
    display_name: str
    avatar_url: str | None
    is_active: bool
    email_verified: bool
    suspended_until: datetime | None
    is_suspended_indefinitely: bool
    suspension_reason: str
    version: int | None = None  # the row's xmin on PostgreSQL (what the write re-checks)
    is_authenticated: bool = True

    @property
    def pk(self) -> int:
        return self.id

    @property
    def is_suspended(self) -> bool:
        if self.is_suspended_indefinitely:
            return True
        return self.suspended_until is not None and self.suspended_until > timezone.now()


@dataclass(frozen=True)
class Draft:
    """A send whose rules passed: the row's fields and the events' JSON, ids left at 0."""

    sender: Party
    receiver: Party
    subject: str | None
    content: str
    client_id: str | None
    context: dict[str, Any] | None
    created_at: datetime
    message_event: dict[str, Any]
    notification_event: dict[str, Any]
    count_event: dict[str, Any]
    coalesce_key: str
    email_delay: int


@dataclass(frozen=True)
class Written:
    created: bool  # False: (sender, client_id) had already sent; nothing was written
    message_id: int
    sender_event_id: int
    frames: tuple[Frame, ...]
    email_user_id: int | None  # set when this send started an unread burst: email later
    # True: a user's row changed since the parties were read; nothing was written, read
    # them again, check the rules again and write again.
    stale: bool = False


STALE = Written(False, 0, 0, (), None, stale=True)


def parties_from_rows(rows: list[tuple], *, sender_id: int, to: str) -> tuple[Party | None, ...]:
    parties = [Party(*row) for row in rows]
    sender = next((p for p in parties if p.id == sender_id), None)
    receiver = next((p for p in parties if p.username.upper() == to.upper()), None)
    return sender, receiver


class PartyCache:
    """The users this process's sockets sent from or to lately, as last read.

    Only a shortcut: the write re-checks each row's version (PostgresStore), and a stale
    answer makes the caller `forget` both and read them fresh. Misses (an unknown name)
    are not kept. Bounded: emptied past `limit` entries.
    """

    def __init__(self, limit: int = 20_000) -> None:
        self.limit = limit
        self._by_id: dict[int, Party] = {}
        self._id_by_name: dict[str, int] = {}

    def get(self, *, sender_id: int, to: str) -> tuple[Party, Party] | None:
        sender = self._by_id.get(sender_id)
        receiver_id = self._id_by_name.get(to.upper())
        receiver = self._by_id.get(receiver_id) if receiver_id is not None else None
        if sender is None or receiver is None:
            return None
        return sender, receiver

    def put(self, *parties: Party | None) -> None:
        if len(self._by_id) > self.limit:
            self._by_id.clear()
            self._id_by_name.clear()
        for party in parties:
            if party is not None and party.version is not None:
                self._by_id[party.id] = party
                self._id_by_name[party.username.upper()] = party.id

    def forget(self, *parties: Party | None) -> None:
        for party in parties:
            if party is not None:
                self._by_id.pop(party.id, None)
                self._id_by_name.pop(party.username.upper(), None)


class MessageStore(Protocol):
    def parties(self, *, sender_id: int, to: str) -> tuple[Party | None, Party | None]: ...

    async def parties_async(self, *, sender_id: int, to: str) -> tuple[Party | None, Party | None]:
        """Read both (and keep them in the process's cache, where there is one)."""

    def cached_parties(self, *, sender_id: int, to: str) -> tuple[Party, Party] | None:
        """Both from the process's cache, or None: no I/O (the write re-checks them)."""

    def forget(self, *parties: Party | None) -> None:
        """Drop these users from the cache (a write answered stale, a rule refused)."""

    def write(self, draft: Draft) -> Written:
        """Write inside the caller's transaction."""

    async def write_async(self, draft: Draft) -> Written:
        """Write and commit."""


class OrmStore:
    """Embedded mode: the same reads and writes through the ORM."""

    def parties(self, *, sender_id: int, to: str) -> tuple[Party | None, Party | None]:
        rows = list(
            get_user_model()
            .objects.filter(Q(pk=sender_id) | Q(username__iexact=to))
            .values_list(*PARTY_FIELDS)
        )
        return parties_from_rows(rows, sender_id=sender_id, to=to)

    async def parties_async(self, *, sender_id: int, to: str) -> tuple[Party | None, Party | None]:
        return await database_sync_to_async(self.parties)(sender_id=sender_id, to=to)

    def cached_parties(self, *, sender_id: int, to: str) -> tuple[Party, Party] | None:
        return None

    def forget(self, *parties: Party | None) -> None:
        return None

    def write(self, draft: Draft) -> Written:
        sender, receiver = draft.sender, draft.receiver
        with event_batch(lock=[sender.id, receiver.id], push=False) as batch:
            if draft.client_id is not None:
                dup = (
                    Message.objects.filter(sender_id=sender.id, client_id=draft.client_id)
                    .values_list("pk", "sender_event_id")
                    .first()
                )
                if dup is not None:
                    return Written(False, dup[0], dup[1], (), None)
            sender_event_id = batch.next_event_id(sender.id)
            message = Message.objects.create(
                sender_id=sender.id,
                receiver_id=receiver.id,
                subject=draft.subject,
                content=draft.content,
                client_id=draft.client_id,
                context=draft.context,
                sender_event_id=sender_event_id,
            )
            # auto_now_add stamped its own time; keep the one the JSON carries.
            Message.objects.filter(pk=message.pk).update(created_at=draft.created_at)
            event = copy.deepcopy(draft.message_event)
            event["message"]["id"] = message.pk
            send_event_on_commit(event=event, user_ids=[sender.id, receiver.id])
            n = draft.notification_event["notification"]
            notify(
                user_id=receiver.id,
                type=NotificationType.MESSAGE_RECEIVED,
                title=n["title"],
                message=n["message"],
                data={**n["data"], "message_id": message.pk},
                action_url=n["action_url"],
                coalesce_key=draft.coalesce_key,
            )
            state, created = MessageEmailState.objects.select_for_update().get_or_create(
                user_id=receiver.id
            )
            email_user_id = None
            if created or state.due_at is None:
                state.due_at = draft.created_at + timedelta(seconds=draft.email_delay)
                state.save(update_fields=["due_at"])
                email_user_id = receiver.id
        return Written(True, message.pk, sender_event_id, tuple(batch.last_frames), email_user_id)

    def _write_committed(self, draft: Draft) -> Written:
        with transaction.atomic(durable=True):
            return self.write(draft)

    async def write_async(self, draft: Draft) -> Written:
        return await database_sync_to_async(self._write_committed)(draft)


class PostgresStore(OrmStore):
    """Services mode: the write is one database call; the socket's reads and write run on
    the event loop through the async pool (realtime/db.py)."""

    def __init__(self) -> None:
        self.cache = PartyCache()

    def parties(self, *, sender_id: int, to: str) -> tuple[Party | None, Party | None]:
        with connection.cursor() as cursor:
            cursor.execute(PARTIES_SQL, {"sender": sender_id, "to": to})
            return parties_from_rows(cursor.fetchall(), sender_id=sender_id, to=to)

    async def parties_async(self, *, sender_id: int, to: str) -> tuple[Party | None, Party | None]:
        rows = await db.fetchall(PARTIES_SQL, {"sender": sender_id, "to": to})
        sender, receiver = parties_from_rows(rows, sender_id=sender_id, to=to)
        self.cache.put(sender, receiver)
        return sender, receiver

    def cached_parties(self, *, sender_id: int, to: str) -> tuple[Party, Party] | None:
        return self.cache.get(sender_id=sender_id, to=to)

    def forget(self, *parties: Party | None) -> None:
        self.cache.forget(*parties)

    def write(self, draft: Draft) -> Written:
        with connection.cursor() as cursor:
            cursor.execute(SEND_SQL, _params(draft))
            return _written(cursor.fetchone())

    async def write_async(self, draft: Draft) -> Written:
        return _written(await db.fetchone(SEND_SQL, _params(draft)))


def _params(draft: Draft) -> dict[str, Any]:
    return {
        "sender": draft.sender.id,
        "receiver": draft.receiver.id,
        "subject": draft.subject,
        "content": draft.content,
        "client_id": draft.client_id,
        "context": json.dumps(draft.context) if draft.context is not None else None,
        "created_at": draft.created_at,
        "message_event": json.dumps(draft.message_event),
        "notification_event": json.dumps(draft.notification_event),
        "count_event": json.dumps(draft.count_event),
        "coalesce_key": draft.coalesce_key,
        "email_delay": draft.email_delay,
        "sender_version": draft.sender.version,
        "receiver_version": draft.receiver.version,
    }


def _written(row: tuple) -> Written:
    status, message_id, sender_event_id, frames, email_user_id = row
    if status == "stale":
        return STALE
    if isinstance(frames, str):
        frames = json.loads(frames)
    return Written(
        created=status == "ok",
        message_id=message_id,
        sender_event_id=sender_event_id,
        frames=tuple((u, e, f) for u, e, f in (frames or [])),
        email_user_id=email_user_id,
    )


@cache
def _store(path: str, vendor: str) -> MessageStore:
    if path:
        return import_string(path)()
    return PostgresStore() if vendor == "postgresql" else OrmStore()


def message_store() -> MessageStore:
    """The store of this process: named by REALTIME_MESSAGE_STORE, else by the database."""
    return _store(settings.REALTIME_MESSAGE_STORE, connection.vendor)
