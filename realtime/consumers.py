"""The /ws/ socket: authentication, frames, live events and catch-up.

The protocol is a public contract, documented frame by frame in docs/realtime-protocol.md.
This consumer stays thin over services; what it owns is delivery order per socket:

* `cursor` is the id of the last event this socket has handed to its client; frames go
  out strictly in id order.
* A live event with id <= cursor is a duplicate and dropped; cursor + 1 is sent. A larger
  id waits in a small reorder buffer: usually the missing doorbells are already queued
  behind it (or the ack of our own send overtook the partner's message), and they fill
  the gap. If they have not after GAP_WAIT, a doorbell was lost (the layer delivers at
  most once) and the gap is read from the table. Ids per user are contiguous and
  committed in order (realtime/events.py), so the gap is always there to read.
* Live events that arrive during a `resume` replay go through the same check afterwards
  (delivery runs under one lock per socket): nothing is lost, doubled or reordered.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from common.auth import session_token_owner, user_is_suspended
from common.errors import DomainError, NotFound, ValidationFailed

from . import db, presence, sql
from .events import frame_text, push_frames_async, user_group
from .serialization import user_json
from .services.messages import message_send_async, messages_mark_read
from .sockets import CLOSE_SUSPENDED, CLOSE_UNAUTHENTICATED, session_fingerprint

logger = logging.getLogger(__name__)

CLOSE_TOO_BIG = 1009
CLOSE_POLICY = 1008
CLOSE_IDLE = 4408
REPLAY_PAGE = 500
GAP_WAIT = 1.0  # seconds a frame ahead of the cursor waits for earlier doorbells
TYPING_STATES = ("start", "stop")
# A rate-limited client that sends this many more frames without pausing is closed.
FLOOD_CLOSE_AFTER = 50


_background: set[asyncio.Future] = set()


def _spawn(coro) -> None:
    """Run a coroutine in the background, keeping a reference until it ends."""
    task = asyncio.ensure_future(coro)
    _background.add(task)
    task.add_done_callback(_background.discard)


class _Registry:
    """This process's sockets: one sweeper task closes idle ones and refreshes presence."""

    def __init__(self) -> None:
        self.sockets: weakref.WeakSet[RealtimeConsumer] = weakref.WeakSet()
        self.task: asyncio.Task | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def add(self, consumer: RealtimeConsumer) -> None:
        self.sockets.add(consumer)
        loop = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.loop is not loop:
            self.loop = loop
            self.task = loop.create_task(self._sweep())

    async def _sweep(self) -> None:
        tick = min(5.0, settings.REALTIME_IDLE_TIMEOUT / 4)
        last_refresh = time.monotonic()
        while self.sockets:
            await asyncio.sleep(tick)
            now = time.monotonic()
            for consumer in list(self.sockets):
                if now - consumer.last_seen > settings.REALTIME_IDLE_TIMEOUT:
                    self.sockets.discard(consumer)
                    _spawn(consumer.close(CLOSE_IDLE))
            if now - last_refresh >= presence.PRESENCE_REFRESH:
                last_refresh = now
                await presence.presence_set(
                    (c.user.pk, c.channel_name) for c in list(self.sockets) if c.user is not None
                )


