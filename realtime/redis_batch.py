"""Redis commands from many callers of one event loop, sent together.

A burst (2,000 sockets opening or closing, a reconnect storm's session reads) would take a
pooled connection per caller and run the pool dry. Here callers queue their operations;
one drain task sends everything queued in the same tick as one pipeline on one
connection, in the order asked, and hands each caller its own replies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

# Most operations one pipeline carries; a longer queue is drained in several.
BATCH_MAX = 1000


class PipelineBatch:
    """One event loop's queue of operations for one Redis client.

    `submit(queue)`: `queue(pipe)` adds one operation's commands to the pipeline; the
    returned future gets the list of their replies, or the exception that failed the whole
    batch (as a value: callers decide what a failure means)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.pending: list[tuple[Callable[[Any], object], asyncio.Future]] = []
        self.task: asyncio.Task | None = None

    def timeout(self) -> float | None:
        """Seconds a batch may take (None: the client's own socket timeouts)."""
        return None

    def failed(self, exc: Exception, operations: int) -> None:
        """A batch failed (logged by the subclass; its callers get `exc`)."""

    def submit(self, queue: Callable[[Any], object]) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        self.pending.append((queue, done))
        if self.task is None or self.task.done():
            self.task = loop.create_task(self._drain())
        return done

    async def _drain(self) -> None:
        await asyncio.sleep(0)  # let the rest of this tick's callers join the batch
        while self.pending:
            batch, self.pending = self.pending[:BATCH_MAX], self.pending[BATCH_MAX:]
            outcomes: list[Any]
            try:
                async with asyncio.timeout(self.timeout()):
                    async with self.client.pipeline(transaction=False) as pipe:
                        sizes = []
                        for queue, _ in batch:
                            before = len(pipe.command_stack)
                            queue(pipe)
                            sizes.append(len(pipe.command_stack) - before)
                        replies = await pipe.execute()
                outcomes, start = [], 0
                for size in sizes:
                    outcomes.append(replies[start : start + size])
                    start += size
            except Exception as exc:  # every caller of the batch learns it failed
                self.failed(exc, len(batch))
                outcomes = [exc] * len(batch)
            for (_, done), outcome in zip(batch, outcomes, strict=True):
                if not done.done():
                    done.set_result(outcome)
