"""An async PostgreSQL pool for the socket's hot path (psycopg 3, on the event loop).

The ORM needs a thread hop per call (`database_sync_to_async`); the socket's per-frame
work instead runs a few hand-written statements (realtime/sql.py) straight on the event
loop. One pool per event loop, built lazily from Django's DATABASES so tests reach the
test database. Not used in embedded (SQLite) mode.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from django.conf import settings
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncConnectionPool] = (
    weakref.WeakKeyDictionary()
)


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
            timeout=10,
        )
        _pools[loop] = pool
        await pool.open()
    return pool


async def close_pool() -> None:
    """Close this loop's pool (tests, shutdown)."""
    pool = _pools.pop(asyncio.get_running_loop(), None)
    if pool is not None:
        await pool.close()


async def fetchone(sql: str, params: dict[str, Any]) -> tuple | None:
    pool = await get_pool()
    async with pool.connection() as conn:
        cur = await conn.execute(sql, params, prepare=True)
        return await cur.fetchone()


async def fetchall(sql: str, params: dict[str, Any]) -> list[tuple]:
    pool = await get_pool()
    async with pool.connection() as conn:
        cur = await conn.execute(sql, params, prepare=True)
        return await cur.fetchall()


async def execute(sql: str, params: dict[str, Any]) -> None:
    pool = await get_pool()
    async with pool.connection() as conn:
        await conn.execute(sql, params, prepare=True)
