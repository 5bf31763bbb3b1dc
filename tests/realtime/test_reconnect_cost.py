"""What a reconnect costs the database (issue 13, part 3): at most two statements.

- The decoded session is shared between processes through Redis (realtime/auth.py): a new
  process (here: the local cache cleared) reads it there instead of the session row, and
  the one remaining auth statement still refuses whatever the shared entry says about a
  session that ended, a changed password, or a user it does not name.
- A resume named in the handshake (`/ws/?last_event_id=N`, docs/realtime-protocol.md,
  "resume") is read by hello's own statement and answered exactly as a `resume` frame.

Real PostgreSQL, Redis and the ASGI app through WebsocketCommunicator; statements are
counted where the socket runs them (realtime/db.py).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
import redis
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from project.asgi import application
from realtime import auth, close_codes, db, frames, sql
from realtime.models import Event
from realtime.selectors import stream
from realtime.services import message_send
from tests.factories import UserFactory

from .conftest import HOST, ORIGIN, Socket, open_socket, session_key_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("close_pool")]

sync = database_sync_to_async


@pytest.fixture
def statements(monkeypatch):
    """Every statement the socket's pool runs, in order (the SQL text)."""
    ran: list[str] = []
    real_one, real_all = db.fetchone, db.fetchall

    async def fetchone(statement, params, **kw):
        ran.append(statement)
        return await real_one(statement, params, **kw)

    async def fetchall(statement, params, **kw):
        ran.append(statement)
        return await real_all(statement, params, **kw)

    monkeypatch.setattr(db, "fetchone", fetchone)
    monkeypatch.setattr(db, "fetchall", fetchall)
    return ran


@pytest.fixture(autouse=True)
def shared_up(monkeypatch):
    """Each test starts with the shared cache usable (a failure elsewhere pauses it)."""
    monkeypatch.setattr(auth, "_shared_down_until", 0.0)


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


async def _shared_written(key: str) -> bytes:
    for _ in range(100):
        raw = await sync(_redis().get)(auth._shared_key(key))
        if raw is not None:
            return raw
        await asyncio.sleep(0.01)
    raise AssertionError("the decoded session never reached Redis")


async def _connect(key: str | None, query: str = "") -> Socket:
    headers = [ORIGIN, HOST]
    if key is not None:
        headers.append((b"cookie", f"sessionid={key}".encode()))
    comm = WebsocketCommunicator(application, f"/ws/{query}", headers=headers)
    connected, _ = await comm.connect(timeout=5)
    assert connected
    return Socket(comm)


async def _until(sock: Socket, kind: str) -> list[dict]:
    """Frames up to and including the first of this type."""
    seen = []
    while True:
        frame = await sock.recv()
        seen.append(frame)
        if frame["type"] == kind:
            return seen


async def _refused(sock: Socket) -> None:
    """Taken as anonymous: no hello; a frame answers not_authenticated."""
    assert await sock.nothing(0.3)
    await sock.send({"type": "message.read", "with": "x", "up_to_id": 1})
    assert (await sock.recv())["code"] == "not_authenticated"
    await sock.close()


async def _signed_in_with_shared_entry(statements) -> tuple[object, str]:
    """A user whose first socket decoded the session and shared it; then a "new process"."""
    user = await sync(UserFactory)()
    key = await sync(session_key_for)(user)
    sock = await _connect(key)
    assert (await sock.recv())["type"] == "hello"
    await sock.close()
    await _shared_written(key)
    auth._decoded.clear()  # a process started after the deploy
    statements.clear()
    return user, key


# --- the decoded session, shared ----------------------------------------------------------------