registry = _Registry()


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    user: Any = None
    session_hash: str | None = None
    cursor: int = 0
    last_seen: float = 0.0
    _auth_timer: asyncio.TimerHandle | None = None
    _tokens: float = 0.0
    _refilled: float = 0.0
    _flood: int = 0
    _closed: bool = False
    _ahead: dict | None = None  # event id -> frame text, waiting for earlier ids
    _gap_timer: asyncio.TimerHandle | None = None
    _lock: asyncio.Lock | None = None

    # Skip channels' per-message close_old_connections() thread hop: ORM work here always
    # goes through database_sync_to_async, which closes stale connections itself.
    async def dispatch(self, message: dict) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # --- Connection lifecycle --------------------------------------------------------------

    async def websocket_connect(self, message: dict) -> None:
        await self.accept()
        now = time.monotonic()
        self.last_seen = self._refilled = now
        self._tokens = float(settings.REALTIME_RATE_LIMIT_FRAMES)
        registry.add(self)
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            session = self.scope.get("session")
            await self._start(user, session.session_key if session is not None else None)
        else:
            self._auth_timer = asyncio.get_running_loop().call_later(
                settings.REALTIME_AUTH_TIMEOUT, self._auth_timeout
            )

    def _auth_timeout(self) -> None:
        if self.user is None:
            _spawn(self._close(CLOSE_UNAUTHENTICATED))

    async def websocket_disconnect(self, message: dict) -> None:
        self._closed = True
        for timer in (self._auth_timer, self._gap_timer):
            if timer is not None:
                timer.cancel()
        registry.sockets.discard(self)
        if self.user is not None:
            await self.channel_layer.group_discard(user_group(self.user.pk), self.channel_name)
            await presence.presence_remove(self.user.pk, self.channel_name)
        await super().websocket_disconnect(message)

    async def _close(self, code: int) -> None:
        if not self._closed:
            self._closed = True
            registry.sockets.discard(self)
            await self.close(code)

    async def _start(self, user: Any, session_key: str | None) -> None:
        if not user.is_active:
            await self._close(CLOSE_UNAUTHENTICATED)
            return
        if user_is_suspended(user):
            await self._close(CLOSE_SUSPENDED)
            return
        if self._auth_timer is not None:
            self._auth_timer.cancel()
            self._auth_timer = None
        self.user = user
        self.session_hash = session_fingerprint(session_key)
        # Subscribe first, then read the baseline (Zulip's register-then-fetch): an event
        # committed in between is either <= baseline (dropped) or queued for delivery.
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        await presence.presence_set([(user.pk, self.channel_name)])
        last_event_id, unread_messages, unread_notifications = await self._hello_state()
        self.cursor = last_event_id
        self._ahead, self._lock = {}, asyncio.Lock()
        await self.send_json(
            {
                "type": "hello",
                "user": user_json(user),
                "last_event_id": last_event_id,
                "unread": {"messages": unread_messages, "notifications": unread_notifications},
            }
        )

    async def _hello_state(self) -> tuple[int, int, int]:
        if db.enabled():
            row = await db.fetchone(sql.HELLO, {"user": self.user.pk})
            if row[0] is None:
                # The stream row was created by a transaction (this user's first event)
                # that committed while HELLO waited on it: the INSERT then did nothing and
                # the statement's snapshot, older than that commit, does not see the row.
                # A new statement does.
                row = await db.fetchone(sql.HELLO, {"user": self.user.pk})
            return row
        return await database_sync_to_async(_hello_state_orm)(self.user.pk)

    # --- Frames from the client ---------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        size = len(text_data) if text_data is not None else len(bytes_data or b"")
        limit = settings.REALTIME_MAX_FRAME_BYTES
        if size > limit or (
            text_data is not None and size * 4 > limit and len(text_data.encode()) > limit
        ):
            await self._close(CLOSE_TOO_BIG)
            return
        self.last_seen = time.monotonic()
        if not self._take_token():
            return
        if text_data is None:
            await self._error("invalid_frame", "Frames are JSON text.")
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            await self._error("invalid_json", "The frame is not valid JSON.")
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self._error("invalid_frame", "A frame is a JSON object with a string type.")
            return
        kind = frame["type"]
        ref = frame.get("client_id") if isinstance(frame.get("client_id"), str) else None
        if kind == "ping":
            await self.send(text_data='{"type":"pong"}')
            return
        if kind == "auth":
            await self._auth_frame(frame)
            return
        handler = self.FRAME_HANDLERS.get(kind)
        if handler is None:
            await self._error("unknown_type", f"Unknown frame type {kind!r}.", ref=ref)
            return
        if self.user is None:
            await self._error("not_authenticated", "Authenticate first.", ref=ref)
            return
        try:
            await handler(self, frame)
        except DomainError as exc:
            await self._error(exc.code, exc.message, ref=ref, fields=exc.fields)

    def _take_token(self) -> bool:
        """Token bucket: about RATE_LIMIT_FRAMES per RATE_LIMIT_WINDOW, bursts allowed."""
        now = self.last_seen
        capacity = settings.REALTIME_RATE_LIMIT_FRAMES
        rate = capacity / settings.REALTIME_RATE_LIMIT_WINDOW
        self._tokens = min(capacity, self._tokens + (now - self._refilled) * rate)
        self._refilled = now
        if self._tokens >= 1:
            self._tokens -= 1
            self._flood = 0
            return True
        self._flood += 1
        if self._flood == 1:
            retry_after = round((1 - self._tokens) / rate, 1)
            _spawn(
                self._error("rate_limited", "Too many frames; slow down.", retry_after=retry_after)
            )
        elif self._flood > FLOOD_CLOSE_AFTER:
            _spawn(self._close(CLOSE_POLICY))
        return False

    async def _error(
        self, code: str, message: str, *, ref: str | None = None, **extra: Any
    ) -> None:
        body = {"type": "error", "code": code, "message": message, "ref": ref}
        body.update({k: v for k, v in extra.items() if v})
        if not self._closed:
            await self.send_json(body)

    async def _auth_frame(self, frame: dict) -> None:
        if self.user is not None:
            await self._error("already_authenticated", "This socket is already authenticated.")
            return
        token = frame.get("token")
        if not isinstance(token, str) or not token or len(token) > 512:
            await self._close(CLOSE_UNAUTHENTICATED)
            return
        found = await database_sync_to_async(session_token_owner)(token)
        if found is None:
            await self._close(CLOSE_UNAUTHENTICATED)
            return
        await self._start(*found)

    async def _message_send(self, frame: dict) -> None:
        client_id = frame.get("client_id")
        if not isinstance(client_id, str) or not client_id:
            raise ValidationFailed(fields={"client_id": ["Required: a string you generate."]})
        context = frame.get("context")
        if context is not None and not isinstance(context, dict):
            raise ValidationFailed(fields={"context": ["Must be an object."]})
        fields = {
            "sender": self.user,
            "to": frame.get("to"),
            "content": frame.get("content"),
            "subject": frame.get("subject"),
            "client_id": client_id,
            "context": context,
        }
        result = await message_send_async(**fields, push=False)
        if result.created:
            # Ring the receiver first: the send-to-receive time is what people feel.
            await push_frames_async(result.frames)
        ack = {
            "type": "message.ack",
            "client_id": client_id,
            "message": result.message,
            "event_id": result.sender_event_id,
        }
        async with self._lock:
            if result.created and result.sender_event_id > self.cursor:
                # The ack stands in for this socket's copy of message.new, in id order.
                await self._deliver(result.sender_event_id, json.dumps(ack), ack=True)
            else:  # a resend: the same ack again, outside the event order
                await self.send_json(ack)

    async def _typing(self, frame: dict) -> None:
        state = frame.get("state")
        if state not in TYPING_STATES:
            raise ValidationFailed(fields={"state": ['Must be "start" or "stop".']})
        receiver_id = await self._user_id(frame.get("to"))
        if receiver_id == self.user.pk:
            raise ValidationFailed(fields={"to": ["You cannot type to yourself."]})
        text = json.dumps(
            {"type": "typing", "from": self.user.username, "state": state}, separators=(",", ":")
        )
        try:
            await self.channel_layer.group_send(
                user_group(receiver_id), {"type": "rt.typing", "frame": text}
            )
        except Exception as exc:  # ephemeral: dropping one is fine
            logger.warning("typing relay failed: %s", exc)

    async def _message_read(self, frame: dict) -> None:
        with_username, up_to_id = frame.get("with"), frame.get("up_to_id")
        if not isinstance(with_username, str) or not with_username:
            raise ValidationFailed(fields={"with": ["Name the other person by username."]})
        if not isinstance(up_to_id, int) or isinstance(up_to_id, bool) or up_to_id < 1:
            raise ValidationFailed(fields={"up_to_id": ["Must be a positive message id."]})
        await database_sync_to_async(messages_mark_read)(
            reader=self.user, with_username=with_username, up_to_id=up_to_id
        )

    async def _resume(self, frame: dict) -> None:
        after = frame.get("last_event_id")
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            raise ValidationFailed(fields={"last_event_id": ["Must be an event id (>= 0)."]})
        async with self._lock:
            head = await self._stream_head()
            if after > head:
                await self._resync(head, "ahead")
                return
            if after < head and await self._first_after(after) != after + 1:
                await self._resync(head, "expired")
                return
            self.cursor = after
            await self._replay(after, head)
            await self.send_json({"type": "resumed", "last_event_id": self.cursor})

    async def _resync(self, head: int, reason: str) -> None:
        self.cursor = max(self.cursor, head)
        self._ahead = {i: f for i, f in self._ahead.items() if i > self.cursor}
        await self.send_json({"type": "resync_required", "last_event_id": head, "reason": reason})

    FRAME_HANDLERS = {
        "message.send": _message_send,
        "typing": _typing,
        "message.read": _message_read,
        "resume": _resume,
    }

    # --- Reading the stream ---------------------------------------------------------------------

    async def _replay(self, after: int, upto: int) -> None:
        """Send stored events (after, upto] in order; cursor follows. Call under _lock."""
        while after < upto:
            rows = await self._events_page(after, upto)
            if not rows:
                break
            for event_id, text in rows:
                if event_id > self.cursor:
                    # A held ack goes out in place of the stored copy of that message.new.
                    await self.send(text_data=self._ahead.pop(event_id, text))
                    self.cursor = event_id
            after = rows[-1][0]
        await self._flush_ahead()

    async def _deliver(self, event_id: int, text: str, *, ack: bool = False) -> None:
        """Send in id order: now if next, later if ahead (see the module docstring)."""
        if event_id <= self.cursor:
            return
        if ack or event_id not in self._ahead:
            self._ahead[event_id] = text
        await self._flush_ahead()

    async def _flush_ahead(self) -> None:
        ahead = self._ahead
        while ahead:
            text = ahead.pop(self.cursor + 1, None)
            if text is None:
                break
            await self.send(text_data=text)
            self.cursor += 1
        for stale in [i for i in ahead if i <= self.cursor]:
            del ahead[stale]
        if ahead and self._gap_timer is None:
            self._gap_timer = asyncio.get_running_loop().call_later(GAP_WAIT, self._gap_due)
        elif not ahead and self._gap_timer is not None:
            self._gap_timer.cancel()
            self._gap_timer = None

    def _gap_due(self) -> None:
        self._gap_timer = None
        if not self._closed and self._ahead:
            _spawn(self._fill_gap())

    async def _fill_gap(self) -> None:
        """A doorbell was lost: read the missing events from the table."""
        async with self._lock:
            if self._ahead and not self._closed:
                await self._replay(self.cursor, min(self._ahead) - 1)

    async def _events_page(self, after: int, upto: int) -> list[tuple[int, str]]:
        params = {"user": self.user.pk, "after": after, "upto": upto, "limit": REPLAY_PAGE}
        if db.enabled():
            return await db.fetchall(sql.REPLAY, params)
        return await database_sync_to_async(_events_page_orm)(params)

    async def _stream_head(self) -> int:
        if db.enabled():
            row = await db.fetchone(sql.STREAM_HEAD, {"user": self.user.pk})
            return row[0] if row else 0
        return await database_sync_to_async(_stream_head_orm)(self.user.pk)

    async def _first_after(self, after: int) -> int | None:
        params = {"user": self.user.pk, "after": after}
        if db.enabled():
            return (await db.fetchone(sql.FIRST_AFTER, params))[0]
        return await database_sync_to_async(_first_after_orm)(params)

    async def _user_id(self, username: Any) -> int:
        if not isinstance(username, str) or not username or len(username) > 150:
            raise ValidationFailed(fields={"to": ["Name the receiver by username."]})
        cache = self.__dict__.setdefault("_user_ids", {})
        if username not in cache:
            if db.enabled():
                row = await db.fetchone(sql.ACTIVE_USER_ID, {"username": username})
                user_id = row[0] if row else None
            else:
                user_id = await database_sync_to_async(_active_user_id_orm)(username)
            if user_id is None:
                raise NotFound("No active user with that username.")
            if len(cache) > 100:
                cache.clear()
            cache[username] = user_id
        return cache[username]

    # --- Messages from the channel layer ----------------------------------------------------------

    async def rt_events(self, message: dict) -> None:
        """Several events of this user from one commit, in id order."""
        if self.user is None or self._closed:
            return
        events = [(i, f) for i, f in message["events"] if i > self.cursor]
        if events:
            async with self._lock:
                for event_id, text in events:
                    await self._deliver(event_id, text)

    async def rt_typing(self, message: dict) -> None:
        if self.user is not None and not self._closed:
            await self.send(text_data=message["frame"])

    async def rt_control(self, message: dict) -> None:
        session = message.get("session")
        if session is None or session == self.session_hash:
            await self._close(message.get("code") or CLOSE_UNAUTHENTICATED)


