"""Suspension from the moderation queue takes effect at once on every server process:
two real Daphne processes share one Redis; the reported user has a socket on each; an
admin suspends them through one process's API; both sockets close with 4403, the API
answers 403 `suspended`, login is refused; reinstating lifts all of it."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.hashers import make_password
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from accounts.models import User
from tests.factories import ContentReportFactory, UserFactory
from tests.factories.accounts import DEFAULT_PASSWORD
from tests.realtime.live import Client, Daphne, unique_prefix
from tests.utils import session_key_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def daphnes(django_db_setup, django_db_blocker):
    from django.conf import settings

    prefix = unique_prefix()
    servers = [Daphne(redis_url=settings.REDIS_URL, prefix=prefix) for _ in range(2)]
    try:
        # A longer wait than Daphne.ready()'s 30 s: the machine may be busy with other suites.
        for s in servers:
            s.ready(timeout=120)
        yield servers
    finally:
        for s in servers:
            s.stop()


def _http(port: int, method: str, path: str, *, token: str | None = None, body=None):
    """A real HTTP request to a Daphne process (app token: no cookie, no CSRF)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "Host": "127.0.0.1",
            **({"X-Session-Token": token} if token else {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


async def _closed_with(client: Client, timeout: float = 10) -> int:
    try:
        while True:
            await asyncio.wait_for(client.ws.recv(), timeout)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


async def _new_socket_closed_with(port: int, token: str) -> int | None:
    """Open a fresh socket with the session cookie and return the code it is closed with."""
    ws = await connect(
        f"ws://127.0.0.1:{port}/ws/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": f"sessionid={token}"},
        open_timeout=10,
    )
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 10)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    finally:
        await ws.close()


async def test_suspend_closes_sockets_on_both_processes_then_reinstate_lifts_it(daphnes):
    d1, d2 = daphnes
    admin = await database_sync_to_async(UserFactory)(admin=True)
    # The servers run the production hashers (the suite's fast MD5 is this process's only).
    target = await database_sync_to_async(UserFactory)()
    target.password = make_password(DEFAULT_PASSWORD, hasher="pbkdf2_sha256")
    await User.objects.filter(pk=target.pk).aupdate(password=target.password)
    report = await database_sync_to_async(ContentReportFactory)(
        content_type="USER", content_id=str(target.pk), reported_user=target
    )
    admin_token = await database_sync_to_async(session_key_for)(admin)
    target_token = await database_sync_to_async(session_key_for)(target)

    on_one = await Client(d1.port, target_token).open()
    on_two = await Client(d2.port, target_token, use_token=True).open()
    status, _ = await asyncio.to_thread(
        _http, d1.port, "GET", "/api/moderation/reports/mine", token=target_token
    )
    assert status == 200

    status, body = await asyncio.to_thread(
        _http,
        d1.port,
        "POST",
        f"/api/admin/reports/{report.pk}/action",
        token=admin_token,
        body={"action": "suspend", "days": 2, "resolution": "Harassment"},
    )
    assert status == 200, body
    assert body["status"] == "RESOLVED"
    codes = await asyncio.gather(_closed_with(on_one), _closed_with(on_two))
    assert codes == [4403, 4403]

    # Every door refuses them now, on either process.
    for port in (d1.port, d2.port):
        status, body = await asyncio.to_thread(
            _http, port, "GET", "/api/moderation/reports/mine", token=target_token
        )
        assert status == 403
        assert body["error"]["code"] == "suspended"
    status, body = await asyncio.to_thread(
        _http,
        d2.port,
        "POST",
        "/_allauth/app/v1/auth/login",
        body={"username": target.username, "password": DEFAULT_PASSWORD},
    )
    assert status == 403
    assert body["errors"][0]["code"] == "suspended"
    assert await _new_socket_closed_with(d2.port, target_token) == 4403

    # Reinstating lifts it at once: the API, a new socket and a login all work again.
    status, body = await asyncio.to_thread(
        _http,
        d2.port,
        "POST",
        f"/api/admin/reports/{report.pk}/action",
        token=admin_token,
        body={"action": "reinstate", "resolution": "Appeal accepted"},
    )
    assert status == 200, body
    status, _ = await asyncio.to_thread(
        _http, d1.port, "GET", "/api/moderation/reports/mine", token=target_token
    )
    assert status == 200
    back = await Client(d1.port, target_token).open()
    assert back.hello["type"] == "hello"
    await back.close()
    status, _ = await asyncio.to_thread(
        _http,
        d1.port,
        "POST",
        "/_allauth/app/v1/auth/login",
        body={"username": target.username, "password": DEFAULT_PASSWORD},
    )
    assert status == 200