async def test_a_new_process_takes_the_decoded_session_from_redis_not_the_session_row(statements):
    user = await sync(UserFactory)()
    key = await sync(session_key_for)(user)
    sock = await _connect(key)
    assert (await sock.recv())["type"] == "hello"
    await sock.close()
    assert statements == [auth.SESSION_DATA, auth._user_statement()[0], sql.HELLO]  # cold: 3
    raw = await _shared_written(key)
    # Keyed and written without the session key itself.
    keys = await sync(_redis().keys)("*")
    assert not any(key.encode() in k for k in keys)
    assert key.encode() not in raw

    auth._decoded.clear()  # another process: its own cache is empty
    statements.clear()
    sock = await _connect(key)
    hello = await sock.recv()
    assert hello["user"]["id"] == user.pk
    await sock.close()
    assert statements == [auth._user_statement()[0], sql.HELLO]  # no session statement
    assert key in auth._decoded  # and this process keeps it locally too


async def test_a_cold_reconnect_with_its_resume_in_the_handshake_is_two_statements(
    users, statements
):
    a, b, _ = users
    sock, hello = await open_socket(cookie_user=b)
    await sock.close()
    for i in range(3):
        await sync(message_send)(sender=a, to=b.username, content=f"m{i}", client_id=f"k{i}")
    key = next(k for k, v in auth._decoded.items() if v[0] == b.pk)
    await _shared_written(key)
    auth._decoded.clear()
    statements.clear()
    sock = await _connect(key, f"?last_event_id={hello['last_event_id']}")
    seen = await _until(sock, "resumed")
    await sock.close()
    assert statements == [auth._user_statement()[0], sql.HELLO_PAGE]
    assert seen[0]["type"] == "hello"
    assert [f["event_id"] for f in seen[1:-1]] == list(range(1, seen[0]["last_event_id"] + 1))
    assert [f["type"] for f in seen].count("message.new") == 3
    assert seen[-1] == {"type": "resumed", "last_event_id": seen[0]["last_event_id"]}


async def test_a_deleted_session_drops_the_shared_entry_and_a_late_copy_admits_nobody(statements):
    _user, key = await _signed_in_with_shared_entry(statements)
    raw = await _shared_written(key)
    await sync(Session.objects.filter(session_key=key).delete)()
    assert await sync(_redis().get)(auth._shared_key(key)) is None  # dropped with the row
    # Another process wrote it back just before the delete reached it: still refused.
    await sync(_redis().set)(auth._shared_key(key), raw)
    await _refused(await _connect(key))
    assert auth.SESSION_DATA not in statements  # the shared entry was used, and refused


async def test_a_changed_password_is_refused_whatever_the_shared_entry_says(statements):
    user, key = await _signed_in_with_shared_entry(statements)

    def change():
        user.set_password("a new long passphrase 42")
        user.save()

    await sync(change)()
    assert await sync(_redis().get)(auth._shared_key(key)) is not None
    await _refused(await _connect(key))


async def test_a_forged_shared_entry_admits_nobody(statements):
    alice = await sync(UserFactory)()
    mallory = await sync(UserFactory)()
    key = await sync(session_key_for)(mallory)
    shared_key = auth._shared_key(key)
    alice_hash = await sync(alice.get_session_auth_hash)()
    backend = "django.contrib.auth.backends.ModelBackend"
    # Unsigned (or signed with another key): ignored, the session row decides.
    body = f'[{alice.pk},"{backend}","{alice_hash}"]'
    await sync(_redis().set)(shared_key, f"{'0' * 64}|{body}")
    sock = await _connect(key)
    assert (await sock.recv())["user"]["id"] == mallory.pk
    await sock.close()
    assert statements[0] == auth.SESSION_DATA
    # Signed but naming another user with a made-up hash: the statement's hash check refuses.
    auth._decoded.clear()
    body = f'[{alice.pk},"{backend}","{"f" * 64}"]'
    await sync(_redis().set)(shared_key, f"{auth._seal(key, body)}|{body}")
    await _refused(await _connect(key))


