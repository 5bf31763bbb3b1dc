"""Who opens a socket: the session → user lookup on the event loop, one query when warm.

channels' AuthMiddlewareStack loads the session and then the user through two thread
hops (`database_sync_to_async`, one shared thread per process), which bounded a Daphne
process to ~135 new sockets a second. Here, in services mode:

- a session key's *decoded* auth data — user id, backend, session auth hash — is kept in
  a small per-process cache. That triple never changes for a given key (Django cycles
  the key on login, on a password change kept by `update_session_auth_hash`, and on
  logout deletes the row), so caching it is safe;
- every connect then runs ONE statement on the async pool (realtime/db.py): the user's
  row, joined with the session row still existing and unexpired. The session auth hash
  is compared with the user's current one in Python, exactly as `django.contrib.auth.
  get_user` does, so a deleted/expired session or a changed password refuses the socket
  whatever the cache holds;
- the cache entry is dropped when the session row is deleted (realtime/sockets.py) and
  expires after AUTH_CACHE_TTL seconds anyway;
- the same triple is shared between processes through Redis (issue 13: after a deploy
  every new process starts with an empty local cache, and every reconnect paid the session
  statement): keyed by a SHA-256 of the session key, never the key itself, signed with
  SECRET_KEY (an entry written by anything else is ignored), written when a process
  decodes a key, expiring after AUTH_CACHE_TTL, deleted with the local entry. It only
  saves the session row's read: the one statement below still checks that the row exists
  and is unexpired and that the hash matches, so a stale entry admits nobody. Redis
  failing (down, slow) costs the session statement, never a refused socket; after a
  failure the shared cache is not asked for SHARED_RETRY_AFTER seconds.

Overload (issue 13): when the pool has no connection for the lookup within its wait, or
its queue is full (realtime/db.py, Busy), the handshake is accepted and closed at once
with 4503 (close_codes.BUSY), so the client backs off and retries, instead of an HTTP 500
that it sees as a bare 1006.

A key cold in both caches costs one more statement (the session row, decoded by Django's
own session store). Anything unusual (a backend that is not a ModelBackend, a hash that only matches
a fallback SECRET_KEY and must be rotated in the session) goes the old, synchronous way.
Embedded mode (SQLite) keeps channels' AuthMiddlewareStack.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import time
import weakref
from http.cookies import SimpleCookie
from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.utils.crypto import constant_time_compare, salted_hmac

from . import close_codes, db
from .redis_batch import PipelineBatch

logger = logging.getLogger(__name__)

AUTH_CACHE_TTL = 300.0
AUTH_CACHE_MAX = 50_000
# Seconds a shared-cache batch may take before its callers read the session row instead.
# Not shorter: in a reconnect storm on a loaded machine the event loop itself runs seconds
# behind, and 0.5 s, then 2 s, timed out healthy batches (bench/reconnect_storm.py at
# 2,000 clients, load 1.4 and 7). A Redis that hangs hangs the channel layer too.
SHARED_TIMEOUT = 3.0
# Seconds the shared cache is left alone after a failure: short, since a timeout may have
# been the loop's lag, not Redis (and every cold connect meanwhile reads the session row).
SHARED_RETRY_AFTER = 1.0

# session key -> (user id, backend path, session auth hash, cached at)
_decoded: dict[str, tuple[int, str, str, float]] = {}
SLOW = object()  # "ask Django the synchronous way"


@functools.cache
def _user_statement() -> tuple[str, list[str]]:
    """SELECT every concrete column of the user, if the session still stands."""
    model = get_user_model()
    fields = model._meta.concrete_fields
    columns = ", ".join(f'u."{f.column}"' for f in fields)
    # Identifiers from the model's own metadata; values are parameters.
    sql = (
        f'SELECT {columns} FROM "{model._meta.db_table}" u '  # noqa: S608
        "JOIN django_session s ON s.session_key = %(key)s AND s.expire_date > now() "
        f'WHERE u."{model._meta.pk.column}" = %(user)s'
    )
    return sql, [f.attname for f in fields]


SESSION_DATA = (
    "SELECT session_data FROM django_session WHERE session_key = %(key)s AND expire_date > now()"
)


async def _fetchone(statement: str, params: dict) -> tuple | None:
    # Shielded: Daphne cancels a handshake the application has not accepted within 5 s,
    # and in a reconnect storm thousands are cancelled while they wait for a pooled
    # connection. A cancellation landing as psycopg_pool hands a connection over can lose
    # that connection for good (psycopg issues #509, #1208, #1345); the pool (4 per
    # process) then ran dry and every later connect failed with PoolTimeout. The statement
    # finishes and returns its connection; only the caller stops waiting.
    return await asyncio.shield(db.fetchone(statement, params))


class _Shared(PipelineBatch):
    """The decoded triples shared through Redis, for one event loop: a storm's thousands
    of connects in a tick cost a few round trips, not a connection each."""

    def __init__(self) -> None:
        import redis.asyncio as aioredis

        super().__init__(
            aioredis.Redis.from_url(
                settings.REDIS_URL,
                max_connections=1,
                socket_timeout=SHARED_TIMEOUT,
                socket_connect_timeout=SHARED_TIMEOUT,
            )
        )

    def timeout(self) -> float:
        return SHARED_TIMEOUT

    def failed(self, exc: Exception, operations: int) -> None:
        # Redis down or slow: the callers read the session row.
        global _shared_down_until
        _shared_down_until = time.monotonic() + SHARED_RETRY_AFTER
        logger.warning("shared session cache failed, using the database: %r", exc)


_shared: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Shared] = weakref.WeakKeyDictionary()
_shared_down_until = 0.0  # monotonic time before which Redis is not asked (it just failed)


def _shared_submit(queue) -> asyncio.Future | None:
    """Queue a read or write of a shared entry (None: no shared cache now)."""
    if not settings.REDIS_URL or time.monotonic() < _shared_down_until:
        return None
    loop = asyncio.get_running_loop()
    shared = _shared.get(loop)
    if shared is None:
        shared = _shared[loop] = _Shared()
    return shared.submit(queue)


def _shared_key(session_key: str) -> str:
    """The shared entry's Redis key: a SHA-256 of the session key, never the key itself."""
    from django.core.cache import cache

    digest = hashlib.sha256(session_key.encode()).hexdigest()
    return cache.make_key(f"realtime:auth:{digest}")


