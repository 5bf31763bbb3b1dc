"""Issue 8's socket defects against a real Daphne: what WebsocketCommunicator cannot show.

Daphne (autobahn) refuses close codes other than 1000 and 3000–4999 from an application,
so the old 1008/1009 left zombie sockets and 1011s; frames over Daphne's cap were dropped
without a close. Here every close is checked as a client sees it, with the close frame
it received, and a Hypothesis run sends fuzzed frames over a real connection.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hsettings
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from realtime import close_codes
from tests.factories import UserFactory

from .conftest import session_key_for
from .fuzz import check_answer, check_close, frame_texts
from .live import Daphne, unique_prefix

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT = 64 * 1024
FLOOD_LIMIT = 1000  # per 10 s: the fuzz run stays under it, the flood test goes over


@pytest.fixture(scope="module")
def daphne(django_db_setup, django_db_blocker):
    """One Daphne for the module (a start costs seconds on a busy machine)."""
    from django.conf import settings

    server = Daphne(
        redis_url=settings.REDIS_URL,
        prefix=unique_prefix(),
        extra_env={"REALTIME_RATE_LIMIT_FRAMES": str(FLOOD_LIMIT)},
    )
    try:
        yield server.ready()
        assert server.proc.alive(), "Daphne died"
    finally:
        server.stop()


@pytest.fixture
def people(transactional_db):
    a, b = UserFactory(), UserFactory()
    return (a, session_key_for(a)), (b, session_key_for(b))


async def signed_in(port: int, key: str):
    ws = await connect(
        f"ws://127.0.0.1:{port}/ws/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": f"sessionid={key}"},
        open_timeout=10,
        max_size=None,
    )
    hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert hello["type"] == "hello"
    return ws


async def close_code_of(ws, timeout: float = 10) -> int:
    """Read until the server closes; the code of the close frame it sent (None: no frame)."""
    closed = None
    try:
        while True:
            text = await asyncio.wait_for(ws.recv(), timeout)
            check_answer(json.loads(text))
    except ConnectionClosed as exc:
        closed = exc
    assert closed.rcvd is not None, "closed without a close frame"
    return closed.rcvd.code


async def close_code_after(ws, text: str) -> int:
    """Send one frame, then the code of the close frame the server answers it with. A big
    frame may still be on its way out when the server closes: the send then ends with the
    close, and carries its code."""
    try:
        await ws.send(text)
    except ConnectionClosed as exc:
        closed = exc
    else:
        return await close_code_of(ws)
    assert closed.rcvd is not None, "closed without a close frame"
    return closed.rcvd.code


async def test_a_flood_closes_4429_and_leaves_no_zombie(daphne, people):
    (_a, ka), _ = people
    ws = await signed_in(daphne.port, ka)
    for _ in range(FLOOD_LIMIT * 3):  # faster than the refill (100/s): 50+ refused in a row
        await ws.send('{"type": "ping"}')
    assert await close_code_of(ws) == close_codes.RATE_LIMITED
    with pytest.raises(ConnectionClosed):  # no zombie answering ping
        await ws.send('{"type": "ping"}')


async def test_oversized_frames_close_4413_and_over_the_cap_1009_with_a_close_frame(daphne, people):
    (_a, ka), _ = people
    port = daphne.port
    ws = await signed_in(port, ka)
    too_big = '{"type": "ping", "pad": "' + "x" * LIMIT + '"}'
    assert await close_code_after(ws, too_big) == close_codes.TOO_BIG
    for size in (2_000_000, 17_000_000):
        ws = await signed_in(port, ka)
        over_the_cap = '{"type": "ping", "pad": "' + "x" * size + '"}'
        assert await close_code_after(ws, over_the_cap) == 1009  # Daphne's cap, first


async def test_the_issues_bad_frames_get_error_frames_not_1011(daphne, people):
    (_a, ka), (b, _kb) = people
    ws = await signed_in(daphne.port, ka)
    send = {"type": "message.send", "to": b.username, "content": "hi there", "client_id": "c"}
    frames = [
        json.dumps({**send, "to": "a\x00b"}),
        json.dumps({**send, "content": "a\x00b"}),
        json.dumps({**send, "subject": "a\x00b"}),
        json.dumps({**send, "client_id": "a\x00b"}),
        json.dumps({**send, "context": {"x": "a\x00b"}}),
        json.dumps({"type": "typing", "to": "a\x00b", "state": "start"}),
        json.dumps({"type": "message.read", "with": "a\x00b", "up_to_id": 1}),
        json.dumps({**send, "content": "\ud800"}),
        json.dumps({**send, "context": {"x": "\ud800"}}),
        "[" * 60000,
        '{"type": "message.send", "context": ' + '{"a": ' * 2000 + "1" + "}" * 2000 + "}",
    ]
    for text in frames:
        await ws.send(text)
        answer = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert answer["type"] == "error", (text[:80], answer)
        check_answer(answer)
    await ws.send('{"type": "ping"}')
    assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"type": "pong"}
    await ws.close()


async def test_a_page_on_another_port_cannot_open_a_socket_with_the_cookie(daphne, people):
    (_a, ka), _ = people
    port = daphne.port
    with pytest.raises(InvalidStatus) as refused:
        await connect(
            f"ws://127.0.0.1:{port}/ws/",
            origin=f"http://127.0.0.1:{port + 1}",
            additional_headers={"Cookie": f"sessionid={ka}"},
            open_timeout=10,
        )
    assert refused.value.response.status_code == 403


async def test_fuzzed_frames_over_a_real_daphne(daphne, people):
    (_a, ka), (b, _kb) = people
    port = daphne.port
    loop = asyncio.get_running_loop()
    state = {"ws": await signed_in(port, ka), "n": 0}

    async def check(text: str) -> None:
        if state["ws"] is None:
            state["ws"] = await signed_in(port, ka)
        ws = state["ws"]
        state["n"] += 1
        marker = f"probe-{state['n']}"
        await ws.send(text)
        await ws.send(json.dumps({"type": "probe.marker", "client_id": marker}))
        closed = None
        try:
            while True:
                answer = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if answer.get("ref") == marker:
                    return
                check_answer(answer)
        except ConnectionClosed as exc:
            closed = exc
        state["ws"] = None
        assert closed.rcvd is not None, ("dropped without a close", text[:200])
        check_close(closed.rcvd.code, frame_text=text, limit=LIMIT)

    @hsettings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )
    @given(frame_texts([b.username, "nobody"], LIMIT))
    def run(text: str) -> None:
        # A raw lone surrogate cannot leave a client as UTF-8 text (the escaped "\\ud800"
        # form is in the examples); autobahn would refuse invalid UTF-8 with 1007 anyway.
        assume(not any("\ud800" <= c <= "\udfff" for c in text))
        asyncio.run_coroutine_threadsafe(check(text), loop).result(timeout=60)

    await asyncio.to_thread(run)
    if state["ws"] is not None:
        await state["ws"].close()
    assert daphne.proc.alive()
