"""Lighter per-socket queues: what each idle socket keeps in memory (issue 13, item 4).

An idle socket holds two inboxes: Daphne's application queue (frames from the client)
and the pub/sub channel layer's queue for its channel (messages for the consumer). Each
was an `asyncio.Queue`: three deques and an Event, about 3 KiB while empty. `LeanQueue`
does the same job for one reader with a list and a waiter list made on demand (about
0.1 KiB). `PubSubChannelLayer` is channels-redis' pub/sub layer using it (settings
CHANNEL_LAYERS); realtime/daphne.py gives it to Daphne.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer, _wrap_close

logger = logging.getLogger(__name__)

# Set when the process is stopping (realtime/daphne.py): its Redis connections close with
# it, so a cancelled consumer need not UNSUBSCRIBE its channel first. With thousands of
# sockets those one-by-one round trips made a SIGTERM take many seconds.
stopping = False


class LeanQueue:
    """An unbounded FIFO with `put_nowait`, `get`, `get_nowait`, `qsize`, `empty`."""

    __slots__ = ("_items", "_waiters")

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._waiters: list[asyncio.Future] | None = None

    def qsize(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        return not self._items

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        self._wake()

    async def put(self, item: Any) -> None:
        self.put_nowait(item)

    def get_nowait(self) -> Any:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.pop(0)

    async def get(self) -> Any:
        while not self._items:
            waiter = asyncio.get_running_loop().create_future()
            if self._waiters is None:
                self._waiters = []
            self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._wake()  # woken, then cancelled: pass the item to another reader
                raise
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
                if not self._waiters:
                    self._waiters = None
        return self._items.pop(0)

    def _wake(self) -> None:
        for waiter in self._waiters or ():
            if not waiter.done():
                waiter.set_result(None)
                return


class _LeanLoopLayer(RedisPubSubLoopLayer):
    async def _subscribe_to_channel(self, channel: str) -> None:
        self.channels[channel] = LeanQueue()
        await self._get_shard(channel).subscribe(channel)

    async def receive(self, channel: str) -> Any:
        # channels-redis' receive, with the clean-up skipped while the process stops.
        if channel not in self.channels:
            await self._subscribe_to_channel(channel)
        queue = self.channels[channel]
        try:
            message = await queue.get()
        except (asyncio.CancelledError, TimeoutError, GeneratorExit):
            if self.channels.pop(channel, None) is not None and not stopping:
                # In a task of its own: awaited here, the UNSUBSCRIBE (queued behind the
                # shard's lock) was itself cancelled whenever Daphne killed a slow
                # instance, and each one logged a traceback. In a reconnect storm that
                # logging took a quarter of Daphne's CPU (docs/benchmarks.md, "Issue 13").
                _unsubscribe_later(self._get_shard(channel), channel)
            raise
        return self.channel_layer.deserialize(message)


_cleanups: set[asyncio.Future] = set()


def _unsubscribe_later(shard: Any, channel: str) -> None:
    task = asyncio.ensure_future(shard.unsubscribe(channel))
    _cleanups.add(task)
    task.add_done_callback(_unsubscribed)


def _unsubscribed(task: asyncio.Future) -> None:
    _cleanups.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.warning("could not unsubscribe a closed socket's channel: %s", task.exception())


class PubSubChannelLayer(RedisPubSubChannelLayer):
    """channels-redis' RedisPubSubChannelLayer with a LeanQueue per channel."""

    def _get_layer(self) -> RedisPubSubLoopLayer:
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = _LeanLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            _wrap_close(self, loop)
        return layer