async def test_redis_down_falls_back_to_the_session_row(statements, caplog):
    import redis.asyncio as aioredis

    user = await sync(UserFactory)()
    key = await sync(session_key_for)(user)
    shared = auth._Shared()
    shared.client = aioredis.Redis.from_url(  # nothing listens there
        "redis://127.0.0.1:1/0", socket_connect_timeout=0.2, socket_timeout=0.2
    )
    auth._shared[asyncio.get_running_loop()] = shared
    try:
        with caplog.at_level(logging.WARNING, logger="realtime.auth"):
            sock = await _connect(key)
            assert (await sock.recv())["user"]["id"] == user.pk
            await sock.close()
        assert statements == [auth.SESSION_DATA, auth._user_statement()[0], sql.HELLO]
        assert "shared session cache failed" in caplog.text
        # The next cold connect reads the session row too (Redis paused, or failing again).
        auth._decoded.clear()
        statements.clear()
        sock = await _connect(key)
        assert (await sock.recv())["user"]["id"] == user.pk
        await sock.close()
        assert statements[0] == auth.SESSION_DATA
    finally:
        auth._shared.pop(asyncio.get_running_loop(), None)


async def test_a_redis_that_never_answers_costs_at_most_the_shared_timeout(statements, monkeypatch):
    import redis.asyncio as aioredis

    monkeypatch.setattr(auth, "SHARED_TIMEOUT", 0.5)

    async def silent(reader, writer):
        await reader.read(1 << 16)
        await asyncio.sleep(30)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    user = await sync(UserFactory)()
    key = await sync(session_key_for)(user)
    shared = auth._Shared()
    shared.client = aioredis.Redis.from_url(f"redis://127.0.0.1:{port}/0")  # no own timeout
    auth._shared[asyncio.get_running_loop()] = shared
    try:
        started = asyncio.get_running_loop().time()
        sock = await _connect(key)
        assert (await sock.recv())["user"]["id"] == user.pk
        assert asyncio.get_running_loop().time() - started < auth.SHARED_TIMEOUT + 1.5
        await sock.close()
        assert statements[0] == auth.SESSION_DATA
    finally:
        auth._shared.pop(asyncio.get_running_loop(), None)
        server.close()


# --- resume in the handshake --------------------------------------------------------------------


async def test_a_handshake_resume_replays_exactly_the_later_events_once(users):
    a, b, _ = users
    for i in range(5):
        await sync(message_send)(sender=a, to=b.username, content=f"m{i}", client_id=f"k{i}")
    stored = await sync(lambda: list(Event.objects.filter(user=b).order_by("event_id")))()
    head = stored[-1].event_id
    after = next(e.event_id for e in stored if e.payload["type"] == "message.new")  # m0
    key = await sync(session_key_for)(b)
    sock = await _connect(key, f"?last_event_id={after}")
    seen = await _until(sock, "resumed")
    hello = seen[0]
    assert hello["type"] == "hello"
    assert hello["last_event_id"] == head
    assert hello["resume_from"] == after
    assert [f["event_id"] for f in seen[1:-1]] == list(range(after + 1, head + 1))
    contents = [f["message"]["content"] for f in seen[1:-1] if f["type"] == "message.new"]
    assert contents == ["m1", "m2", "m3", "m4"]
    assert seen[-1] == {"type": "resumed", "last_event_id": head}
    assert await sock.nothing(0.3)  # nothing twice
    # Live events continue from there, once each.
    await sync(message_send)(sender=a, to=b.username, content="live", client_id="live")
    live = await sock.recv()
    assert (live["event_id"], live["message"]["content"]) == (head + 1, "live")
    assert await sock.nothing(0.3)
    await sock.close()


async def test_a_handshake_resume_at_the_head_is_resumed_at_once(users):
    _a, b, _ = users
    key = await sync(session_key_for)(b)
    sock = await _connect(key, "?last_event_id=0")
    assert (await sock.recv())["resume_from"] == 0
    assert await sock.recv() == {"type": "resumed", "last_event_id": 0}
    await sock.close()


async def test_a_handshake_resume_reads_further_pages_in_order(users, monkeypatch, statements):
    a, b, _ = users
    monkeypatch.setattr(stream, "REPLAY_PAGE", 2)
    for i in range(5):
        await sync(message_send)(sender=a, to=b.username, content=f"m{i}", client_id=f"k{i}")
    key = await sync(session_key_for)(b)
    statements.clear()
    sock = await _connect(key, "?last_event_id=0")
    seen = await _until(sock, "resumed")
    await sock.close()
    head = seen[0]["last_event_id"]
    assert head >= 5
    assert [f["event_id"] for f in seen[1:-1]] == list(range(1, head + 1))
    assert statements.count(sql.HELLO_PAGE) == 1
    assert statements.count(sql.REPLAY) == (head - 2 + 1) // 2  # (2, head] in pages of two


