"""A minimum interval between calls to an outside service, shared by every process.

`wait_for_slot("nominatim", interval=1.0)` returns once this caller may make the next call:
at most one caller gets a slot per `interval`, whichever worker, thread or server it runs
in. The slot is a Redis key set with `SET NX PX interval`: whoever sets it owns the next
call, and the key's expiry opens the next slot. No clock is shared but Redis's.

Embedded mode has no Redis and one process: the same rule runs on the Django cache
(locmem), whose `add` is atomic within the process.
"""

from __future__ import annotations

import secrets
import time

from django.conf import settings

from .redis_client import redis_client


class SlotUnavailable(Exception):
    """No slot within max_wait: the caller should retry later (a task retries with backoff)."""


def _try_acquire(key: str, interval: float) -> float:
    """0 when the slot is ours, else the seconds until it may open."""
    if settings.REDIS_URL:
        client = redis_client()
        if client.set(key, secrets.token_hex(8), nx=True, px=max(1, int(interval * 1000))):
            return 0.0
        remaining_ms = client.pttl(key)
        # -2: expired between SET and PTTL; -1 cannot happen (always set with PX).
        return max(remaining_ms, 5) / 1000
    from django.core.cache import cache as django_cache

    if django_cache.add(key, 1, timeout=max(interval, 0.001)):
        return 0.0
    return min(interval, 0.05)


def wait_for_slot(name: str, *, interval: float, max_wait: float = 30.0) -> None:
    """Block until this caller may make the next call to `name`, or raise SlotUnavailable."""
    if interval <= 0:
        return
    prefix = settings.CACHES["default"].get("KEY_PREFIX") or "sf"
    key = f"{prefix}:ratelimit:{name}"
    deadline = time.monotonic() + max_wait
    while True:
        wait = _try_acquire(key, interval)
        if wait == 0:
            return
        if time.monotonic() + wait > deadline:
            raise SlotUnavailable(f"no {name} slot within {max_wait:.1f}s")
        time.sleep(wait)
