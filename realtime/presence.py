"""Who has an open socket, across every Daphne process (for the unread-message email).

A sorted set per user in Redis: member = socket channel name, score = expiry time. Each
process refreshes its sockets' entries every PRESENCE_REFRESH seconds, so a SIGKILLed
process's entries expire by themselves after PRESENCE_TTL. Embedded mode (no Redis) keeps
the same structure in memory.
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

logger = logging.getLogger(__name__)

PRESENCE_TTL = 90
PRESENCE_REFRESH = 30

_memory: dict[int, dict[str, float]] = {}
_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _key(user_id: int) -> str:
    prefix = settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix", "sf")
    return f"{prefix}:presence:{user_id}"


def _client() -> aioredis.Redis:
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = aioredis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
        )
        _clients[loop] = client
    return client


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
    try:
        async with _client().pipeline(transaction=False) as pipe:
            for user_id, channel in entries:
                pipe.zadd(_key(user_id), {channel: expiry})
                pipe.expire(_key(user_id), PRESENCE_TTL)
            await pipe.execute()
    except Exception as exc:  # presence is advisory; Redis down must not break sockets
        logger.warning("presence update failed: %s", exc)


async def presence_remove(user_id: int, channel: str) -> None:
    if not settings.REDIS_URL:
        _memory.get(user_id, {}).pop(channel, None)
        return
    try:
        await _client().zrem(_key(user_id), channel)
    except Exception as exc:
        logger.warning("presence removal failed: %s", exc)


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