# --- ORM fallbacks (embedded mode) ----------------------------------------------------------


def _hello_state_orm(user_id: int) -> tuple[int, int, int]:
    from .models import EventStream, Message, Notification

    stream, _ = EventStream.objects.get_or_create(user_id=user_id)
    return (
        stream.last_event_id,
        Message.objects.filter(receiver_id=user_id, is_read=False).count(),
        Notification.objects.filter(user_id=user_id, read=False).count(),
    )


def _events_page_orm(params: dict) -> list[tuple[int, str]]:
    from .models import Event

    rows = Event.objects.filter(
        user_id=params["user"], event_id__gt=params["after"], event_id__lte=params["upto"]
    ).order_by("event_id")[: params["limit"]]
    return [(e.event_id, frame_text(e.payload, e.event_id)) for e in rows]


def _stream_head_orm(user_id: int) -> int:
    from .models import EventStream

    stream = EventStream.objects.filter(user_id=user_id).first()
    return stream.last_event_id if stream else 0


def _first_after_orm(params: dict) -> int | None:
    from django.db.models import Min

    from .models import Event

    return Event.objects.filter(user_id=params["user"], event_id__gt=params["after"]).aggregate(
        m=Min("event_id")
    )["m"]


def _active_user_id_orm(username: str) -> int | None:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(username__iexact=username, is_active=True)
        .values_list("pk", flat=True)
        .first()
    )
