"""`make run`'s mode under test: SQLite, the in-memory channel layer, eager Celery, one Daphne.

The same commands `make run` runs (migrate, seed_demo --if-empty, daphne) in subprocesses,
with DATABASE_URL and REDIS_URL unset and the SQLite file in a temporary VAR_DIR. Then the
site is used as a person would: sign in over the allauth app API, search, chat over real
WebSockets (two tabs of the receiver, one of the sender: each gets the message exactly
once), and resume after a disconnect. This is the only place the ORM message store and
the socket's embedded fallbacks run in a real server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from tests.realtime.live import Client
from tests.support.processes import PYTHON, ROOT, daphne

DEMO = ("demo", "studio-finder-demo")  # directory/demo_data/builder.py
ADMIN = ("admin", "studio-finder-admin")


def embedded_env(var_dir) -> dict[str, str]:
    """What `make run` passes: the environment without DATABASE_URL and REDIS_URL."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL") and not k.startswith("PYTEST_")
    }
    env.update({"VAR_DIR": str(var_dir), "LOG_LEVEL": "WARNING", "DJANGO_DEBUG": "1"})
    return env


def manage(env, *args: str) -> None:
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("embedded")
    env = embedded_env(tmp / "var")
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo", "--if-empty")
    manage(env, "seed_demo", "--if-empty")  # a second `make run` keeps the data
    assert (tmp / "var" / "studio-finder.sqlite3").exists()
    with daphne(env=env, tmp_path=tmp) as (proc, base):
        yield proc, base


def request(base: str, method: str, path: str, body=None, token: str | None = None):
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["X-Session-Token"] = token
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, json.loads(res.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def sign_in(base: str, username: str, password: str) -> str:
    status, body = request(
        base,
        "POST",
        "/_allauth/app/v1/auth/login",
        {"username": username, "password": password},
    )
    assert status == 200, body
    return body["meta"]["session_token"]


def test_sign_in_and_search(site):
    proc, base = site
    token = sign_in(base, *DEMO)
    status, body = request(base, "GET", "/_allauth/app/v1/auth/session", token=token)
    assert status == 200, body
    assert body["data"]["user"]["username"] == "demo"
    status, body = request(base, "GET", "/_allauth/app/v1/auth/session")
    assert status == 401  # no token, no session
    status, body = request(base, "GET", "/api/studios/search?city=london")
    assert status == 200, body
    assert body["results"], body
    assert all("london" in r["city"].lower() for r in body["results"])
    # Text search on SQLite (docs/search.md, "Embedded mode"): a studio found by its name.
    name = body["results"][0]["name"]
    status, found = request(base, "GET", "/api/studios/search?" + urlencode({"q": name}))
    assert status == 200, found
    assert name in [r["name"] for r in found["results"]]
    assert proc.alive()


async def test_one_delivery_per_tab_and_resume(site):
    proc, base = site
    port = int(base.rsplit(":", 1)[1])
    demo_token = await asyncio.to_thread(sign_in, base, *DEMO)
    admin_token = await asyncio.to_thread(sign_in, base, *ADMIN)
    sender = await Client(port, demo_token, use_token=True).open()
    tab1 = await Client(port, admin_token, use_token=True).open()
    tab2 = await Client(port, admin_token, use_token=True).open()
    try:
        await sender.send(
            {"type": "message.send", "to": "admin", "content": "Booth free?", "client_id": "e1"}
        )
        ack = await sender.recv_until(lambda f: f["type"] == "message.ack")
        message_id = ack["message"]["id"]
        for tab in (tab1, tab2):
            await tab.recv_until(
                lambda f: f["type"] == "message.new" and f["message"]["id"] == message_id
            )
        # Let any second push arrive, then count: exactly one copy per tab, none for the
        # sending tab (its ack stands in for it).
        await asyncio.sleep(1.0)
        for client in (sender, tab1, tab2):
            with contextlib.suppress(TimeoutError):
                while True:
                    await client.recv(timeout=0.3)
        for tab in (tab1, tab2):
            copies = [m for m in tab.messages() if m["id"] == message_id]
            assert len(copies) == 1, tab.frames
        assert [m for m in sender.messages() if m["id"] == message_id] == []
        assert [f["type"] for f in sender.frames].count("message.ack") == 1

        # Resume: tab2 drops, misses a message, reconnects with its last event id.
        await tab2.close()
        await sender.send(
            {"type": "message.send", "to": "admin", "content": "Still there?", "client_id": "e2"}
        )
        missed = await tab1.recv_until(
            lambda f: f["type"] == "message.new" and f["message"]["content"] == "Still there?"
        )
        before = tab2.last_event_id
        await tab2.open(resume=True)
        replayed = await tab2.recv_until(
            lambda f: f["type"] == "message.new" and f["message"]["id"] == missed["message"]["id"]
        )
        assert replayed["event_id"] > before  # Client checks the ids have no gap
        resumed = await tab2.recv_until(lambda f: f["type"] == "resumed")
        assert resumed["last_event_id"] >= replayed["event_id"]
    finally:
        for client in (sender, tab1, tab2):
            await client.close()
    assert proc.alive()