def _seal(session_key: str, body: str) -> str:
    """An HMAC (SECRET_KEY) of the entry and the session key it belongs to."""
    return salted_hmac(
        "realtime.auth.shared", f"{session_key}|{body}", algorithm="sha256"
    ).hexdigest()


async def _shared_get(session_key: str) -> tuple[int, str, str] | None:
    key = _shared_key(session_key)
    waiting = _shared_submit(lambda pipe: pipe.get(key))
    replies = await waiting if waiting is not None else None
    raw = replies[0] if isinstance(replies, list) else None
    if raw is None:
        return None
    mac, _, body = raw.decode("utf-8", "replace").partition("|")
    if not constant_time_compare(mac, _seal(session_key, body)):
        return None  # not written by us (or signed with another SECRET_KEY): ignore it
    try:
        user_id, backend, session_hash = json.loads(body)
        return int(user_id), str(backend), str(session_hash)
    except (TypeError, ValueError):
        return None


def _shared_put(session_key: str, triple: tuple[int, str, str]) -> None:
    """Queue the write; nobody waits for it (the next batch carries it)."""
    body = json.dumps(list(triple), separators=(",", ":"))
    key, value = _shared_key(session_key), f"{_seal(session_key, body)}|{body}"
    _shared_submit(lambda pipe: pipe.set(key, value, ex=int(AUTH_CACHE_TTL)))


def _shared_drop(session_key: str) -> None:
    """Synchronous: the session row's post_delete runs in a request, a task or a shell."""
    if not settings.REDIS_URL:
        return
    try:
        _sync_client(settings.REDIS_URL).delete(_shared_key(session_key))
    except Exception as exc:  # the entry expires anyway, and the statement refuses it
        logger.warning("shared session cache delete failed: %r", exc)


@functools.cache
def _sync_client(url: str):
    import redis

    # Short: it runs in the request (or task) that ended the session.
    return redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)


def forget_session(session_key: str) -> None:
    """The session ended (realtime/sockets.py): drop its cached auth data, here and shared."""
    _decoded.pop(session_key, None)
    _shared_drop(session_key)


