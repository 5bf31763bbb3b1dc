"""The /ws/ socket: parse frames, authorise, call services and selectors, send.

The protocol is a public contract, documented frame by frame in docs/realtime-protocol.md.
What this module does not hold lives next to it, each with its own unit tests:
realtime/frames.py (decode and validate a frame, first), realtime/ratelimit.py (the frame
budget), realtime/ordering.py (delivery in event-id order, reorder buffer and gap fill),
realtime/sweeper.py (idle sockets, presence), realtime/selectors/stream.py (stream reads),
realtime/close_codes.py (every close code) and realtime/sockets.py (closing sockets when
a session or an account ends).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from common.auth import session_user_id, user_is_suspended
from common.errors import DomainError, NotFound, ValidationFailed

from . import close_codes, db, frames, layers, presence
from .auth import token_owner
from .events import push_frames_async, user_group
from .ordering import OrderedDelivery
from .ratelimit import FrameBudget, Verdict
from .selectors.stream import stream_reader
from .serialization import user_json
from .services.messages import message_send_async, messages_mark_read
from .sockets import session_fingerprint
from .sweeper import IdleSweeper

logger = logging.getLogger(__name__)

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


registry = IdleSweeper(
    idle_timeout=lambda: settings.REALTIME_IDLE_TIMEOUT,
    idle_code=close_codes.IDLE,
    refresh_every=presence.PRESENCE_REFRESH,
    refresh=presence.presence_set,
    spawn=_spawn,
)


async def process_stopping() -> None:
    """The server stops (Daphne's SIGTERM, realtime/daphne.py): its sockets are about to be
    cancelled without `websocket_disconnect`, so take them out of presence in one pipeline
    now (instead of leaving them "online" for PRESENCE_TTL) and skip the per-channel
    UNSUBSCRIBEs (realtime/layers.py)."""
    layers.stopping = True
    entries = [(s.user.pk, s.channel_name) for s in list(registry.sockets) if s.user is not None]
    await presence.presence_remove_many(entries)


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    user: Any = None
    session_hash: str | None = None
    last_seen: float = 0.0
    _session_key: str | None = None
    _auth_timer: asyncio.TimerHandle | None = None
    _budget: FrameBudget | None = None
    _delivery: OrderedDelivery | None = None
    _closed: bool = False

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
        self.last_seen = now = time.monotonic()
        self._budget = FrameBudget(
            capacity=settings.REALTIME_RATE_LIMIT_FRAMES,
            window=settings.REALTIME_RATE_LIMIT_WINDOW,
            close_after=FLOOD_CLOSE_AFTER,
            now=now,
        )
        registry.add(self)
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            if "session_key" in self.scope:  # realtime.auth.SocketAuthMiddleware
                key = self.scope["session_key"]
            else:  # channels' AuthMiddlewareStack (embedded mode)
                key = getattr(self.scope.get("session"), "session_key", None)
            await self._starting(self._start(user, key))
        else:
            self._auth_timer = asyncio.get_running_loop().call_later(
                settings.REALTIME_AUTH_TIMEOUT, self._auth_timeout
            )

    def _auth_timeout(self) -> None:
        if self.user is None:
            _spawn(self.close_with(close_codes.UNAUTHENTICATED))

    async def websocket_disconnect(self, message: dict) -> None:
        self._closed = True
        if self._auth_timer is not None:
            self._auth_timer.cancel()
        if self._delivery is not None:
            self._delivery.close()
        registry.discard(self)
        if self.user is not None:
            await self.channel_layer.group_discard(user_group(self.user.pk), self.channel_name)
            await presence.presence_remove(self.user.pk, self.channel_name)
        # Not super(): channels' handler ends with aclose_old_connections(), a thread hop
        # per closed socket for ORM connections this consumer never uses on its thread
        # (as in `dispatch` above). No `groups`, no `disconnect` hook here.
        raise StopConsumer()

    async def close_with(self, code: int) -> None:
        """Close once, with a code Daphne accepts; from then on the socket is silent."""
        if self._closed:
            return
        self._closed = True
        registry.discard(self)
        if self._delivery is not None:
            self._delivery.close()
        await self.close(close_codes.sendable(code))

    async def _starting(self, step: Awaitable[None]) -> None:
        """Run a step of opening the socket; the database too busy for it closes 4503."""
        try:
            await step
        except db.Busy:
            await self.close_with(close_codes.BUSY)

    async def _start(self, user: Any, session_key: str | None) -> None:
        if not user.is_active:
            await self.close_with(close_codes.UNAUTHENTICATED)
            return
        if user_is_suspended(user):
            await self.close_with(close_codes.SUSPENDED)
            return
        if self._auth_timer is not None:
            self._auth_timer.cancel()
            self._auth_timer = None
        self.user = user
        self._session_key = session_key
        self.session_hash = session_fingerprint(session_key)
        # A resume named in the handshake (`/ws/?last_event_id=37`): hello's statement also
        # reads the first page of the replay, and the socket answers as `resume` would.
        after = frames.handshake_last_event_id(self.scope.get("query_string", b""))
        reader = stream_reader()
        # Subscribe first, then read the baseline (Zulip's register-then-fetch): an event
        # committed in between is either <= baseline (dropped) or queued for delivery.
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        # Both finish before a failure of either is raised (a Busy hello must not leave a
        # presence write behind the disconnect's removal).
        presence_done, state = await asyncio.gather(
            presence.presence_set([(user.pk, self.channel_name)]),
            reader.hello_state(user.pk) if after is None else reader.hello_page(user.pk, after),
            return_exceptions=True,
        )
        for result in (presence_done, state):
            if isinstance(result, BaseException):
                raise result
        last_event_id, unread_messages, unread_notifications = state[:3]
        self._delivery = OrderedDelivery(
            cursor=last_event_id,
            send=self._send_text,
            read_page=self._read_page,
            gap_wait=GAP_WAIT,
            spawn=_spawn,
        )
        hello = {
            "type": "hello",
            "user": user_json(user),
            "last_event_id": last_event_id,
            "unread": {"messages": unread_messages, "notifications": unread_notifications},
        }
        if after is None:
            await self.send_json(hello)
            return
        hello["resume_from"] = after
        async with self._delivery.lock:
            await self.send_json(hello)
            await self._catch_up(after, last_event_id, state[3])

    async def _send_text(self, text: str) -> None:
        if not self._closed:
            await self.send(text_data=text)

    async def _read_page(self, after: int, upto: int) -> list[tuple[int, str]]:
        return await stream_reader().events_page(self.user.pk, after, upto)

    # --- Frames from the client ---------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        if self._closed:
            return  # closing: answer nothing (no zombie answering ping)
        try:
            frame = frames.decode(text_data, bytes_data, limit=settings.REALTIME_MAX_FRAME_BYTES)
        except frames.FrameTooBig:
            await self.close_with(close_codes.TOO_BIG)
            return
        except frames.FrameError as exc:
            if self._allowed():
                await self._error(exc.code, exc.message, fields=exc.fields)
            return
        if not self._allowed():
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
        if kind in self.QUEUEING_FRAMES:
            _spawn(self._handle(handler, frame, kind, ref))
        else:
            await self._handle(handler, frame, kind, ref)

    async def _handle(self, handler: Any, frame: dict, kind: str, ref: str | None) -> None:
        try:
            await handler(self, frame)
        except db.Busy as exc:
            # Overload, not an error of the frame: the client sends it again after
            # retry_after seconds (docs/realtime-protocol.md, "Errors"); the socket stays.
            await self._error(
                exc.code, exc.message, ref=ref, retry_after=exc.retry_after, frame=kind
            )
        except DomainError as exc:
            await self._error(exc.code, exc.message, ref=ref, fields=exc.fields)
        except Exception:
            # A bad frame never closes the socket: a bug found by a new input answers an
            # error frame (and is logged), instead of a 1011 for every open tab.
            logger.exception("frame %r failed", kind)
            await self._error("server_error", "The frame could not be processed.", ref=ref)

    def _allowed(self) -> bool:
        """Spend one frame of the budget; answer or close when it is spent."""
        self.last_seen = now = time.monotonic()
        verdict = self._budget.take(now)
        if verdict is Verdict.WARN:
            _spawn(
                self._error(
                    "rate_limited",
                    "Too many frames; slow down.",
                    retry_after=self._budget.retry_after(),
                )
            )
        elif verdict is Verdict.CLOSE:
            _spawn(self.close_with(close_codes.RATE_LIMITED))
        return verdict is Verdict.ALLOW

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
            await self.close_with(close_codes.UNAUTHENTICATED)
            return
        await self._starting(self._token_start(token))

    async def _token_start(self, token: str) -> None:
        found = await token_owner(token)
        if found is None:
            await self.close_with(close_codes.UNAUTHENTICATED)
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
        delivery = self._delivery
        async with delivery.lock:
            if result.created and result.sender_event_id > delivery.cursor:
                # The ack stands in for this socket's copy of message.new, in id order.
                await delivery.deliver(result.sender_event_id, json.dumps(ack), ack=True)
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
        async with self._delivery.lock:
            # One statement: the head and the first page after `after`.
            head, page = await stream_reader().resume_page(self.user.pk, after)
            await self._catch_up(after, head, page)

    async def _catch_up(self, after: int, head: int, page: list[tuple[int, str]]) -> None:
        """Replay (after, head] from its first page, then `resumed`; or `resync_required`.
        A `resume` frame and a resume named in the handshake both end here. Call under
        `delivery.lock`."""
        if after > head:
            await self._resync(head, "ahead")
            return
        if after < head and (not page or page[0][0] != after + 1):
            await self._resync(head, "expired")
            return
        delivery = self._delivery
        delivery.cursor = after
        await delivery.replay(after, head, first=page)
        await self._send_json_open({"type": "resumed", "last_event_id": delivery.cursor})

    async def _resync(self, head: int, reason: str) -> None:
        self._delivery.skip_to(head)
        await self._send_json_open(
            {"type": "resync_required", "last_event_id": head, "reason": reason}
        )

    async def _send_json_open(self, body: dict) -> None:
        """Send unless closing (a queued `resume` may finish after the socket closed)."""
        if not self._closed:
            await self.send_json(body)

    FRAME_HANDLERS = {
        "message.send": _message_send,
        "typing": _typing,
        "message.read": _message_read,
        "resume": _resume,
    }
    # Frames that may queue for the database for long (a `resume` page waits up to
    # db.RESUME_WAIT in a reconnect storm): handled beside the socket's receive loop, so
    # `ping` is still answered and the idle clock still runs meanwhile. Ordering holds:
    # a resume holds `delivery.lock`, which every delivery (an ack, a live event) takes.
    QUEUEING_FRAMES = frozenset({"resume"})

    async def _user_id(self, username: Any) -> int:
        if not isinstance(username, str) or not username or len(username) > 150:
            raise ValidationFailed(fields={"to": ["Name the receiver by username."]})
        cache = self.__dict__.setdefault("_user_ids", {})
        if username not in cache:
            user_id = await stream_reader().active_user_id(username)
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
        delivery = self._delivery
        events = [(i, f) for i, f in message["events"] if i > delivery.cursor]
        if events:
            async with delivery.lock:
                for event_id, text in events:
                    await delivery.deliver(event_id, text)

    async def rt_typing(self, message: dict) -> None:
        if self.user is not None and not self._closed:
            await self.send(text_data=message["frame"])

    async def rt_control(self, message: dict) -> None:
        """Close when told to (see realtime/sockets.py): this session, or every session,
        or — on `sessions.check` — only if this socket's session no longer names its user."""
        if self._closed:
            return
        code = message.get("code") or close_codes.UNAUTHENTICATED
        if message.get("action") == "sessions.check":
            if self.user is None or await self._session_still_valid():
                return
            await self.close_with(code)
            return
        session = message.get("session")
        if session is None or session == self.session_hash:
            await self.close_with(code)

    async def _session_still_valid(self) -> bool:
        if self._session_key is None:
            return False
        owner = await database_sync_to_async(session_user_id)(self._session_key)
        return owner == self.user.pk
