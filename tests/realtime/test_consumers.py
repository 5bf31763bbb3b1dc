"""The /ws/ protocol frame by frame, through the real ASGI app (origin check, session auth).

WebsocketCommunicator against PostgreSQL and the Redis channel layer; every frame, error
and close code of docs/realtime-protocol.md.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from project.asgi import application
from realtime.models import Event, Message, Notification
from realtime.services import message_send
from realtime.sockets import close_session_sockets, close_user_sockets
from tests.factories import UserFactory
from tests.factories.accounts import DEFAULT_PASSWORD

from .conftest import HOST, ORIGIN, open_socket, session_key_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("close_pool")]

sync = database_sync_to_async


async def send_msg(sock, to, content="hello", client_id="c-1", **extra):
    await sock.send(
        {"type": "message.send", "to": to, "content": content, "client_id": client_id, **extra}
    )


# --- Handshake and authentication ------------------------------------------------------------


async def test_cookie_session_gets_hello_with_badges(users):
    a, b, _ = users
    await sync(message_send)(sender=b, to=a.username, content="unread one", client_id="x")
    sock, hello = await open_socket(cookie_user=a)
    assert hello["user"] == {
        "id": a.pk,
        "username": a.username,
        "display_name": a.display_name,
        "avatar_url": None,
    }
    assert hello["unread"] == {"messages": 1, "notifications": 1}
    assert hello["last_event_id"] == 3  # message.new, notification.new, notification.count
    await sock.close()


async def test_app_token_first_frame_authenticates(users):
    a, _, _ = users
    sock, hello = await open_socket(token_user=a)
    assert hello["type"] == "hello"
    assert hello["user"]["username"] == a.username
    await sock.close()


async def test_bad_token_closes_4401(users):
    sock, _ = await open_socket()
    await sock.send({"type": "auth", "token": "not-a-session"})
    assert await sock.close_code() == 4401


async def test_no_auth_within_timeout_closes_4401(users, settings):
    settings.REALTIME_AUTH_TIMEOUT = 0.2
    sock, _ = await open_socket()
    assert await sock.close_code(timeout=2) == 4401


async def test_frames_before_auth_are_refused_but_ping_works(users):
    _a, b, _ = users
    sock, _ = await open_socket()
    await sock.send({"type": "ping"})
    assert await sock.recv() == {"type": "pong"}
    await send_msg(sock, b.username, client_id="early")
    err = await sock.recv()
    assert err == {
        "type": "error",
        "code": "not_authenticated",
        "message": "Authenticate first.",
        "ref": "early",
    }
    await sock.close()


async def test_suspended_user_is_closed_4403_by_cookie_and_by_token(transactional_db):
    suspended = await sync(UserFactory)(suspended_until=timezone.now() + timedelta(days=1))
    key = await sync(session_key_for)(suspended)
    comm = WebsocketCommunicator(
        application, "/ws/", headers=[ORIGIN, HOST, (b"cookie", f"sessionid={key}".encode())]
    )
    connected, _ = await comm.connect()
    assert connected
    out = await comm.receive_output()
    assert out == {"type": "websocket.close", "code": 4403}

    sock, _ = await open_socket()
    await sock.send({"type": "auth", "token": key})
    assert await sock.close_code() == 4403


async def test_foreign_origin_is_refused(users):
    a, _, _ = users
    key = await sync(session_key_for)(a)
    comm = WebsocketCommunicator(
        application,
        "/ws/",
        headers=[
            (b"origin", b"https://evil.example"),
            HOST,
            (b"cookie", f"sessionid={key}".encode()),
        ],
    )
    connected, _ = await comm.connect()
    assert not connected


async def test_logout_hook_closes_only_that_sessions_sockets(users):
    a, _, _ = users
    key = await sync(session_key_for)(a)
    comm = WebsocketCommunicator(
        application, "/ws/", headers=[ORIGIN, HOST, (b"cookie", f"sessionid={key}".encode())]
    )
    await comm.connect()
    assert json.loads(await comm.receive_from())["type"] == "hello"
    other_tab, _ = await open_socket(cookie_user=a)  # another session of the same user

    await sync(close_session_sockets)(user_id=a.pk, session_key=key)
    assert await comm.receive_output(timeout=3) == {"type": "websocket.close", "code": 4401}
    await other_tab.send({"type": "ping"})
    assert await other_tab.recv() == {"type": "pong"}
    await other_tab.close()


async def test_django_logout_signal_closes_the_session_socket(users):
    from django.contrib.auth import logout
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    a, _, _ = users
    key = await sync(session_key_for)(a)
    comm = WebsocketCommunicator(
        application, "/ws/", headers=[ORIGIN, HOST, (b"cookie", f"sessionid={key}".encode())]
    )
    await comm.connect()
    await comm.receive_from()

    def do_logout():
        request = RequestFactory().get("/")
        request.session = SessionStore(session_key=key)
        request.user = a
        logout(request)

    await sync(do_logout)()
    assert await comm.receive_output(timeout=3) == {"type": "websocket.close", "code": 4401}


async def test_suspension_hook_closes_every_socket_4403(users):
    a, _, _ = users
    s1, _ = await open_socket(cookie_user=a)
    s2, _ = await open_socket(token_user=a)
    await sync(close_user_sockets)(user_id=a.pk)
    assert await s1.close_code() == 4403
    assert await s2.close_code() == 4403


async def test_suspending_an_account_closes_its_sockets_4403(users):
    """The account service's signal reaches the sockets: no caller closes them by hand."""
    from accounts.services.accounts import user_suspend

    a, b, _ = users
    s1, _ = await open_socket(cookie_user=a)
    s2, _ = await open_socket(token_user=a)
    bystander, _ = await open_socket(cookie_user=b)
    await sync(user_suspend)(user=a, reason="Spam.")
    assert await s1.close_code() == 4403
    assert await s2.close_code() == 4403
    await bystander.send({"type": "ping"})
    assert await bystander.recv() == {"type": "pong"}
    await bystander.close()


