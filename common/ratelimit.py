"""A minimum interval between calls to an outside service, shared by every process.

`wait_for_slot("x", interval=1.0)` returns once this caller may make the next call: at most
one caller gets a slot per `interval`, whichever worker, thread or server it runs in. The
slot is a Redis key set with `SET NX PX interval`: whoever sets it owns the next call, and
the key's expiry opens the next slot. No clock is shared but Redis's.

`held_slot("x", interval=1.0, hold=10)` is stricter, for a service that counts requests as
they reach it (Nominatim allows one a second): the key is held while the call runs and
expires `interval` after the call ends. A slot granted at one instant and a request sent a
scheduling delay later could otherwise reach the service closer together than `interval`
(seen: 0.62 s apart on a loaded machine); ended-to-started, they cannot. `hold` bounds how
long a caller that dies mid-call keeps everyone else waiting.

Embedded mode has no Redis and one process: the same rules run on the Django cache
(locmem) under a process lock.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from .redis_client import redis_client

# Expire the key `interval` after the call, but only if the key is still this caller's:
# a holder that overran `hold` must not shorten the next holder's slot.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
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
        # -2: expired between SET and PTTL; -1 cannot happen (always set with PX).
        remaining = max(client.pttl(key), 5) / 1000
        if remaining > interval:  # a held_slot call is running: it may end any moment
            return min(interval, 0.1)
        return remaining
    from django.core.cache import cache as django_cache

    with _local_lock:
        if django_cache.add(key, token, timeout=max(ttl, 0.001)):
            return 0.0
    return min(interval, 0.05)


def _release(key: str, token: str, interval: float) -> None:
    if settings.REDIS_URL:
        client = redis_client()
        client.eval(_RELEASE, 1, key, token, _ms(interval))
        return
    from django.core.cache import cache as django_cache

    with _local_lock:
        if django_cache.get(key) == token:
            django_cache.set(key, token, timeout=max(interval, 0.001))


def _acquire(name: str, interval: float, hold: float, max_wait: float) -> tuple[str, str]:
    key, token = _key(name), secrets.token_hex(8)
    deadline = time.monotonic() + max_wait
    while True:
        wait = _try_acquire(key, interval + hold, token, interval)
        if wait == 0:
            return key, token
        if time.monotonic() + wait > deadline:
            raise SlotUnavailable(f"no {name} slot within {max_wait:.1f}s")
        time.sleep(wait)


def wait_for_slot(name: str, *, interval: float, max_wait: float = 30.0) -> None:
    """Block until this caller may make the next call to `name`, or raise SlotUnavailable."""
    if interval <= 0:
        return
    _acquire(name, interval, 0.0, max_wait)


@contextmanager
def held_slot(name: str, *, interval: float, hold: float, max_wait: float = 30.0) -> Iterator[None]:
    """Run the block as the only call to `name`; the next opens `interval` after it ends."""
    if interval <= 0:
        yield
        return
    key, token = _acquire(name, interval, hold, max_wait)
    try:
        yield
    finally:
        _release(key, token, interval)
