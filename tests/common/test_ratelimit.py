"""The shared minimum interval holds across threads with their own Redis connections, and
in embedded mode on the process's cache."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
import redis
from django.conf import settings
from django.test import override_settings

from common import ratelimit
from common.ratelimit import SlotUnavailable, held_slot, wait_for_slot
from common.redis_client import redis_client
from tests.support.processes import redis_server


def test_callers_in_parallel_get_slots_at_least_the_interval_apart(monkeypatch):
    # A slot is granted in Redis somewhere inside the call that got it, so what is timed is
    # that call's start and end: a thread the scheduler runs late after its grant must not
    # make the next gap look short (it did on a loaded machine).
    interval = 0.2
    grants: list[tuple[float, float]] = []
    lock = threading.Lock()
    try_acquire = ratelimit._try_acquire

    def timed(key: str, ttl: float, token: str, interval: float) -> float:
        start = time.monotonic()
        wait = try_acquire(key, ttl, token, interval)
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


def _calls_in_parallel(name: str, *, interval: float, durations: list[float]) -> list:
    """Each thread makes one held_slot call lasting its duration: the (start, end) of each."""
    calls: list[tuple[float, float]] = []
    lock = threading.Lock()

    def call(duration: float) -> None:
        with held_slot(name, interval=interval, hold=5, max_wait=10):
            start = time.monotonic()
            time.sleep(duration)
            end = time.monotonic()
        with lock:
            calls.append((start, end))

    threads = [threading.Thread(target=call, args=(d,)) for d in durations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(calls)


def _idle_between(calls: list) -> list[float]:
    return [start - end for (_, end), (start, _) in itertools.pairwise(calls)]


def test_a_held_slot_opens_the_interval_after_the_call_ends_not_after_it_began():
    # Calls of 0.3 s at an interval of 0.2 s: start-to-start slots would let the next call
    # begin while this one still runs. Held, there is always ≥ interval of quiet between.
    interval = 0.2
    calls = _calls_in_parallel("test-held", interval=interval, durations=[0.3, 0.05, 0.3, 0.1])

    assert len(calls) == 4
    idle = _idle_between(calls)
    assert min(idle) >= interval - 0.01, idle
    # A waiter looks again every 0.1 s while a call runs: it does not sleep out the hold.
    assert max(idle) < interval + 0.25, idle


@override_settings(
    REDIS_URL="",
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
)
def test_embedded_mode_holds_the_slot_on_the_process_cache():
    interval = 0.2
    calls = _calls_in_parallel("test-held-local", interval=interval, durations=[0.3, 0.05, 0.2])

    assert min(_idle_between(calls)) >= interval - 0.01


def test_a_caller_that_overran_its_hold_does_not_shorten_the_next_callers_slot():
    client = redis.Redis.from_url(settings.REDIS_URL)
    prefix = settings.CACHES["default"].get("KEY_PREFIX") or "sf"
    with held_slot("test-overrun", interval=0.1, hold=0.1, max_wait=1):
        time.sleep(0.3)  # the hold ran out: the slot is free for another caller
        wait_for_slot("test-overrun", interval=5, max_wait=1)
    # Releasing the first call's slot left the newer caller's 5 s untouched.
    assert client.pttl(f"{prefix}:ratelimit:test-overrun") > 4000


def test_a_held_slot_is_released_when_the_call_raises():
    with pytest.raises(RuntimeError), held_slot("test-raise", interval=0.1, hold=30):
        raise RuntimeError("the request failed")
    started = time.monotonic()
    with held_slot("test-raise", interval=0.1, hold=30, max_wait=2):
        pass
    assert time.monotonic() - started < 1  # the interval, not the 30 s hold


def _ttl_ms(name: str) -> int:
    prefix = settings.CACHES["default"].get("KEY_PREFIX") or "sf"
    return redis.Redis.from_url(settings.REDIS_URL).pttl(f"{prefix}:ratelimit:{name}")


def test_a_call_that_outlived_its_hold_still_opens_the_next_slot_an_interval_after_it():
    with held_slot("test-outlived", interval=2, hold=0.1, max_wait=1):
        time.sleep(0.3)  # the hold ran out, and no one took the slot meanwhile
    assert 1800 < _ttl_ms("test-outlived") <= 2000


def test_a_share_stretches_the_gap_after_a_call():
    """Calls of d seconds, `interval` apart, take one per (d + interval) / share."""
    with held_slot("test-share", interval=0.5, hold=5, share=0.5):
        time.sleep(0.2)
    # (0.5 + 0.2) / 0.5 - 0.2 = 1.2 s after the call (a little more as the call ran over)
    assert 1100 < _ttl_ms("test-share") < 1400


def test_a_finished_calls_slot_is_waited_for_only_if_it_opens_in_time():
    """Its gap (10 s at a share of 0.5) is longer than the interval, yet no call runs."""
    with held_slot("test-in-time", interval=5, hold=1, share=0.5):
        pass
    started = time.monotonic()
    with (
        pytest.raises(SlotUnavailable),
        held_slot("test-in-time", interval=5, hold=1, max_wait=1, share=0.5),
    ):
        pass
    assert time.monotonic() - started < 0.5  # no polling out the wait: it cannot open in time


def test_a_slot_whose_inner_slot_was_not_had_opens_at_once():
    """Nothing was asked of the service: the outer slot is freed, not spent."""
    wait_for_slot("test-inner", interval=5)
    with pytest.raises(SlotUnavailable), held_slot("test-outer", interval=5, hold=5):
        wait_for_slot("test-inner", interval=5, max_wait=0.1)
    assert _ttl_ms("test-outer") == -2  # no key: the next caller goes at once


def _stop_and_fail(server) -> None:
    server.stop()
    raise ValueError("the geocoder's own error")


def test_redis_gone_at_the_release_leaves_the_calls_own_outcome(settings, tmp_path, caplog):
    """The key expires on its own: the call's answer, or its own error, is what counts."""
    with redis_server(tmp_path) as (server, url):
        settings.REDIS_URL = url
        redis_client.cache_clear()
        try:
            with (
                pytest.raises(ValueError, match="the geocoder's own error"),
                held_slot("test-gone", interval=0.1, hold=5),
            ):
                _stop_and_fail(server)
        finally:
            redis_client.cache_clear()
    assert "not released" in caplog.text
