"""Real WebSocket clients against two real Daphne processes sharing one Redis.

Messages and typing cross processes; a client that disconnects resumes on the other
process with every missed event once and in order; a Daphne SIGKILLed while messages
flow loses nothing after the client resumes on the survivor; a restarted Redis recovers.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from channels.db import database_sync_to_async

from tests.factories import UserFactory

from .conftest import session_key_for
from .live import Client, Daphne, Redis, unique_prefix

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def shared_redis_daphnes(django_db_setup, django_db_blocker):
    """Two Daphne processes on the suite's Redis, with a channel prefix of their own.

    Started once for the module (a start costs seconds); the SIGKILL test runs last and
    kills one of them.
    """
    from django.conf import settings

    prefix = unique_prefix()
    servers = [Daphne(redis_url=settings.REDIS_URL, prefix=prefix) for _ in range(2)]
    try:
        yield [s.ready() for s in servers]
    finally:
        for s in servers:
            s.stop()


@pytest.fixture
def people(transactional_db):
    a, b = UserFactory(username="alice"), UserFactory(username="bob")
    return (a, session_key_for(a)), (b, session_key_for(b))


async def test_message_and_typing_cross_processes(shared_redis_daphnes, people):
    p1, p2 = shared_redis_daphnes
    (_a, ka), (_b, kb) = people
    alice = await Client(p1.port, ka).open()
    bob = await Client(p2.port, kb, use_token=True).open()
    await alice.send({"type": "typing", "to": "bob", "state": "start"})
    assert await bob.recv() == {"type": "typing", "from": "alice", "state": "start"}
    await alice.send({"type": "message.send", "to": "bob", "content": "across", "client_id": "x1"})
    ack = await alice.recv()
    new = await bob.recv_until(lambda f: f["type"] == "message.new")
    assert new["message"] == ack["message"]
    await bob.send({"type": "message.read", "with": "alice", "up_to_id": ack["message"]["id"]})
    receipt = await alice.recv_until(lambda f: f["type"] == "message.read")
    assert receipt["by"] == "bob"
    await alice.close()
    await bob.close()


async def test_disconnect_miss_and_resume_on_the_other_process(shared_redis_daphnes, people):
    p1, p2 = shared_redis_daphnes
    (_a, ka), (_b, kb) = people
    bob = await Client(p1.port, kb).open()
    await bob.close()
    alice = await Client(p2.port, ka).open()
    for i in range(12):
        await alice.send(
            {"type": "message.send", "to": "bob", "content": f"m{i}", "client_id": f"c{i}"}
        )
        await alice.recv_until(lambda f: f["type"] == "message.ack")
    bob.port = p2.port
    await bob.open(resume=True)
    resumed = await bob.recv_until(lambda f: f["type"] == "resumed")
    assert [m["content"] for m in bob.messages()] == [f"m{i}" for i in range(12)]
    assert resumed["last_event_id"] == bob.last_event_id
    await alice.send({"type": "message.send", "to": "bob", "content": "live", "client_id": "l"})
    assert (await bob.recv_until(lambda f: f["type"] == "message.new"))["message"][
        "content"
    ] == "live"
    await alice.close()
    await bob.close()


async def test_sigkill_a_daphne_while_messages_flow_loses_nothing(shared_redis_daphnes, people):
    p1, p2 = shared_redis_daphnes
    (_a, ka), (_b, kb) = people
    c = await database_sync_to_async(UserFactory)(username="cy")
    kc = await database_sync_to_async(session_key_for)(c)

    bob = await Client(p1.port, kb).open()  # the receiver, on the process we kill
    alice = await Client(p2.port, ka).open()  # a sender on the survivor
    cy = await Client(p1.port, kc).open()  # a sender on the process we kill
    total = 40
    killed = asyncio.Event()

    async def alice_sends():
        for i in range(total):
            await alice.send(
                {"type": "message.send", "to": "bob", "content": f"a{i}", "client_id": f"a{i}"}
            )
            await alice.recv_until(lambda f: f["type"] == "message.ack")
            await asyncio.sleep(0.02)

    async def cy_sends():
        acked = set()
        for i in range(total):
            if killed.is_set():
                break
            with contextlib.suppress(Exception):
                await cy.send(
                    {"type": "message.send", "to": "bob", "content": f"c{i}", "client_id": f"c{i}"}
                )
                await cy.recv_until(lambda f: f["type"] == "message.ack", timeout=2)
                acked.add(i)
            await asyncio.sleep(0.02)
        # Moved to the survivor: resend everything not acknowledged, same client_id.
        cy.port = p2.port
        await cy.open()
        for i in range(total):
            if i not in acked:
                await cy.send(
                    {"type": "message.send", "to": "bob", "content": f"c{i}", "client_id": f"c{i}"}
                )
                await cy.recv_until(lambda f: f["type"] == "message.ack")

    async def bob_reads():
        while len([m for m in bob.messages() if m["from"] == "alice"]) < 10:
            await bob.recv()
        p1.sigkill()
        killed.set()
        with contextlib.suppress(Exception):
            while True:
                await bob.recv(timeout=5)
        bob.port = p2.port
        await bob.open(resume=True)
        await bob.recv_until(lambda f: f["type"] == "resumed")

    await asyncio.gather(alice_sends(), cy_sends(), bob_reads())
    want = {"alice": [f"a{i}" for i in range(total)], "cy": [f"c{i}" for i in range(total)]}

    async def got():
        return {who: [m["content"] for m in bob.messages() if m["from"] == who] for who in want}

    while (await got())["alice"] != want["alice"] or len((await got())["cy"]) < total:
        await bob.recv()
    result = await got()
    assert result["alice"] == want["alice"]  # every one, once, in order
    assert sorted(result["cy"], key=lambda s: int(s[1:])) == want["cy"]  # once each
    assert len(set(result["cy"])) == total
    for client in (alice, bob, cy):
        await client.close()


async def test_redis_restart_delivery_recovers(people):
    (_a, ka), (_b, kb) = people
    redis = Redis()
    redis.start()
    prefix = unique_prefix()
    servers = [Daphne(redis_url=redis.url, prefix=prefix) for _ in range(2)]
    try:
        p1, p2 = (s.ready() for s in servers)
        alice = await Client(p1.port, ka).open()
        bob = await Client(p2.port, kb).open()
        await alice.send(
            {"type": "message.send", "to": "bob", "content": "before", "client_id": "b"}
        )
        await bob.recv_until(lambda f: f["type"] == "message.new")

        redis.kill()
        await alice.send(
            {"type": "message.send", "to": "bob", "content": "during", "client_id": "d"}
        )
        await alice.recv_until(lambda f: f["type"] == "message.ack")  # stored; the push is lost
        redis.start()

        # Delivery recovers: a live message gets through again within a few seconds; the
        # one sent while Redis was down arrives first, filled in from the table.
        got = None
        for i in range(40):
            await alice.send(
                {"type": "message.send", "to": "bob", "content": f"after{i}", "client_id": f"a{i}"}
            )
            await alice.recv_until(lambda f: f["type"] == "message.ack")
            with contextlib.suppress(TimeoutError):
                got = await bob.recv_until(
                    lambda f: (
                        f["type"] == "message.new" and f["message"]["content"].startswith("after")
                    ),
                    timeout=0.5,
                )
                break
        assert got is not None, "no live delivery after Redis came back"
        contents = [m["content"] for m in bob.messages()]
        assert contents[:2] == ["before", "during"]
        assert len(contents) == len(set(contents))
        await alice.close()
        await bob.close()
    finally:
        for s in servers:
            s.stop()
        redis.kill()


async def test_a_rolling_deploy_on_one_socket_replays_exactly_the_missed_events_once(people):
    # The deploy of docs/deployment.md: the new process adopts the same listening socket
    # and accepts before the old one gets SIGTERM; the old one stops accepting first, so
    # the reconnect lands on the new one, and `resume` brings exactly what was missed.
    import socket

    from django.conf import settings

    prefix = unique_prefix()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    old = Daphne(redis_url=settings.REDIS_URL, prefix=prefix, sock=listener).ready()
    new = None
    (_a, ka), (_b, kb) = people
    try:
        alice = await Client(port, ka).open()
        bob = await Client(port, kb).open()
        await alice.send({"type": "message.send", "to": "bob", "content": "m0", "client_id": "c0"})
        await bob.recv_until(lambda f: f["type"] == "message.new")
        new = Daphne(redis_url=settings.REDIS_URL, prefix=prefix, sock=listener).ready()
        old.stop()  # SIGTERM: both sockets close
        assert not old.proc.alive()
        await alice.open()  # on the same port: only the new process accepts now
        for i in range(1, 4):
            await alice.send(
                {"type": "message.send", "to": "bob", "content": f"m{i}", "client_id": f"c{i}"}
            )
            await alice.recv_until(lambda f: f["type"] == "message.ack")
        await bob.open(resume=True)
        resumed = await bob.recv_until(lambda f: f["type"] == "resumed")
        assert [m["content"] for m in bob.messages()] == ["m0", "m1", "m2", "m3"]
        assert resumed["last_event_id"] == bob.last_event_id
        await alice.send({"type": "message.send", "to": "bob", "content": "live", "client_id": "l"})
        assert (await bob.recv_until(lambda f: f["type"] == "message.new"))["message"][
            "content"
        ] == "live"
        assert [m["content"] for m in bob.messages()] == ["m0", "m1", "m2", "m3", "live"]
        await alice.close()
        await bob.close()
    finally:
        old.stop()
        if new is not None:
            new.stop()
        listener.close()


async def test_a_sigtermed_daphne_leaves_none_of_its_sockets_online(people):
    # A deploy's SIGTERM cancels every consumer without websocket_disconnect; the process
    # takes its sockets out of presence first (realtime/daphne.py), instead of leaving
    # them "online" for PRESENCE_TTL.
    import time

    import redis
    from django.conf import settings

    prefix = unique_prefix()
    server = Daphne(redis_url=settings.REDIS_URL, prefix=prefix).ready()
    client = redis.Redis.from_url(settings.REDIS_URL)
    (a, ka), (b, kb) = people

    def online(user_id: int) -> int:
        return client.zcount(f"{prefix}:presence:{user_id}", time.time(), "+inf")

    try:
        alice = await Client(server.port, ka).open()
        bob = await Client(server.port, kb, use_token=True).open()
        assert (online(a.pk), online(b.pk)) == (1, 1)
        server.stop()
        assert (online(a.pk), online(b.pk)) == (0, 0)
    finally:
        server.stop()
        client.close()
    for c in (alice, bob):
        with contextlib.suppress(Exception):
            await c.close()