async def test_deleting_an_account_closes_its_sockets_4401(users):
    from accounts.services.accounts import user_account_delete

    a, _, _ = users
    sock, _ = await open_socket(token_user=a)
    await sync(user_account_delete)(user=a, password=DEFAULT_PASSWORD)
    assert await sock.close_code() == 4401


# --- Frame errors, limits, keepalive -----------------------------------------------------------


async def test_huge_frame_closes_4413(users):
    a, b, _ = users
    sock, _ = await open_socket(cookie_user=a)
    await send_msg(sock, b.username, content="x" * (64 * 1024 + 1))
    assert await sock.close_code() == 4413


async def test_bad_json_unknown_type_and_invalid_fields_keep_the_socket_open(users):
    a, b, _ = users
    sock, _ = await open_socket(cookie_user=a)
    await sock.c.send_to(text_data="{not json")
    assert (await sock.recv())["code"] == "invalid_json"
    await sock.send(["not", "an", "object"])
    assert (await sock.recv())["code"] == "invalid_frame"
    await sock.send({"type": "message.delete", "client_id": "r1"})
    err = await sock.recv()
    assert (err["code"], err["ref"]) == ("unknown_type", "r1")
    await send_msg(sock, b.username, content="", client_id="r2")
    err = await sock.recv()
    assert err["code"] == "invalid"
    assert err["ref"] == "r2"
    assert "content" in err["fields"]
    await send_msg(sock, a.username, client_id="r3")
    err = await sock.recv()
    assert err["code"] == "invalid"
    assert "to" in err["fields"]
    await send_msg(sock, "nobody-here", client_id="r4")
    err = await sock.recv()
    assert (err["code"], err["ref"]) == ("not_found", "r4")
    await sock.send({"type": "message.send", "to": b.username, "content": "no id"})
    assert "client_id" in (await sock.recv())["fields"]
    await sock.send({"type": "typing", "to": b.username, "state": "dancing"})
    assert (await sock.recv())["code"] == "invalid"
    await sock.send({"type": "resume", "last_event_id": "seven"})
    assert (await sock.recv())["code"] == "invalid"
    await sock.send({"type": "message.read", "with": b.username, "up_to_id": 0})
    assert (await sock.recv())["code"] == "invalid"
    await sock.send({"type": "ping"})
    assert await sock.recv() == {"type": "pong"}
    assert await sync(Message.objects.count)() == 0
    await sock.close()


async def test_flood_gets_rate_limited_then_4429(users, settings):
    settings.REALTIME_RATE_LIMIT_FRAMES = 20
    a, _, _ = users
    sock, _ = await open_socket(cookie_user=a)
    for _ in range(20):
        await sock.send({"type": "ping"})
    for _ in range(20):
        assert await sock.recv() == {"type": "pong"}
    await sock.send({"type": "ping"})
    err = await sock.recv()
    assert err["code"] == "rate_limited"
    assert err["retry_after"] > 0
    for _ in range(60):
        await sock.send({"type": "ping"})
    assert await sock.close_code() == 4429


async def test_silent_socket_is_closed_after_idle_timeout(users, settings):
    settings.REALTIME_IDLE_TIMEOUT = 0.6
    a, _, _ = users
    sock, _ = await open_socket(cookie_user=a)
    await asyncio.sleep(0.3)
    await sock.send({"type": "ping"})  # activity resets the clock
    assert await sock.recv() == {"type": "pong"}
    assert await sock.close_code(timeout=3) == 4408


# --- message.send, typing, message.read ----------------------------------------------------------