async def test_a_handshake_resume_older_than_retention_or_ahead_gets_resync_required(trimmed):
    key = await sync(session_key_for)(trimmed)
    for query, reason in (("?last_event_id=0", "expired"), ("?last_event_id=99", "ahead")):
        sock = await _connect(key, query)
        assert (await sock.recv())["type"] == "hello"
        assert await sock.recv() == {
            "type": "resync_required",
            "last_event_id": 5,
            "reason": reason,
        }
        assert await sock.nothing(0.2)
        await sock.close()
    sock = await _connect(key, "?last_event_id=2")  # 3.. still kept
    assert [f.get("event_id") for f in await _until(sock, "resumed")] == [None, 3, 4, 5, None]
    await sock.close()


@pytest.mark.parametrize(
    "query",
    [
        "?last_event_id=-1",
        "?last_event_id=abc",
        "?last_event_id=1.5",
        "?last_event_id=",
        "?last_event_id=+1",
        "?last_event_id=1&last_event_id=2",
        "?last_event_id=9223372036854775808",
        "?last_event_id=" + "9" * 400,
        "?last_event_id=%00",
        "?last_event_id=%FF",
    ],
)
async def test_a_bad_handshake_last_event_id_is_ignored(users, query):
    _a, b, _ = users
    key = await sync(session_key_for)(b)
    sock = await _connect(key, query)
    hello = await sock.recv()
    assert hello["type"] == "hello"
    assert "resume_from" not in hello
    assert await sock.nothing(0.2)
    await sock.send({"type": "ping"})
    assert await sock.recv() == {"type": "pong"}
    await sock.close()


def test_the_handshake_last_event_id_rule():
    parse = frames.handshake_last_event_id
    assert parse(b"last_event_id=37") == 37
    assert parse(b"x=1&last_event_id=0") == 0
    assert parse(b"last_event_id=9223372036854775807") == 2**63 - 1
    for bad in (b"", b"last_event_id", b"last_event_id=0x10", b"last_event_id=%D9%A3"):
        assert parse(bad) is None, bad
    assert parse(b"last_event_id=1&" + b"x" * 2000) is None  # over MAX_QUERY_BYTES


async def test_anonymous_then_app_token_and_suspended_users_are_unchanged(users):
    _a, b, c = users
    # No cookie: no hello, and the `auth` frame then answers with the handshake's resume.
    sock = await _connect(None, "?last_event_id=0")
    assert await sock.nothing(0.3)
    key = await sync(session_key_for)(b)
    await sock.send({"type": "auth", "token": key})
    assert (await sock.recv())["resume_from"] == 0
    assert await sock.recv() == {"type": "resumed", "last_event_id": 0}
    await sock.close()
    # Suspended: 4403 at once, nothing replayed.
    await sync(type(c).objects.filter(pk=c.pk).update)(
        suspended_until=timezone.now() + timedelta(days=1)
    )
    key = await sync(session_key_for)(c)
    sock = await _connect(key, "?last_event_id=0")
    assert await sock.close_code() == close_codes.SUSPENDED


async def test_a_busy_handshake_resume_closes_4503(users, settings, monkeypatch):
    _a, b, _ = users
    settings.REALTIME_DB_POOL_MIN = settings.REALTIME_DB_POOL_MAX = 1
    monkeypatch.setattr(db, "POOL_WAIT", 0.2)
    key = await sync(session_key_for)(b)
    async with db.connection():
        sock = await _connect(key, "?last_event_id=0")
        assert await sock.close_code() == close_codes.BUSY
        await sock.close()
    sock = await _connect(key, "?last_event_id=0")  # the pool is free again
    assert (await sock.recv())["resume_from"] == 0
    await sock.close()