def _remember(session_key: str, triple: tuple[int, str, str]) -> None:
    if len(_decoded) >= AUTH_CACHE_MAX:
        _decoded.clear()
    _decoded[session_key] = (*triple, time.monotonic())


async def _decode(session_key: str) -> tuple[int, str, str] | None:
    hit = _decoded.get(session_key)
    if hit is not None and time.monotonic() - hit[3] < AUTH_CACHE_TTL:
        return hit[:3]
    shared = await _shared_get(session_key)
    if shared is not None:
        _remember(session_key, shared)
        return shared
    row = await _fetchone(SESSION_DATA, {"key": session_key})
    if row is None:
        return None
    from importlib import import_module

    data = import_module(settings.SESSION_ENGINE).SessionStore().decode(row[0])
    try:
        user_id = int(data[SESSION_KEY])
        backend, session_hash = data[BACKEND_SESSION_KEY], data.get(HASH_SESSION_KEY) or ""
    except (KeyError, TypeError, ValueError):
        return None
    triple = (user_id, backend, session_hash)
    _remember(session_key, triple)
    _shared_put(session_key, triple)
    return triple


async def session_owner(session_key: str | None) -> Any:
    """The user this session key authenticates, None, or SLOW (ask `get_user`)."""
    if not session_key or len(session_key) > 64:
        return None
    decoded = await _decode(session_key)
    if decoded is None:
        return None
    user_id, backend_path, session_hash = decoded
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    backend = load_backend(backend_path)
    if not isinstance(backend, ModelBackend) or type(backend).get_user is not ModelBackend.get_user:
        return SLOW
    sql, attnames = _user_statement()
    row = await _fetchone(sql, {"key": session_key, "user": user_id})
    if row is None:
        return None
    user = get_user_model().from_db("default", attnames, row)
    if not backend.user_can_authenticate(user):
        return None
    if session_hash and constant_time_compare(session_hash, user.get_session_auth_hash()):
        return user
    if session_hash and any(
        constant_time_compare(session_hash, h) for h in user.get_session_auth_fallback_hash()
    ):
        return SLOW  # Django re-signs the session with the current key: let it
    return None


def _sync_owner(session_key: str) -> Any:
    from common.auth import session_user_id

    user_id = session_user_id(session_key)
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


async def resolve(session_key: str | None) -> Any:
    """The user behind a session key (cookie or app token), or None."""
    found = await session_owner(session_key)
    if found is SLOW:
        found = await database_sync_to_async(_sync_owner)(session_key)
    return found


def _cookie(scope: dict, name: str) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == b"cookie":
            cookie = SimpleCookie()
            try:
                cookie.load(value.decode("latin1"))
            except Exception:
                return None
            morsel = cookie.get(name)
            return morsel.value if morsel is not None else None
    return None


class SocketAuthMiddleware:
    """Sets scope["user"] (a user or AnonymousUser) and scope["session_key"]."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.fallback = AuthMiddlewareStack(inner)

    async def __call__(self, scope, receive, send):
        if not db.enabled():
            return await self.fallback(scope, receive, send)
        key = _cookie(scope, settings.SESSION_COOKIE_NAME)
        try:
            user = await resolve(key) if key else None
        except db.Busy:
            return await _close_busy(receive, send)
        # In place, not a copy: Daphne made this scope for this one connection, and a copy
        # would stay referenced by this frame for as long as the socket is open.
        scope["user"], scope["session_key"] = user or AnonymousUser(), key if user else None
        del key, user
        return await self.inner(scope, receive, send)


async def _close_busy(receive, send) -> None:
    """Accept the handshake and close it with 4503 at once: a refused handshake reaches a
    browser as 1006 without a reason, a close code tells it to back off and retry."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": close_codes.BUSY})
    while message["type"] != "websocket.disconnect":
        message = await receive()


async def token_owner(token: str) -> tuple[Any, str] | None:
    """(user, session key) behind an app session token (the `auth` frame), or None.

    With allauth's default strategy the token is the session key: the fast path above.
    """
    from allauth.headless import app_settings
    from allauth.headless.tokens.strategies.sessions import SessionTokenStrategy

    if db.enabled() and type(app_settings.TOKEN_STRATEGY) is SessionTokenStrategy:
        user = await resolve(token)
        return (user, token) if user is not None else None
    from common.auth import session_token_owner

    return await database_sync_to_async(session_token_owner)(token)
