"""One synchronous Redis client per process, on REDIS_URL.

Django's cache is per thread (and per async context) under ASGI, so a call from a pool
thread can pay for a client of its own; a flag or counter on the hot path of a request
uses this pooled client instead. redis-py resets its pool after a fork.
"""

from __future__ import annotations

from functools import cache

import redis
from django.conf import settings


@cache
def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=5)
