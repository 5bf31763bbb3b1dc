"""Delivery in id order for one socket: a reorder buffer and a gap fill.

* `cursor` is the id of the last event this socket handed to its client; frames go out
  strictly in id order.
* A live event with id <= cursor is a duplicate and dropped; cursor + 1 is sent. A larger
  id waits in a small reorder buffer: usually the missing doorbells are already queued
  behind it (or the ack of our own send overtook the partner's message), and they fill
  the gap. If they have not after `gap_wait`, a doorbell was lost (the channel layer
  delivers at most once) and the gap is read from the table. Ids per user are contiguous
  and committed in order (realtime/events.py), so the gap is always there to read.
* Live events that arrive during a replay go through the same check afterwards (callers
  hold `lock` around deliver/replay/resync): nothing is lost, doubled or reordered.
* When the gap timer itself fires late (by more than half of `gap_wait`), the process's
  event loop is behind: the doorbells are most likely queued behind that backlog, not
  lost. The wait then starts again, up to `MAX_POSTPONE` times, instead of reading the
  table: under overload every socket reading its gaps was work on top of the backlog
  (issue 13: 16% of a saturated Daphne's time), and it made the backlog grow.
* When the gap read itself finds the database too busy (realtime/db.py, Busy: no pooled
  connection within the wait, or the queue for one full), the timer is armed again and
  the read retried `gap_wait` later; the events wait in `ahead` meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from .db import Busy

Send = Callable[[str], Awaitable[None]]
ReadPage = Callable[[int, int], Awaitable[list[tuple[int, str]]]]
MAX_POSTPONE = 5


class OrderedDelivery:
    def __init__(
        self,
        *,
        cursor: int,
        send: Send,
        read_page: ReadPage,
        gap_wait: float,
        spawn: Callable[[Awaitable[Any]], None],
    ) -> None:
        self.cursor = cursor
        self.ahead: dict[int, str] = {}  # event id -> frame text, waiting for earlier ids
        self.lock = asyncio.Lock()
        self._send = send
        self._read_page = read_page
        self._gap_wait = gap_wait
        self._spawn = spawn
        self._gap_timer: asyncio.TimerHandle | None = None
        self._gap_due_at = 0.0
        self._postponed = 0
        self.closed = False

    async def deliver(self, event_id: int, text: str, *, ack: bool = False) -> None:
        """Send now if next, later if ahead. Call under `lock`.

        `ack` replaces a held copy of the same event (the ack stands in for the sender's
        own message.new)."""
        if event_id <= self.cursor:
            return
        if ack or event_id not in self.ahead:
            self.ahead[event_id] = text
        await self._flush()

    async def replay(
        self, after: int, upto: int, *, first: list[tuple[int, str]] | None = None
    ) -> None:
        """Send stored events (after, upto] in order; cursor follows. Call under `lock`.

        `first`: the first page, already read (with the stream head, by `resume`)."""
        while after < upto:
            rows = first if first is not None else await self._read_page(after, upto)
            first = None
            if not rows:
                break
            for event_id, text in rows:
                if event_id > self.cursor:
                    # A held ack goes out in place of the stored copy of that message.new.
                    await self._send(self.ahead.pop(event_id, text))
                    self.cursor = event_id
            after = rows[-1][0]
        await self._flush()

    def skip_to(self, head: int) -> None:
        """Resync: the client reloads over REST; continue from `head`. Call under `lock`."""
        self.cursor = max(self.cursor, head)
        self.ahead = {i: f for i, f in self.ahead.items() if i > self.cursor}

    def close(self) -> None:
        self.closed = True
        if self._gap_timer is not None:
            self._gap_timer.cancel()
            self._gap_timer = None

    async def _flush(self) -> None:
        ahead = self.ahead
        while ahead:
            text = ahead.pop(self.cursor + 1, None)
            if text is None:
                break
            await self._send(text)
            self.cursor += 1
        for stale in [i for i in ahead if i <= self.cursor]:
            del ahead[stale]
        if ahead and self._gap_timer is None and not self.closed:
            self._arm()
        elif not ahead:
            self._postponed = 0
            if self._gap_timer is not None:
                self._gap_timer.cancel()
                self._gap_timer = None

    def _arm(self) -> None:
        loop = asyncio.get_running_loop()
        self._gap_due_at = loop.time() + self._gap_wait
        self._gap_timer = loop.call_later(self._gap_wait, self._gap_due)

    def _gap_due(self) -> None:
        self._gap_timer = None
        if self.closed or not self.ahead:
            return
        late = asyncio.get_running_loop().time() - self._gap_due_at
        if late > self._gap_wait / 2 and self._postponed < MAX_POSTPONE:
            self._postponed += 1  # the loop is behind: the doorbell is likely queued
            self._arm()
            return
        self._postponed = 0
        self._spawn(self._fill_gap())

    async def _fill_gap(self) -> None:
        """A doorbell was lost: read the missing events from the table."""
        async with self.lock:
            if self.ahead and not self.closed:
                try:
                    await self.replay(self.cursor, min(self.ahead) - 1)
                except Busy:
                    # Overloaded: try again later (what was read before it went out).
                    if self._gap_timer is None and not self.closed:
                        self._arm()
