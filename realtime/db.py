"""An async PostgreSQL pool for the socket's hot path (psycopg 3, on the event loop).

The ORM needs a thread hop per call (`database_sync_to_async`); the socket's per-frame
work instead runs a few hand-written statements (realtime/sql.py) straight on the event
loop. One pool per event loop, built lazily from Django's DATABASES so tests reach the
test database. Not used in embedded (SQLite) mode.

Waits are bounded and overload is a domain error (issue 13, the reconnect storm): a
statement waits up to POOL_WAIT seconds for a connection (a `resume` page up to
RESUME_WAIT: it is the storm's main work, and queueing it is better than failing it);
at most MAX_WAITING callers queue per pool, past that psycopg_pool refuses at once
(TooManyRequests). Either way the caller gets `Busy`, which the socket turns into an
error frame `busy` with `retry_after` (or a 4503 close while connecting), never a 1011.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from django.conf import settings
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool, PoolTimeout, TooManyRequests

from common.errors import DomainError

POOL_WAIT = 10.0  # seconds an ordinary statement waits for a pooled connection
RESUME_WAIT = 60.0  # seconds a `resume` page waits (realtime/selectors/stream.py)
MAX_WAITING = 20_000  # callers queued per pool; past it psycopg_pool refuses at once
BUSY_RETRY_AFTER = 2  # seconds a client is told to wait before retrying

_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncConnectionPool] = (
    weakref.WeakKeyDictionary()
)


class Busy(DomainError):
    """No pooled connection within the wait, or the queue for one is full: retry later."""

    status = 503
    code = "busy"
    message = "The server is busy; retry shortly."

    def __init__(
        self, message: str | None = None, *, retry_after: float = BUSY_RETRY_AFTER, **kw: Any
    ) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


def enabled() -> bool:
    return bool(settings.IS_POSTGRES)


def _conninfo() -> dict[str, Any]:
    db = settings.DATABASES["default"]
    info = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": str(db["PORT"]) if db.get("PORT") else None,
        "application_name": "studio-finder-realtime",
    }
    return {k: v for k, v in info.items() if v is not None}


async def _configure(conn: AsyncConnection) -> None:
    await conn.set_autocommit(True)
    await conn.execute("SET TIME ZONE 'UTC'")
    # Plan the hot statements once per connection (their custom plans cost more to make
    # than to run).
    await conn.execute("SET plan_cache_mode = force_generic_plan")


async def get_pool() -> AsyncConnectionPool:
    loop = asyncio.get_running_loop()
    pool = _pools.get(loop)
    if pool is None:
        pool = AsyncConnectionPool(
            kwargs=_conninfo(),
            min_size=settings.REALTIME_DB_POOL_MIN,
            max_size=settings.REALTIME_DB_POOL_MAX,
            configure=_configure,
            open=False,
            name="realtime",
            timeout=POOL_WAIT,
            max_waiting=MAX_WAITING,
        )
        _pools[loop] = pool
        await pool.open()
    return pool


async def close_pool() -> None:
    """Close this loop's pool (tests, shutdown)."""
    pool = _pools.pop(asyncio.get_running_loop(), None)
    if pool is not None:
        await pool.close()


@asynccontextmanager
async def connection(timeout: float | None = None) -> AsyncIterator[AsyncConnection]:
    """A pooled connection, waited for at most `timeout` seconds (None: POOL_WAIT, read at
    each call); Busy if none came in time or too many callers are already waiting.
    fetchone, fetchall and execute take the same `timeout`."""
    pool = await get_pool()
    try:
        async with pool.connection(timeout=POOL_WAIT if timeout is None else timeout) as conn:
            yield conn
    except (TooManyRequests, PoolTimeout):  # only getconn raises these
        raise Busy() from None


async def fetchone(
    sql: str, params: dict[str, Any], *, timeout: float | None = None
) -> tuple | None:
    async with connection(timeout) as conn:
        cur = await conn.execute(sql, params, prepare=True)
        return await cur.fetchone()


async def fetchall(
    sql: str, params: dict[str, Any], *, timeout: float | None = None
) -> list[tuple]:
    async with connection(timeout) as conn:
        cur = await conn.execute(sql, params, prepare=True)
        return await cur.fetchall()


async def execute(sql: str, params: dict[str, Any], *, timeout: float | None = None) -> None:
    async with connection(timeout) as conn:
        await conn.execute(sql, params, prepare=True)
