"""Per-worker services under pytest-xdist (`make test` runs `pytest -n $(TEST_WORKERS)`).

Loaded with `-p tests.support.xdist_worker` (pyproject's addopts), before Django reads its
settings. pytest-django already gives each worker its own PostgreSQL test database
(`test_<name>_gw0`, ...); this gives each worker its own Redis database and its own
channel-layer and cache key prefixes, so one worker's `cache.clear()`, Celery queue or
channel group never reaches another's. Without xdist it does nothing.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

REDIS_DATABASES = 16
# The settings' defaults (project/settings/core.py), suffixed per worker.
PREFIX_DEFAULTS = {"CHANNEL_LAYER_PREFIX": "sf.asgi", "CACHE_KEY_PREFIX": "sf"}


def worker_redis_url(url: str, worker_index: int) -> str:
    """The Redis URL one database past the suite's own per worker (wrapping at 16), so a
    run without xdist keeps the base database to itself."""
    parts = urlsplit(url)
    base = int(parts.path.lstrip("/") or 0)
    database = (base + 1 + worker_index) % REDIS_DATABASES
    return urlunsplit(parts._replace(path=f"/{database}"))


def _isolate_worker() -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1", ... set by xdist
    if not worker or not os.environ.get("REDIS_URL"):
        return
    os.environ["REDIS_URL"] = worker_redis_url(os.environ["REDIS_URL"], int(worker[2:]))
    for name, default in PREFIX_DEFAULTS.items():
        os.environ[name] = f"{os.environ.get(name, default)}.{worker}"


_isolate_worker()
