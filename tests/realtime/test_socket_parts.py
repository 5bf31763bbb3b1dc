"""Unit tests of the socket's parts: frame decoding, the frame budget, ordered delivery,
the idle sweeper, and the two stream-read backends (they must answer alike)."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from realtime import frames
from realtime.ordering import OrderedDelivery
from realtime.ratelimit import FrameBudget, Verdict
from realtime.sweeper import IdleSweeper

# --- frames --------------------------------------------------------------------------------------

LIMIT = 1024


def test_decode_accepts_a_plain_frame():
    frame = frames.decode('{"type": "ping", "n": [1, {"a": "é"}]}', None, limit=LIMIT)
    assert frame == {"type": "ping", "n": [1, {"a": "é"}]}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("{not json", "invalid_json"),
        ('{"type": 1}', "invalid_frame"),
        ("[]", "invalid_frame"),
        ('{"type": "x", "n": NaN}', "invalid_json"),
        ('{"type": "x", "n": -Infinity}', "invalid_json"),
        ("[" * 17 + "]" * 17, "invalid_frame"),
        ('{"type": "x", "s": "\\u0000"}', "invalid"),
        ('{"type": "x", "s": "\\udc00"}', "invalid"),
        ('{"type": "x", "\\u0000": 1}', "invalid"),
        ('{"type": "x", "n": 9223372036854775808}', "invalid"),
    ],
)
def test_decode_rejects(text, code):
    with pytest.raises(frames.FrameError) as raised:
        frames.decode(text, None, limit=LIMIT)
    assert raised.value.code == code


def test_depth_ignores_brackets_inside_strings():
    text = json.dumps({"type": "x", "s": "[" * 500})
    assert frames.decode(text, None, limit=LIMIT)["s"] == "[" * 500


def test_exactly_max_depth_is_fine():
    text = '{"type": "x", "v": ' + "[" * (frames.MAX_DEPTH - 1) + "]" * (frames.MAX_DEPTH - 1) + "}"
    assert frames.decode(text, None, limit=LIMIT)["type"] == "x"


def test_many_shallow_brackets_are_fine():
    """More brackets than the depth limit, side by side: counted past the quick check."""
    text = json.dumps({"type": "x", "v": [[] for _ in range(3 * frames.MAX_DEPTH)]})
    assert len(frames.decode(text, None, limit=LIMIT)["v"]) == 3 * frames.MAX_DEPTH


def test_size_is_counted_in_utf8_bytes():
    ok = '{"type": "x", "s": "' + "é" * 490 + '"}'  # 20 + 980 + 2 bytes
    assert frames.decode(ok, None, limit=LIMIT)
    with pytest.raises(frames.FrameTooBig):
        frames.decode('{"type": "x", "s": "' + "é" * 510 + '"}', None, limit=LIMIT)
    with pytest.raises(frames.FrameTooBig):
        frames.decode(None, b"x" * (LIMIT + 1), limit=LIMIT)
    with pytest.raises(frames.FrameError):
        frames.decode(None, b"{}", limit=LIMIT)


def test_the_error_names_the_top_level_field():
    with pytest.raises(frames.FrameError) as raised:
        frames.decode('{"type": "x", "context": {"a": ["\\u0000"]}}', None, limit=LIMIT)
    assert list(raised.value.fields) == ["context"]


# --- the frame budget ----------------------------------------------------------------------------


def test_budget_allows_a_burst_then_warns_once_drops_then_closes():
    budget = FrameBudget(capacity=3, window=3.0, close_after=2, now=0.0)
    assert [budget.take(0.0) for _ in range(3)] == [Verdict.ALLOW] * 3
    assert budget.take(0.0) is Verdict.WARN
    assert budget.retry_after() == 1.0
    assert budget.take(0.0) is Verdict.DROP
    assert budget.take(0.0) is Verdict.CLOSE


def test_budget_refills_with_time_and_a_pause_resets_the_flood_count():
    budget = FrameBudget(capacity=2, window=2.0, close_after=1, now=0.0)
    budget.take(0.0), budget.take(0.0)
    assert budget.take(0.0) is Verdict.WARN
    assert budget.take(1.0) is Verdict.ALLOW  # one token back after a second
    assert budget.take(1.0) is Verdict.WARN  # counted afresh
    assert budget.take(100.0) is Verdict.ALLOW
    assert budget.tokens == 1.0  # capped at capacity


# --- ordered delivery ----------------------------------------------------------------------------


class Stream:
    """A stored stream and a client: what was sent, in order."""

    def __init__(self, stored: dict[int, str]) -> None:
        self.stored, self.sent, self.reads = stored, [], []
        self.tasks: list[asyncio.Task] = []

    async def send(self, text: str) -> None:
        self.sent.append(text)

    async def read(self, after: int, upto: int) -> list[tuple[int, str]]:
        self.reads.append((after, upto))
        return [(i, t) for i, t in sorted(self.stored.items()) if after < i <= upto][:2]

    def spawn(self, coro) -> None:
        self.tasks.append(asyncio.ensure_future(coro))

    def delivery(self, cursor: int = 0, gap_wait: float = 0.05) -> OrderedDelivery:
        return OrderedDelivery(
            cursor=cursor, send=self.send, read_page=self.read, gap_wait=gap_wait, spawn=self.spawn
        )


async def test_in_order_events_go_out_at_once_and_duplicates_are_dropped():
    s = Stream({})
    d = s.delivery(cursor=4)
    async with d.lock:
        await d.deliver(5, "e5")
        await d.deliver(5, "e5 again")
        await d.deliver(3, "old")
        await d.deliver(6, "e6")
    assert s.sent == ["e5", "e6"]
    assert d.cursor == 6


async def test_an_event_ahead_waits_for_the_missing_one():
    s = Stream({})
    d = s.delivery()
    async with d.lock:
        await d.deliver(2, "e2")
        assert s.sent == []
        await d.deliver(1, "e1")
    assert s.sent == ["e1", "e2"]
    await asyncio.sleep(0.1)
    assert s.reads == []  # the gap closed before the timer: no read


async def test_a_lost_doorbell_is_read_from_the_table_after_the_gap_wait():
    s = Stream({1: "e1", 2: "e2", 3: "e3"})
    d = s.delivery()
    async with d.lock:
        await d.deliver(4, "e4")
    # 0.05 s, or longer on a loaded machine: a timer that fires late waits again.
    deadline = asyncio.get_running_loop().time() + 5
    while len(s.sent) < 4 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.02)
    await asyncio.gather(*s.tasks)
    assert s.sent == ["e1", "e2", "e3", "e4"]  # in pages of two
    assert s.reads == [(0, 3), (2, 3)]


async def test_a_late_gap_timer_waits_again_before_reading_the_table():
    """The timer fired late: the event loop is behind, the doorbell is probably queued
    behind the backlog. It waits again (no read) and the queued doorbell fills the gap;
    a doorbell still missing after MAX_POSTPONE late timers is read from the table."""
    from realtime.ordering import MAX_POSTPONE

    # Busy spells far longer than the wait, short awaits between them: each timer fires
    # late even when the machine's own load delays the awaits (the margin is 0.2 s).
    busy, wait = 0.5, 0.2
    s = Stream({1: "e1", 2: "e2"})
    d = s.delivery(gap_wait=wait)
    async with d.lock:
        await d.deliver(2, "e2")
    time.sleep(busy)  # the loop is busy: the timer fires 0.3 s late
    await asyncio.sleep(0.01)
    assert s.reads == []
    async with d.lock:
        await d.deliver(1, "e1")  # the queued doorbell
    assert s.sent == ["e1", "e2"]
    await asyncio.sleep(2 * wait)
    assert s.reads == []

    s = Stream({1: "e1", 2: "e2"})
    d = s.delivery(gap_wait=wait)
    async with d.lock:
        await d.deliver(2, "e2")
    for _ in range(MAX_POSTPONE):
        time.sleep(busy)
        await asyncio.sleep(0.01)
    assert s.reads == []
    time.sleep(busy)
    await asyncio.sleep(0.01)
    await asyncio.gather(*s.tasks)
    assert s.reads == [(0, 1)]
    assert s.sent == ["e1", "e2"]


async def test_an_ack_replaces_the_stored_copy_during_a_replay():
    s = Stream({1: "stored e1", 2: "stored e2"})
    d = s.delivery()
    async with d.lock:
        await d.deliver(2, "ack 2", ack=True)
        await d.replay(0, 2)
    assert s.sent == ["stored e1", "ack 2"]


async def test_skip_to_drops_what_the_client_will_reload_and_close_stops_the_timer():
    s = Stream({})
    d = s.delivery(gap_wait=0.05)
    async with d.lock:
        await d.deliver(3, "e3")
        await d.deliver(9, "e9")
        d.skip_to(5)
    assert d.ahead == {9: "e9"}
    assert d.cursor == 5
    d.close()
    await asyncio.sleep(0.1)
    assert s.tasks == []
    assert s.sent == []


# --- the idle sweeper ----------------------------------------------------------------------------


class FakeSocket:
    def __init__(self, last_seen: float, user_id: int | None) -> None:
        self.last_seen = last_seen
        self.user = type("U", (), {"pk": user_id})() if user_id else None
        self.channel_name = f"chan.{user_id}"
        self.closed_with: int | None = None

    async def close_with(self, code: int) -> None:
        self.closed_with = code


async def test_sweeper_closes_the_idle_and_refreshes_presence_of_the_rest():
    refreshed, tasks = [], []

    async def refresh(entries):
        refreshed.append(entries)

    sweeper = IdleSweeper(
        idle_timeout=lambda: 10.0,
        idle_code=4408,
        refresh_every=30.0,
        refresh=refresh,
        spawn=lambda coro: tasks.append(asyncio.ensure_future(coro)),
    )
    idle, busy, anonymous = FakeSocket(0.0, 1), FakeSocket(95.0, 2), FakeSocket(95.0, None)
    for sock in (idle, busy, anonymous):
        sweeper.add(sock)
    last = await sweeper.sweep(now=100.0, last_refresh=80.0)
    await asyncio.gather(*tasks)
    assert idle.closed_with == 4408
    assert busy.closed_with is None
    assert idle not in sweeper
    assert busy in sweeper
    assert last == 80.0  # refresh not due yet
    assert refreshed == []
    assert await sweeper.sweep(now=101.0, last_refresh=70.0) == 101.0
    assert refreshed == [[(2, "chan.2")]]
    sweeper.task.cancel()


async def test_sweeper_task_runs_on_its_own_and_stops_when_empty():
    sweeper = IdleSweeper(
        idle_timeout=lambda: 0.2,
        idle_code=4408,
        refresh_every=1000.0,
        refresh=lambda entries: asyncio.sleep(0),
        spawn=lambda coro: asyncio.ensure_future(coro),
    )
    loop = asyncio.get_running_loop()
    sock = FakeSocket(loop.time(), 1)
    import time

    sock.last_seen = time.monotonic()
    sweeper.add(sock)
    await asyncio.sleep(0.5)
    assert sock.closed_with == 4408
    await asyncio.wait_for(sweeper.task, 1)
