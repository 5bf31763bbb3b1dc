"""One message-send budget per user, whatever the door (REST or WebSocket).

`MESSAGE_SEND_RATE` ("120/minute", the REST write rate) counts every `message_send` of a
user in a fixed window. The counter lives in Redis (the cache's database and key prefix,
so it holds across every Daphne and worker process and `cache.clear()` empties it); in
embedded mode (no Redis, one process) it lives in the Django cache. Over budget, the
service raises `RateLimited` (429 with Retry-After on REST, an error frame with code
`rate_limited` on the socket).

When Redis cannot be reached the budget lets the send through (and logs): messages are
stored in PostgreSQL and must keep flowing while Redis restarts (tests/realtime/test_live.py);
the budget protects against floods, it is not what makes a send correct.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from functools import cache

import redis
import redis.asyncio as aioredis
from django.conf import settings
from django.core.cache import cache as django_cache

from common.errors import RateLimited

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_async_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _rate() -> tuple[int, int]:
    """(sends, window seconds) from MESSAGE_SEND_RATE, e.g. "120/minute" → (120, 60)."""
    count, period = settings.MESSAGE_SEND_RATE.split("/")
    return int(count), _PERIODS[period.strip()[0]]


def _key(user_id: int, window: int, now: float) -> tuple[str, float]:
    """The counter's cache key for the current window, and the seconds left in it."""
    index = int(now // window)
    key = django_cache.make_key(f"message_send_budget:{user_id}:{index}")
    return key, (index + 1) * window - now


def _refuse(limit: int, window: int, retry_after: float) -> RateLimited:
    return RateLimited(
        f"You can send {limit} messages per {window} seconds; wait a little.",
        retry_after=max(1, int(retry_after + 0.999)),
    )


@cache
def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def _async_client() -> aioredis.Redis:
    loop = asyncio.get_running_loop()
    client = _async_clients.get(loop)
    if client is None:
        client = aioredis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
        )
        _async_clients[loop] = client
    return client


def _spend_in_cache(key: str, window: int) -> int:
    django_cache.add(key, 0, timeout=window + 1)
    return django_cache.incr(key)


def message_budget_spend(*, user_id: int) -> None:
    """Count one send for this user; raise `RateLimited` once the window's budget is spent."""
    limit, window = _rate()
    key, left = _key(user_id, window, time.time())
    if settings.REDIS_URL:
        try:
            pipe = _client().pipeline(transaction=False)
            pipe.incr(key)
            pipe.expire(key, window + 1, nx=True)
            used = pipe.execute()[0]
        except (redis.RedisError, OSError) as exc:
            logger.warning("message send budget unavailable, send allowed: %s", exc)
            return
    else:
        used = _spend_in_cache(key, window)
    if used > limit:
        raise _refuse(limit, window, left)


async def message_budget_spend_async(*, user_id: int) -> None:
    """The same on the event loop: one pipelined Redis round trip, no thread hop."""
    limit, window = _rate()
    key, left = _key(user_id, window, time.time())
    if settings.REDIS_URL:
        try:
            async with _async_client().pipeline(transaction=False) as pipe:
                pipe.incr(key)
                pipe.expire(key, window + 1, nx=True)
                used = (await pipe.execute())[0]
        except (redis.RedisError, OSError) as exc:
            logger.warning("message send budget unavailable, send allowed: %s", exc)
            return
    else:  # the in-process cache: no I/O
        used = _spend_in_cache(key, window)
    if used > limit:
        raise _refuse(limit, window, left)