async def test_message_send_acks_sender_and_reaches_receiver_and_other_tabs(users):
    a, b, _ = users
    sa, ha = await open_socket(cookie_user=a)
    sa2, _ = await open_socket(token_user=a)
    sb, _hb = await open_socket(cookie_user=b)
    await send_msg(sa, b.username, content="Is the booth free?", client_id="m-1")

    ack = await sa.recv()
    assert ack["type"] == "message.ack"
    assert ack["client_id"] == "m-1"
    assert ack["event_id"] == ha["last_event_id"] + 1
    message = ack["message"]
    assert message["content"] == "Is the booth free?"
    assert (message["from"], message["to"]) == (a.username, b.username)

    other_tab = await sa2.recv()
    assert other_tab == {"type": "message.new", "event_id": ack["event_id"], "message": message}
    got = [await sb.recv() for _ in range(3)]
    assert [f["type"] for f in got] == ["message.new", "notification.new", "notification.count"]
    assert [f["event_id"] for f in got] == [1, 2, 3]
    assert got[0]["message"] == message
    assert got[2]["unread"] == 1
    assert await sa.nothing()  # the sending socket gets the ack, not a copy
    for s in (sa, sa2, sb):
        await s.close()


async def test_resend_with_same_client_id_returns_same_ack_and_stores_nothing(users):
    a, b, _ = users
    sa, _ = await open_socket(cookie_user=a)
    sb, _ = await open_socket(cookie_user=b)
    await send_msg(sa, b.username, client_id="same")
    first = await sa.recv()
    await send_msg(sa, b.username, client_id="same", content="changed text")
    second = await sa.recv()
    assert second == first
    assert await sync(Message.objects.count)() == 1
    received = [(await sb.recv())["type"] for _ in range(3)]
    assert received == ["message.new", "notification.new", "notification.count"]
    assert await sb.nothing()
    await sa.close()
    await sb.close()


async def test_burst_of_messages_is_one_notification(users):
    a, b, _ = users
    sa, _ = await open_socket(cookie_user=a)
    for i in range(10):
        await send_msg(sa, b.username, client_id=f"burst-{i}")
        await sa.recv()
    assert await sync(Notification.objects.filter(user=b).count)() == 1
    assert await sync(Message.objects.filter(receiver=b).count)() == 10
    await sa.close()


async def test_typing_is_relayed_and_never_stored(users):
    a, b, _ = users
    sa, _ = await open_socket(cookie_user=a)
    sb, _ = await open_socket(cookie_user=b)
    events_before = await sync(Event.objects.count)()
    await sa.send({"type": "typing", "to": b.username, "state": "start"})
    assert await sb.recv() == {"type": "typing", "from": a.username, "state": "start"}
    await sa.send({"type": "typing", "to": b.username, "state": "stop"})
    assert await sb.recv() == {"type": "typing", "from": a.username, "state": "stop"}
    assert await sync(Event.objects.count)() == events_before
    await sa.send({"type": "typing", "to": "ghost", "state": "start"})
    assert (await sa.recv())["code"] == "not_found"
    await sa.close()
    await sb.close()


async def test_message_read_sends_receipt_to_sender_and_readers_tabs(users):
    a, b, _ = users
    sa, _ = await open_socket(cookie_user=a)
    sb, _ = await open_socket(cookie_user=b)
    sb2, _ = await open_socket(cookie_user=b)
    await send_msg(sa, b.username, client_id="r-1")
    ack = await sa.recv()
    for s in (sb, sb2):
        for _ in range(3):
            await s.recv()
    await sb.send({"type": "message.read", "with": a.username, "up_to_id": ack["message"]["id"]})
    receipt = await sa.recv()
    assert receipt["type"] == "message.read"
    assert (receipt["by"], receipt["with"], receipt["up_to_id"]) == (
        b.username,
        a.username,
        ack["message"]["id"],
    )
    for s in (sb, sb2):
        frame = await s.recv()
        assert frame["type"] == "message.read"
        assert frame["by"] == b.username
        count = await s.recv()
        assert (count["type"], count["unread"], len(count["marked_read"])) == (
            "notification.count",
            0,
            1,
        )
    assert await sync(Message.objects.filter(is_read=True).count)() == 1
    for s in (sa, sb, sb2):
        await s.close()


# --- resume / resumed / resync_required -----------------------------------------------------


