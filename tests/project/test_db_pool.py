"""Web processes reuse pooled PostgreSQL connections; Celery workers keep plain ones."""

from __future__ import annotations

import psycopg
import pytest
from django.conf import settings

from project.celery import drop_database_pools
from tests.support.processes import daphne, http_get, live_database_url, service_env

REQUESTS = 30


def _sessions_opened(database: str) -> int:
    """PostgreSQL's count of sessions ever established to the database (pg_stat_database)."""
    with psycopg.connect(live_database_url().rsplit("/", 1)[0] + "/postgres") as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = %s", [database]
        ).fetchone()
    return row[0]


@pytest.mark.parametrize(("pool", "at_most", "at_least"), [("1", 10, 1), ("0", None, REQUESTS)])
def test_requests_through_daphne_share_pooled_connections(
    transactional_db, tmp_path, pool, at_most, at_least
):
    env = service_env(DATABASE_URL=live_database_url(), DB_POOL=pool, DB_POOL_MAX_SIZE="10")
    database = settings.DATABASES["default"]["NAME"]
    with daphne(env=env, tmp_path=tmp_path) as (proc, base):
        before = _sessions_opened(database)
        for _ in range(REQUESTS):
            status, body, _headers = http_get(f"{base}/api/faq")
            assert status == 200, body
        opened = _sessions_opened(database) - before
    assert opened >= at_least, proc.output()
    if at_most is not None:
        assert opened <= at_most, proc.output()


def test_celery_workers_drop_the_pool_and_keep_plain_connections():
    databases = {"default": {"CONN_MAX_AGE": 0, "OPTIONS": {"pool": {"min_size": 1}}}}
    drop_database_pools(databases, conn_max_age=60)
    assert databases == {"default": {"CONN_MAX_AGE": 60, "OPTIONS": {}}}
