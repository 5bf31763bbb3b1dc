"""Opening sockets: the cached session → user lookup (realtime/auth.py) and presence
truth through bursts of opens and closes (realtime/presence.py).

Real PostgreSQL, Redis and the ASGI app through WebsocketCommunicator.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
from channels.db import database_sync_to_async
from django.contrib.sessions.models import Session
from django.db import connections

from realtime import auth, presence
from tests.factories import UserFactory

from .conftest import open_socket, session_key_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("close_pool")]

sync = database_sync_to_async


async def _refused(sock) -> None:
    """A socket the server took as anonymous: no hello, frames answer not_authenticated."""
    assert await sock.nothing(0.3)
    await sock.send({"type": "message.read", "with": "x", "up_to_id": 1})
    frame = await sock.recv()
    assert frame["type"] == "error", frame
    assert frame["code"] == "not_authenticated", frame
    await sock.close()


async def _cookie_socket(key: str):
    from channels.testing import WebsocketCommunicator

    from project.asgi import application

    from .conftest import HOST, ORIGIN, Socket

    communicator = WebsocketCommunicator(
        application, "/ws/", headers=[ORIGIN, HOST, (b"cookie", f"sessionid={key}".encode())]
    )
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    return Socket(communicator)


async def test_a_warm_session_cache_does_not_outlive_logout():
    user = await sync(UserFactory)()
    key = await sync(session_key_for)(user)
    sock = await _cookie_socket(key)
    assert (await sock.recv())["type"] == "hello"
    await sock.close()
    assert key in auth._decoded  # the decode is cached for the next connect
    await sync(Session.objects.filter(session_key=key).delete)()
    assert key not in auth._decoded  # dropped with the session row (realtime/sockets.py)
    await _refused(await _cookie_socket(key))


async def test_a_cached_session_is_refused_once_the_session_row_is_gone_elsewhere():
    # Another process deleted the row: this process's cache still holds the decode, and
    # the one statement (user JOIN live session) refuses it anyway.
    user = await sync(UserFactory)()
    key = await sync(session_key_for)(user)
    sock = await _cookie_socket(key)
    assert (await sock.recv())["type"] == "hello"
    await sock.close()
    decoded = auth._decoded[key]
    await sync(Session.objects.filter(session_key=key).delete)()
    auth._decoded[key] = decoded  # as if the delete had happened on another process
    await _refused(await _cookie_socket(key))


async def test_a_password_change_refuses_the_old_session_despite_the_cache():
    user = await sync(UserFactory)()
    key = await sync(session_key_for)(user)
    sock = await _cookie_socket(key)
    assert (await sock.recv())["type"] == "hello"
    await sock.close()

    def change():
        user.set_password("a new long passphrase 42")
        user.save()

    await sync(change)()
    assert key in auth._decoded  # still cached: the hash comparison refuses it
    await _refused(await _cookie_socket(key))


async def test_an_app_token_takes_the_same_path_and_ends_with_its_session():
    user = await sync(UserFactory)()
    sock, hello = await open_socket(token_user=user)
    assert hello["user"]["id"] == user.pk
    await sock.close()
    key = next(k for k, v in auth._decoded.items() if v[0] == user.pk)
    await sync(Session.objects.filter(session_key=key).delete)()
    sock, _ = await open_socket()
    await sock.send({"type": "auth", "token": key})
    assert await sock.close_code() == 4401


async def test_a_suspended_user_reconnecting_with_a_warm_cache_is_closed_4403():
    # After a deploy every client reconnects at once; a user suspended meanwhile must get
    # the documented 4403 (docs/realtime-protocol.md), whatever the session cache holds.
    from datetime import timedelta

    from channels.testing import WebsocketCommunicator
    from django.utils import timezone

    from project.asgi import application

    from .conftest import HOST, ORIGIN

    user = await sync(UserFactory)()
    key = await sync(session_key_for)(user)
    sock = await _cookie_socket(key)
    assert (await sock.recv())["type"] == "hello"
    await sock.close()
    assert key in auth._decoded
    until = timezone.now() + timedelta(days=1)
    await sync(type(user).objects.filter(pk=user.pk).update)(suspended_until=until)
    comm = WebsocketCommunicator(
        application, "/ws/", headers=[ORIGIN, HOST, (b"cookie", f"sessionid={key}".encode())]
    )
    connected, _ = await comm.connect(timeout=5)
    assert connected
    assert await comm.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}


async def test_a_deactivated_user_is_refused_with_a_warm_cache():
    user = await sync(UserFactory)()
    key = await sync(session_key_for)(user)
    sock = await _cookie_socket(key)
    assert (await sock.recv())["type"] == "hello"
    await sock.close()
    await sync(type(user).objects.filter(pk=user.pk).update)(is_active=False)
    await _refused(await _cookie_socket(key))


BURST = 150  # more than redis-py's default pool of 100 connections


@pytest.fixture
def crowd(transactional_db):
    """BURST members, each with a signed-in session: [(user id, session key)]."""
    return [(u.pk, session_key_for(u)) for u in (UserFactory() for _ in range(BURST))]


async def test_a_burst_of_opens_and_closes_leaves_nobody_online_and_logs_nothing(crowd, caplog):
    caplog.set_level(logging.WARNING, logger="realtime")
    sockets = await asyncio.gather(*(_cookie_socket(key) for _, key in crowd))
    hellos = await asyncio.gather(*(sock.recv() for sock in sockets))
    assert {h["type"] for h in hellos} == {"hello"}
    assert all(presence.is_online(user_id) for user_id, _ in crowd)
    await asyncio.gather(*(sock.close() for sock in sockets))
    await asyncio.sleep(0.2)  # the last batch of removals drains
    assert [u for u, _ in crowd if presence.is_online(u)] == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    await sync(connections.close_all)()  # the ORM thread's connection, before teardown


async def test_a_thousand_simultaneous_presence_writes_share_one_connection(caplog):
    # 1,000 sockets closing in the same tick on one process: before, each removal took
    # its own pooled connection and the pool (100) ran dry ("Too many connections").
    caplog.set_level(logging.WARNING, logger="realtime")
    entries = [(10_000_000 + i, f"specific.test!{i}") for i in range(1000)]
    await asyncio.gather(*(presence.presence_set([entry]) for entry in entries))
    assert all(presence.is_online(user_id) for user_id, _ in entries[::50])
    await asyncio.gather(*(presence.presence_remove(u, c) for u, c in entries))
    assert [u for u, _ in entries if presence.is_online(u)] == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
