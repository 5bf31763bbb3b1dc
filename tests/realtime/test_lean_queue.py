"""realtime.layers.LeanQueue: the per-socket inbox that replaces asyncio.Queue."""

from __future__ import annotations

import asyncio
import sys

import pytest

from realtime.layers import LeanQueue


async def test_items_come_out_in_order_and_a_reader_waits_for_the_next():
    q = LeanQueue()
    q.put_nowait(1)
    q.put_nowait(2)
    assert q.qsize() == 2
    assert await q.get() == 1
    assert q.get_nowait() == 2
    assert q.empty()
    with pytest.raises(asyncio.QueueEmpty):
        q.get_nowait()
    reader = asyncio.ensure_future(q.get())
    await asyncio.sleep(0)
    assert not reader.done()
    q.put_nowait(3)
    assert await asyncio.wait_for(reader, 1) == 3


async def test_a_cancelled_reader_leaves_the_item_for_the_next_one():
    q = LeanQueue()
    first = asyncio.ensure_future(q.get())
    second = asyncio.ensure_future(q.get())
    await asyncio.sleep(0)
    q.put_nowait("x")  # wakes `first`...
    first.cancel()  # ...which is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await first
    assert await asyncio.wait_for(second, 1) == "x"
    assert q._waiters is None  # nothing left behind


async def test_an_idle_lean_queue_is_far_smaller_than_an_asyncio_queue():
    def size(q) -> int:
        names = ("_items", "_waiters", "_queue", "_getters", "_putters", "_finished")
        parts = [q, *(getattr(q, a, None) for a in names)]
        return sum(sys.getsizeof(p) for p in parts if p is not None)

    assert size(LeanQueue()) * 5 < size(asyncio.Queue())
