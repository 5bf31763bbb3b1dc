"""The shared minimum interval holds across threads with their own Redis connections."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
import redis
from django.conf import settings

from common.ratelimit import SlotUnavailable, wait_for_slot


def test_callers_in_parallel_get_slots_at_least_the_interval_apart():
    interval = 0.2
    stamps: list[float] = []
    lock = threading.Lock()

    def worker():
        for _ in range(2):
            wait_for_slot("test-parallel", interval=interval, max_wait=10)
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stamps.sort()
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert len(stamps) == 8
    # Redis expires keys with millisecond precision; allow that much jitter.
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
