"""Both modes start: embedded with an empty environment, services on PostgreSQL and Redis."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from tests.support.processes import (
    PYTHON,
    ROOT,
    daphne,
    free_port,
    http_get,
    redis_server,
    service_env,
)


def test_embedded_mode_serves_healthz_and_the_admin_login(tmp_path):
    # Nothing set but where to keep the SQLite file, so the developer's var/ is untouched.
    env = {"VAR_DIR": str(tmp_path / "var")}
    migrate = subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr
    assert (tmp_path / "var" / "studio-finder.sqlite3").exists()

    with daphne(env=env, tmp_path=tmp_path) as (_, base):
        status, body, _ = http_get(f"{base}/healthz")
        assert (status, json.loads(body)) == (200, {"status": "ok"})

        status, body, _ = http_get(f"{base}/admin/login/")
        assert status == 200
        assert b'name="username"' in body
        assert b'name="password"' in body

        status, body, _ = http_get(f"{base}/readyz")
        assert status == 200
        assert json.loads(body)["checks"] == {"database": {"status": "ok"}}


def test_services_mode_is_ready_on_postgres_and_redis(tmp_path):
    with daphne(env=service_env(), tmp_path=tmp_path) as (_, base):
        status, body, _ = http_get(f"{base}/readyz")
        assert status == 200, body
        assert json.loads(body)["checks"] == {
            "database": {"status": "ok"},
            "redis": {"status": "ok"},
        }


def test_readyz_is_503_at_once_when_the_database_is_unreachable(tmp_path):
    """The pool would wait DB_POOL_TIMEOUT (10 s) for a connection; the probe waits
    READYZ_DATABASE_WAIT (2 s) and names the database."""
    nobody = f"postgres://postgres@127.0.0.1:{free_port()}/studio_finder"
    with daphne(env=service_env(DATABASE_URL=nobody), tmp_path=tmp_path) as (_, base):
        started = time.monotonic()
        status, body, _ = http_get(f"{base}/readyz")
        waited = time.monotonic() - started
    assert status == 503, body
    assert json.loads(body)["down"] == ["database"]
    assert 1.5 < waited < 6, waited


@pytest.mark.django_db
def test_readyz_is_503_naming_redis_when_redis_goes_down(client, settings, tmp_path):
    with redis_server(tmp_path) as (redis_proc, url):
        settings.REDIS_URL = url
        assert client.get("/readyz").status_code == 200
        redis_proc.kill()

        response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["down"] == ["redis"]
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["redis"]["status"] == "down"
