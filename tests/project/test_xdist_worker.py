"""Each pytest-xdist worker gets its own Redis database and key prefixes
(tests/support/xdist_worker.py); PostgreSQL is per worker through pytest-django."""

from __future__ import annotations

import os

from django.conf import settings
from django.db import connection

from tests.support.xdist_worker import worker_redis_url


def test_each_worker_has_its_own_redis_database_past_the_base_one():
    assert worker_redis_url("redis://127.0.0.1:6379/9", 0) == "redis://127.0.0.1:6379/10"
    assert worker_redis_url("redis://127.0.0.1:6379/9", 1) == "redis://127.0.0.1:6379/11"
    assert worker_redis_url("redis://127.0.0.1:6379/15", 0) == "redis://127.0.0.1:6379/0"
    assert worker_redis_url("redis://:pw@redis:6380", 2) == "redis://:pw@redis:6380/3"


def test_this_process_uses_its_workers_services(db):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]
    if worker:
        assert os.environ["REDIS_URL"] == settings.REDIS_URL
        assert prefix.endswith(f".{worker}")
        assert settings.CACHES["default"]["KEY_PREFIX"].endswith(f".{worker}")
        assert connection.settings_dict["NAME"].endswith(f"_{worker}")
    else:
        assert not prefix.endswith(".gw0")
