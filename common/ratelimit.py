"""A minimum interval between calls to an outside service, shared by every process.

`wait_for_slot("x", interval=1.0)` returns once this caller may make the next call: at most
one caller gets a slot per `interval`, whichever worker, thread or server it runs in. The
slot is a Redis key set with `SET NX PX interval`: whoever sets it owns the next call, and
the key's expiry opens the next slot. No clock is shared but Redis's.

`held_slot("x", interval=1.0, hold=10)` is stricter, for a service that counts requests as
they reach it (Nominatim allows one a second): the key is held while the call runs and
expires `interval` after the call ends. A slot granted at one instant and a request sent a
scheduling delay later could otherwise reach the service closer together than `interval`
(seen: 0.62 s apart on a loaded machine). `hold` bounds how long a caller that dies
mid-call keeps everyone else waiting; a call that outlives it may overlap the next one
(urllib's timeout is per socket operation, so a slow call can), though its end still
opens the next slot `interval` later if no one has taken it meanwhile. With `share` below
1 the gap after a call is stretched so that this kind of caller starts at most `share` of
the calls the service could take (calls of d seconds `interval` apart: one per
(d + interval) / share).

Embedded mode has no Redis and one process: the same rules run on the Django cache
(locmem) under a process lock.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from django.conf import settings

from .redis_client import redis_client

logger = logging.getLogger(__name__)

# A key's value is its holder's token while the call runs, and ends with _DONE once the
# call is over: a waiter then sleeps until the key expires, where a running call makes it
# look again soon.
_DONE = ":done"
# After a call: the key holds `token:done` for `gap` ms if it is still this caller's, or
# if it expired (the call outlived its hold) and no one took it; a gap of 0 (nothing was
# asked of the service) frees it at once. Another caller's key is left alone.
_RELEASE = f"""
local current = redis.call('get', KEYS[1])
local gap = tonumber(ARGV[2])
if current == ARGV[1] then
    if gap <= 0 then
        return redis.call('del', KEYS[1])
    end
    return redis.call('set', KEYS[1], ARGV[1] .. '{_DONE}', 'PX', gap)
end
if not current and gap > 0 then
    return redis.call('set', KEYS[1], ARGV[1] .. '{_DONE}', 'PX', gap, 'NX')
end
return 0
"""
_local_lock = threading.Lock()


class SlotUnavailable(Exception):
    """No slot within max_wait: the caller should retry later (a task retries with backoff)."""


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def _key(name: str) -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX") or "sf"
    return f"{prefix}:ratelimit:{name}"


def _try_acquire(key: str, ttl: float, token: str, interval: float) -> float:
    """0 when the slot is ours (the key holds `token` for `ttl`), else seconds to wait."""
    if settings.REDIS_URL:
        client = redis_client()
        if client.set(key, token, nx=True, px=_ms(ttl)):
            return 0.0
        holder, remaining_ms = client.pipeline().get(key).pttl(key).execute()
        if holder is not None and not holder.endswith(_DONE.encode()):
            return min(interval, 0.1)  # a held_slot call is running: it may end any moment
        # -2: expired between SET and PTTL; -1 cannot happen (always set with PX).
        return max(remaining_ms, 5) / 1000
    from django.core.cache import cache as django_cache

    with _local_lock:
        if django_cache.add(key, token, timeout=max(ttl, 0.001)):
            return 0.0
    return min(interval, 0.05)


def _release(key: str, token: str, gap: float) -> None:
    """Never raises: the key expires on its own within its hold, and the call's own result
    (or error) is what the caller must see."""
    if settings.REDIS_URL:
        try:
            redis_client().eval(_RELEASE, 1, key, token, _ms(gap) if gap > 0 else 0)
        except redis.RedisError:
            logger.warning("rate limit slot %s not released; it expires on its own", key)
        return
    from django.core.cache import cache as django_cache

    with _local_lock:
        current = django_cache.get(key)
        if current == token and gap <= 0:
            django_cache.delete(key)
        elif current == token or (current is None and gap > 0):
            django_cache.set(key, token + _DONE, timeout=gap)


def _acquire(
    name: str, interval: float, hold: float, deadline: float, *, running: bool
) -> tuple[str, str]:
    key, token = _key(name), secrets.token_hex(8) + ("" if running else _DONE)
    while True:
        wait = _try_acquire(key, interval + hold, token, interval)
        if wait == 0:
            return key, token
        if time.monotonic() + wait > deadline:
            raise SlotUnavailable(f"no {name} slot in time")
        time.sleep(wait)


def wait_for_slot(name: str, *, interval: float, max_wait: float = 30.0) -> None:
    """Block until this caller may make the next call to `name`, or raise SlotUnavailable."""
    if interval <= 0:
        return
    _acquire(name, interval, 0.0, time.monotonic() + max_wait, running=False)


@contextmanager
def held_slot(
    name: str,
    *,
    interval: float,
    hold: float,
    max_wait: float = 30.0,
    deadline: float | None = None,
    share: float = 1.0,
) -> Iterator[None]:
    """Run the block as the only call to `name`; the next opens `interval` after it ends
    (stretched for a `share` below 1). `deadline` (time.monotonic()) overrides max_wait, so
    that nested slots share one wait. A block that raises SlotUnavailable asked nothing of
    the service: its slot opens at once."""
    if interval <= 0:
        yield
        return
    deadline = time.monotonic() + max_wait if deadline is None else deadline
    key, token = _acquire(name, interval, hold, deadline, running=True)
    started = time.monotonic()
    asked = True
    try:
        yield
    except SlotUnavailable:
        asked = False
        raise
    finally:
        took = time.monotonic() - started
        _release(key, token, (interval + took) / share - took if asked else 0.0)