async def test_resume_replays_missed_events_in_order_then_resumed(users):
    a, b, _ = users
    sb, hello = await open_socket(cookie_user=b)
    await sb.close()
    for i in range(5):
        await sync(message_send)(sender=a, to=b.username, content=f"m{i}", client_id=f"k{i}")
    sb, _ = await open_socket(token_user=b)
    await sb.send({"type": "resume", "last_event_id": hello["last_event_id"]})
    frames = []
    while True:
        frame = await sb.recv()
        if frame["type"] == "resumed":
            break
        frames.append(frame)
    ids = [f["event_id"] for f in frames]
    assert ids == list(range(1, len(ids) + 1))
    assert [f["message"]["content"] for f in frames if f["type"] == "message.new"] == [
        f"m{i}" for i in range(5)
    ]
    assert frame == {"type": "resumed", "last_event_id": ids[-1]}
    # Resuming from the middle gives exactly the later ones.
    await sb.send({"type": "resume", "last_event_id": 3})
    again = []
    while (f := await sb.recv())["type"] != "resumed":
        again.append(f["event_id"])
    assert again == ids[3:]
    await sb.close()


async def test_live_events_during_replay_are_not_lost_doubled_or_reordered(users):
    a, b, _ = users
    for i in range(30):
        await sync(message_send)(sender=a, to=b.username, content=f"old{i}", client_id=f"o{i}")
    sb, _ = await open_socket(cookie_user=b)
    await sb.send({"type": "resume", "last_event_id": 0})
    sa, _ = await open_socket(cookie_user=a)
    for i in range(10):  # live sends while the replay runs
        await send_msg(sa, b.username, content=f"new{i}", client_id=f"n{i}")
    seen = []
    while len([f for f in seen if f.get("type") == "message.new"]) < 40:
        seen.append(await sb.recv())
    ids = [f["event_id"] for f in seen if "event_id" in f]
    assert ids == list(range(1, len(ids) + 1))
    contents = [f["message"]["content"] for f in seen if f["type"] == "message.new"]
    assert contents == [f"old{i}" for i in range(30)] + [f"new{i}" for i in range(10)]
    await sa.close()
    await sb.close()


async def test_lost_doorbell_is_filled_from_the_table(users, monkeypatch):
    """The layer drops a push: the next event's larger id makes the socket read the gap."""
    import realtime.events as events

    _a, b, _ = users
    sb, _ = await open_socket(cookie_user=b)
    real_push = events.push_frames
    monkeypatch.setattr(events, "push_frames", lambda frames: None)
    await sync(events.send_event_on_commit)(
        event={"type": "notification.count", "unread": 7}, user_ids=[b.pk]
    )
    monkeypatch.setattr(events, "push_frames", real_push)
    await sync(events.send_event_on_commit)(
        event={"type": "notification.count", "unread": 8}, user_ids=[b.pk]
    )
    assert await sb.recv() == {"type": "notification.count", "unread": 7, "event_id": 1}
    assert await sb.recv() == {"type": "notification.count", "unread": 8, "event_id": 2}
    await sb.close()


async def test_resume_older_than_retention_or_ahead_gets_resync_required(trimmed):
    sb, _ = await open_socket(cookie_user=trimmed)
    await sb.send({"type": "resume", "last_event_id": 0})
    assert await sb.recv() == {"type": "resync_required", "last_event_id": 5, "reason": "expired"}
    await sb.send({"type": "resume", "last_event_id": 2})  # 3.. still kept
    assert (await sb.recv())["event_id"] == 3
    await sb.send({"type": "resume", "last_event_id": 99})
    assert (await sb.recv_type("resync_required"))["reason"] == "ahead"
    await sb.close()


async def test_hello_while_the_users_first_event_commits(users):
    """A first connection racing the user's first event: the stream row is inserted by a
    transaction that commits while hello's statement waits on it. Hello still gives the
    committed baseline (it gave null, and the socket then failed on its first event).
    Accounts get their row when made; a user made without signals (bulk_create) has none."""
    import psycopg

    from realtime import db
    from realtime.models import EventStream

    a = users[0]
    await database_sync_to_async(EventStream.objects.filter(user=a).delete)()
    blocker = await psycopg.AsyncConnection.connect(**db._conninfo())
    try:
        await blocker.execute(
            "INSERT INTO realtime_event_streams (user_id, last_event_id) VALUES (%s, 3)", [a.pk]
        )
        opening = asyncio.ensure_future(open_socket(cookie_user=a))
        async with await psycopg.AsyncConnection.connect(
            **db._conninfo(), autocommit=True
        ) as watcher:
            for _ in range(100):  # until hello's INSERT waits on the blocker's row
                cur = await watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND application_name = 'studio-finder-realtime'"
                )
                if (await cur.fetchone())[0]:
                    break
                await asyncio.sleep(0.05)
            else:
                pytest.fail("hello never waited on the uncommitted stream row")
        await blocker.commit()
        sock, hello = await opening
    finally:
        await blocker.close()
    assert hello["last_event_id"] == 3
    b_sock, _ = await open_socket(cookie_user=users[1])
    await send_msg(b_sock, a.username, client_id="after-race")
    frame = await sock.recv_type("message.new")
    assert frame["event_id"] == 4
    await sock.close()
    await b_sock.close()
