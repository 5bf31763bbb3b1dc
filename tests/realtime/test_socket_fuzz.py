"""Hypothesis over every frame type through the real ASGI app (WebsocketCommunicator).

Each generated frame is sent to a signed-in socket, then a marker frame: everything before
the marker's answer must be an answer the protocol allows (never `server_error`), or the
socket closes with a documented code for a documented reason (an oversized frame).
Hypothesis runs in a worker thread and hands each frame to the event loop that owns the
socket, so it shrinks a failing frame to a small one. The live-Daphne twin:
test_socket_live.py.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings

from realtime.models import Message

from .conftest import open_socket
from .fuzz import check_answer, check_close, frame_texts

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("close_pool")]

EXAMPLES = 150


class Probe:
    """One signed-in socket, reopened when a frame legitimately closed it."""

    def __init__(self, user) -> None:
        self.user, self.sock = user, None
        self.history: list[str] = []
        self.sent = 0

    async def open(self) -> None:
        self.sock, _ = await open_socket(cookie_user=self.user)

    async def check(self, text: str, limit: int) -> None:
        if self.sock is None:
            await self.open()
        self.history = [*self.history[-2:], text[:200]]
        await self.sock.c.send_to(text_data=text)
        # The marker's answer (unknown_type, ref = its client_id) cannot be confused with
        # an answer to the fuzzed frame, which may itself be a ping.
        self.sent += 1
        marker = f"probe-{self.sent}"
        await self.sock.send({"type": "probe.marker", "client_id": marker})
        while True:
            try:
                out = await self.sock.c.receive_output(timeout=10)
            except TimeoutError:
                self.sock = None  # the communicator cancelled the app: start afresh
                raise AssertionError(f"no answer after {self.history!r}") from None
            if out["type"] == "websocket.close":
                check_close(out.get("code"), frame_text=text, limit=limit)
                self.sock = None
                return
            frame = json.loads(out["text"])
            if frame.get("ref") == marker:
                return
            check_answer(frame)


async def test_fuzzed_frames_get_allowed_answers_and_the_socket_survives(users, settings):
    settings.REALTIME_RATE_LIMIT_FRAMES = 1_000_000  # floods have their own tests
    a, b, _ = users
    limit = settings.REALTIME_MAX_FRAME_BYTES
    probe = Probe(a)
    await probe.open()
    loop = asyncio.get_running_loop()

    @hsettings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(frame_texts([b.username, a.username, "nobody"], limit))
    def run(text: str) -> None:
        asyncio.run_coroutine_threadsafe(probe.check(text, limit), loop).result(timeout=30)

    await asyncio.to_thread(run)
    # Still healthy: a fresh socket works end to end.
    fresh, _ = await open_socket(cookie_user=b)
    await fresh.send(
        {
            "type": "message.send",
            "to": a.username,
            "content": "still here",
            "client_id": "after-fuzz",
        }
    )
    ack = await fresh.recv_type("message.ack", timeout=10)
    assert ack["message"]["content"] == "still here"
    assert await database_sync_to_async(Message.objects.filter(content="still here").count)() == 1
    await fresh.close()
    if probe.sock is not None:
        await probe.sock.close()


async def test_a_flood_of_fuzzed_frames_ends_in_4429_not_a_crash(users, settings):
    settings.REALTIME_RATE_LIMIT_FRAMES = 10
    a, b, _ = users
    sock, _ = await open_socket(cookie_user=a)
    frames = [
        '{"type": "ping"}',
        f'{{"type": "typing", "to": "{b.username}", "state": "start"}}',
        '{"type": "message.send", "to": "\\u0000"}',
        "[" * 5000,
        "{bad",
    ]
    for i in range(10 + 1 + 60):
        await sock.c.send_to(text_data=frames[i % len(frames)])
    while True:
        out = await sock.c.receive_output(timeout=5)
        if out["type"] == "websocket.close":
            assert out["code"] == 4429
            break
        check_answer(json.loads(out["text"]))
