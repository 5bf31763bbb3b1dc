"""Who has an open socket, across every Daphne process (for the unread-message email).

A sorted set per user in Redis: member = socket channel name, score = expiry time. Each
process refreshes its sockets' entries every PRESENCE_REFRESH seconds, so a SIGKILLed
process's entries expire by themselves after PRESENCE_TTL. Embedded mode (no Redis) keeps
the same structure in memory.

Writes from one process go through one queue per event loop, drained by one task in
pipelines: a burst of 2,000 opens or closes is a handful of round trips on one Redis
connection, in the order they were asked for (a socket's add never overtakes its
removal). Before, every close took its own pooled connection, and a burst ran the pool
dry ("Too many connections"), leaving people shown online after they left.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Iterable

import redis
import redis.asyncio as aioredis
from django.conf import settings

from .redis_batch import PipelineBatch

logger = logging.getLogger(__name__)

PRESENCE_TTL = 90
PRESENCE_REFRESH = 30
_memory: dict[int, dict[str, float]] = {}
_writers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _key(user_id: int) -> str:
    prefix = settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix", "sf")
    return f"{prefix}:presence:{user_id}"


class _Writer(PipelineBatch):
    """One event loop's presence writes: a queue, one drain task, one Redis connection."""

    def __init__(self) -> None:
        # A blocking pool: a caller waits for the connection instead of failing.
        super().__init__(
            aioredis.Redis(
                connection_pool=aioredis.BlockingConnectionPool.from_url(
                    settings.REDIS_URL,
                    max_connections=2,
                    timeout=5,
                    socket_timeout=2,
                    socket_connect_timeout=2,
                )
            )
        )

    def failed(self, exc: Exception, operations: int) -> None:
        # Presence is advisory; Redis down must not break sockets.
        logger.warning("presence update failed (%d operations): %s", operations, exc)


def _writer() -> _Writer:
    loop = asyncio.get_running_loop()
    writer = _writers.get(loop)
    if writer is None:
        writer = _writers[loop] = _Writer()
    return writer


async def presence_set(entries: Iterable[tuple[int, str]]) -> None:
    """Mark (user_id, channel_name) pairs online for another PRESENCE_TTL seconds."""
    entries = list(entries)
    if not entries:
        return
    expiry = time.time() + PRESENCE_TTL
    if not settings.REDIS_URL:
        for user_id, channel in entries:
            _memory.setdefault(user_id, {})[channel] = expiry
        return
    writer = _writer()
    await asyncio.gather(*(writer.submit(_add(u, c, expiry)) for u, c in entries))


def _add(user_id: int, channel: str, expiry: float):
    def queue(pipe) -> None:
        pipe.zadd(_key(user_id), {channel: expiry})
        pipe.expire(_key(user_id), PRESENCE_TTL)

    return queue


async def presence_remove(user_id: int, channel: str) -> None:
    if not settings.REDIS_URL:
        _memory.get(user_id, {}).pop(channel, None)
        return
    await _writer().submit(lambda pipe: pipe.zrem(_key(user_id), channel))


async def presence_remove_many(entries: Iterable[tuple[int, str]]) -> None:
    """Forget many sockets at once (a process stopping), in one pipeline."""
    await asyncio.gather(*(presence_remove(u, c) for u, c in entries))


def is_online(user_id: int) -> bool:
    """Has this user a live socket on any process? (sync: Celery tasks ask it)."""
    now = time.time()
    if not settings.REDIS_URL:
        return any(exp > now for exp in _memory.get(user_id, {}).values())
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    try:
        return client.zcount(_key(user_id), now, "+inf") > 0
    finally:
        client.close()
