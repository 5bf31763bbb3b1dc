"""The shared minimum interval holds across threads with their own Redis connections."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
import redis
from django.conf import settings

from common import ratelimit
from common.ratelimit import SlotUnavailable, wait_for_slot


def test_callers_in_parallel_get_slots_at_least_the_interval_apart(monkeypatch):
    # A slot is granted in Redis somewhere inside the call that got it, so what is timed is
    # that call's start and end: a thread the scheduler runs late after its grant must not
    # make the next gap look short (it did on a loaded machine).
    interval = 0.2
    grants: list[tuple[float, float]] = []
    lock = threading.Lock()
    try_acquire = ratelimit._try_acquire

    def timed(key: str, interval: float) -> float:
        start = time.monotonic()
        wait = try_acquire(key, interval)
        if wait == 0:
            end = time.monotonic()
            with lock:
                grants.append((start, end))
        return wait

    monkeypatch.setattr(ratelimit, "_try_acquire", timed)

    def worker():
        for _ in range(2):
            wait_for_slot("test-parallel", interval=interval, max_wait=10)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    grants.sort()
    assert len(grants) == 8
    # The later grant's call ended at least an interval after the earlier one's began;
    # Redis expires keys with millisecond precision: allow that much.
    gaps = [later_end - start for (start, _), (_, later_end) in itertools.pairwise(grants)]
    assert min(gaps) >= interval - 0.01, gaps


def test_the_slot_is_a_redis_key_other_processes_see():
    wait_for_slot("test-visible", interval=5, max_wait=1)
    client = redis.Redis.from_url(settings.REDIS_URL)
    prefix = settings.CACHES["default"].get("KEY_PREFIX") or "sf"
    ttl_ms = client.pttl(f"{prefix}:ratelimit:test-visible")
    assert 0 < ttl_ms <= 5000


def test_no_slot_within_max_wait_raises():
    wait_for_slot("test-busy", interval=5, max_wait=1)
    started = time.monotonic()
    with pytest.raises(SlotUnavailable):
        wait_for_slot("test-busy", interval=5, max_wait=0.5)
    assert time.monotonic() - started < 0.5  # it does not sleep when it cannot win in time
