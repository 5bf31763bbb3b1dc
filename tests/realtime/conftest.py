"""Fixtures for the realtime tests: signed-in users and socket clients on the real stack."""

from __future__ import annotations

import json

import pytest
from channels.testing import WebsocketCommunicator

from project.asgi import application
from realtime import db
from tests.factories import UserFactory
from tests.utils import session_key_for

ORIGIN = (b"origin", b"http://testserver")
HOST = (b"host", b"testserver")  # a browser's handshake names both; they must match


@pytest.fixture
def a():
    """Alice, a member (the realtime API and service tests' sender)."""
    return UserFactory(username="alice")


@pytest.fixture
def b():
    """Bob, a member."""
    return UserFactory(username="bob")


class Socket:
    """A WebsocketCommunicator with JSON helpers."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.c = communicator

    async def send(self, frame: dict) -> None:
        await self.c.send_to(text_data=json.dumps(frame))

    async def recv(self, timeout: float = 3) -> dict:
        return json.loads(await self.c.receive_from(timeout=timeout))

    async def recv_type(self, kind: str, timeout: float = 3) -> dict:
        while True:
            frame = await self.recv(timeout)
            if frame["type"] == kind:
                return frame

    async def close_code(self, timeout: float = 3) -> int | None:
        """Skip frames until the server closes; return the close code."""
        while True:
            out = await self.c.receive_output(timeout=timeout)
            if out["type"] == "websocket.close":
                return out.get("code")

    async def nothing(self, timeout: float = 0.3) -> bool:
        return await self.c.receive_nothing(timeout=timeout)

    async def close(self) -> None:
        await self.c.disconnect()


async def open_socket(
    *, cookie_user=None, headers=None, token_user=None
) -> tuple[Socket, dict | None]:
    hdrs = list(headers) if headers is not None else [ORIGIN, HOST]
    if cookie_user is not None:
        key = await _session_key(cookie_user)
        hdrs.append((b"cookie", f"sessionid={key}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/", headers=hdrs)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    sock = Socket(communicator)
    hello = None
    if token_user is not None:
        key = await _session_key(token_user)
        await sock.send({"type": "auth", "token": key})
    if cookie_user is not None or token_user is not None:
        hello = await sock.recv()
        assert hello["type"] == "hello", hello
    return sock, hello


async def _session_key(user) -> str:
    from channels.db import database_sync_to_async

    return await database_sync_to_async(session_key_for)(user)


@pytest.fixture
def trimmed(users):
    """Bob's stream of five events (three messages from Alice) of which 1 and 2 were trimmed
    as older than the retention: a resume from 0 is `expired`, from 2 replays 3–5."""
    from datetime import timedelta

    from django.utils import timezone

    from realtime.models import Event
    from realtime.services import message_send
    from realtime.services.emails import events_trim

    a, b, _ = users
    for i in range(3):
        message_send(sender=a, to=b.username, content=f"m{i}", client_id=f"t{i}")
    Event.objects.filter(user=b, event_id__lte=2).update(
        created_at=timezone.now() - timedelta(days=31)
    )
    assert events_trim() == 2
    return b


@pytest.fixture
async def close_pool():
    yield
    await db.close_pool()


@pytest.fixture
def users(transactional_db):
    """Three active members."""
    return UserFactory(), UserFactory(), UserFactory()


def create(factory, **kwargs):
    from channels.db import database_sync_to_async

    return database_sync_to_async(factory)(**kwargs)


STORES = {
    "sql": "realtime.services.message_store.PostgresStore",
    "orm": "realtime.services.message_store.OrmStore",
}


@pytest.fixture(params=sorted(STORES))
def message_store_path(request, settings):
    """Run the test with each message store (the ORM one is embedded mode's, here on
    PostgreSQL so both are held to the same rules and rows)."""
    settings.REALTIME_MESSAGE_STORE = STORES[request.param]
    return request.param
