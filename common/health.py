"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """The process answers. No dependency is touched, so a slow database never kills it."""
    return JsonResponse({"status": "ok"})


# How long the readiness probe waits for a database connection. The pool's own wait
# (DB_POOL_TIMEOUT, 10 s) is for requests; a probe that waited that long on a database
# that is down would be killed by the orchestrator's probe timeout before answering 503.
READYZ_DATABASE_WAIT = 2.0


def _check_database() -> None:
    pool = connection.pool if connection.vendor == "postgresql" else None
    if pool is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return
    pool.open()  # a no-op once open; Django opens it with the first query
    conn = pool.getconn(timeout=READYZ_DATABASE_WAIT)
    try:
        conn.execute("SELECT 1")
    finally:
        pool.putconn(conn)


def _check_redis() -> None:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


@never_cache
@require_GET
def readyz(request):
    """Every service this process needs is reachable: 200, else 503 naming what is down."""
    checks = {"database": _check_database}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis
    results, down = {}, []
    for name, check in checks.items():
        try:
            check()
        except Exception as exc:  # any failure means "not ready"; the reason is logged
            logger.warning("readiness check %s failed: %s", name, exc)
            results[name] = {"status": "down", "error": type(exc).__name__}
            down.append(name)
        else:
            results[name] = {"status": "ok"}
    status = 503 if down else 200
    body = {"status": "unavailable" if down else "ok", "checks": results}
    if down:
        body["down"] = down
    return JsonResponse(body, status=status)
