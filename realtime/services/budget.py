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

The socket's sends (`message_budget_spend_async`) do not wait for Redis on every send. A
user's first socket send in a window, in a process, counts in Redis at once and learns
the user's count across every door. After it, the process counts that user's sends
itself (the count Redis last answered plus its own since) and refuses at the limit with
no I/O; its own sends reach Redis in one pipeline for every user, FLUSH_DELAY after the
first of them (and at once when it refuses one, so the other doors see the spent budget).
One process alone is exact. Across doors a user can get past the limit by what other
processes let through since this one last heard from Redis (at most FLUSH_DELAY old,
plus sends in flight): a flood guard, not an exact quota.
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
_ledgers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
FLUSH_DELAY = 0.05  # seconds a socket's counted sends wait to reach Redis together


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


class _Ledger:
    """One event loop's own count of each user's socket sends in the current window.

    `entries[key]` is [what Redis last answered, counted here and not sent yet, sent and
    not answered yet, the window's index].
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.entries: dict[str, list[int]] = {}
        self.index = -1
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Future] = set()

    def used(self, entry: list[int]) -> int:
        return entry[0] + entry[1] + entry[2]

    def learn(self, key: str, used: int, index: int) -> None:
        """Redis answered `used` for `key` (the strict first send of a window)."""
        if index != self.index:  # a new window: forget the ended ones' counts
            self.index = index
            self.entries = {k: e for k, e in self.entries.items() if e[3] >= index or e[1] or e[2]}
        entry = self.entries.setdefault(key, [0, 0, 0, index])
        entry[0] = max(entry[0], used)

    def count(self, entry: list[int]) -> None:
        entry[1] += 1
        if self._timer is None:
            self._timer = self.loop.call_later(FLUSH_DELAY, self._due)

    def _due(self) -> None:
        self._timer = None
        task = asyncio.ensure_future(self.flush())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Every count of this loop in Redis: send the unsent ones and wait for the flushes
        already under way (a timer's flush may have taken them and not yet been written)."""
        await self.flush()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def flush(self) -> None:
        """Send every count not yet sent, in one pipeline."""
        batch = [(key, entry, entry[1]) for key, entry in self.entries.items() if entry[1]]
        if not batch:
            return
        for _, entry, n in batch:
            entry[1] -= n
            entry[2] += n
        _, window = _rate()
        answers = None
        try:
            client = _async_client()
            answers = await _flush_script(client)(
                keys=[key for key, _, _ in batch], args=[*(n for _, _, n in batch), window + 1]
            )
        except (redis.RedisError, OSError) as exc:
            logger.warning("message send budget not counted in Redis: %s", exc)
        for i, (_, entry, n) in enumerate(batch):
            entry[2] -= n
            if answers is None:
                entry[0] += n
            else:
                entry[0] = max(entry[0], answers[i])


# One command for a whole flush: INCRBY and EXPIRE NX per key, the new counts back.
FLUSH_LUA = """
local counts = {}
for i, key in ipairs(KEYS) do
    counts[i] = redis.call('INCRBY', key, ARGV[i])
    redis.call('EXPIRE', key, ARGV[#KEYS + 1], 'NX')
end
return counts
"""
_scripts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _flush_script(client: aioredis.Redis):
    script = _scripts.get(client)
    if script is None:
        script = _scripts[client] = client.register_script(FLUSH_LUA)
    return script


def _ledger() -> _Ledger:
    loop = asyncio.get_running_loop()
    ledger = _ledgers.get(loop)
    if ledger is None:
        ledger = _ledgers[loop] = _Ledger(loop)
    return ledger


async def message_budget_spend_async(*, user_id: int) -> None:
    """The same on the event loop: the first send of a window waits for one pipelined
    Redis round trip, the next ones are counted here and reach Redis together."""
    limit, window = _rate()
    now = time.time()
    key, left = _key(user_id, window, now)
    if not settings.REDIS_URL:  # the in-process cache: no I/O
        if _spend_in_cache(key, window) > limit:
            raise _refuse(limit, window, left)
        return
    ledger = _ledger()
    entry = ledger.entries.get(key)
    if entry is not None:
        if ledger.used(entry) >= limit:
            await ledger.drain()  # the other doors see the spent budget now
            raise _refuse(limit, window, left)
        ledger.count(entry)
        return
    try:
        async with _async_client().pipeline(transaction=False) as pipe:
            pipe.incr(key)
            pipe.expire(key, window + 1, nx=True)
            used = (await pipe.execute())[0]
    except (redis.RedisError, OSError) as exc:
        logger.warning("message send budget unavailable, send allowed: %s", exc)
        return
    ledger.learn(key, used, int(now // window))
    if used > limit:
        raise _refuse(limit, window, left)
