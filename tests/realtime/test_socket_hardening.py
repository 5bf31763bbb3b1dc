"""Issue 8's socket defects, each reproduced through the real ASGI app.

Sockets end with their session (password change, reset, sessions ended elsewhere); bad
frames (NUL, lone surrogates, deep nesting, huge integers, NaN) answer an error frame and
never close the socket; oversized frames and floods close with documented 4xxx codes; the
Origin check compares scheme, host and port. The live-Daphne side (what the communicator
cannot show: Daphne refusing 1008/1009, zombies, 1011) is in test_socket_live.py.
"""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from common.text import NUL_MESSAGE, SURROGATE_MESSAGE
from project.asgi import application
from realtime import close_codes
from realtime.models import Message
from tests.accounts.test_auth_pages import NEW_PASSWORD, email_link
from tests.factories import UserFactory
from tests.factories.accounts import DEFAULT_PASSWORD

from .conftest import HOST, ORIGIN, open_socket, session_key_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("close_pool")]

sync = database_sync_to_async
APP = "/_allauth/app/v1"


def post_json(client: Client, url: str, data: dict, method: str = "post", **extra):
    return getattr(client, method)(
        url, data=json.dumps(data), content_type="application/json", **extra
    )


def app_login(user) -> str:
    """A real allauth app login: a new session, tracked by allauth.usersessions."""
    response = post_json(
        Client(), f"{APP}/auth/login", {"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


async def token_socket(token: str):
    sock, _ = await open_socket()
    await sock.send({"type": "auth", "token": token})
    assert (await sock.recv())["type"] == "hello"
    return sock


async def still_open(sock) -> bool:
    await sock.send({"type": "ping"})
    return await sock.recv() == {"type": "pong"}


# --- 1. A socket lives no longer than its session -------------------------------------------------


async def test_password_change_closes_the_sockets_of_other_sessions_4401(transactional_db):
    user, bystander_user = await sync(UserFactory)(), await sync(UserFactory)()
    changer, other = await sync(app_login)(user), await sync(app_login)(user)
    other_by_token = await token_socket(other)
    other_by_cookie, _ = await open_socket(cookie_user=user)  # a browser session
    bystander, _ = await open_socket(cookie_user=bystander_user)

    def change():
        api = Client(headers={"X-Session-Token": changer})
        return post_json(
            api,
            f"{APP}/account/password/change",
            {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        )

    response = await sync(change)()
    assert response.status_code == 200, response.content
    assert await other_by_token.close_code() == close_codes.UNAUTHENTICATED
    assert await other_by_cookie.close_code() == close_codes.UNAUTHENTICATED
    assert await still_open(bystander)
    await bystander.close()


async def test_password_reset_closes_every_socket_of_the_user_4401(transactional_db, outbox):
    user = await sync(UserFactory)()
    by_token = await token_socket(await sync(app_login)(user))
    by_cookie, _ = await open_socket(cookie_user=user)

    def reset():
        client = Client()
        response = post_json(client, f"{APP}/auth/password/request", {"email": user.email})
        assert response.status_code == 200, response.content
        key = email_link(outbox[0], "/accounts/password/reset/key/").rstrip("/").rsplit("/")[-1]
        return post_json(
            client, f"{APP}/auth/password/reset", {"key": key, "password": "x" + NEW_PASSWORD}
        )

    response = await sync(reset)()
    # 401: the password is reset and nobody is signed in (ACCOUNT_LOGIN_ON_PASSWORD_RESET off).
    assert response.status_code == 401, response.content
    assert await by_token.close_code() == close_codes.UNAUTHENTICATED
    assert await by_cookie.close_code() == close_codes.UNAUTHENTICATED


async def test_ending_other_sessions_closes_their_sockets_and_keeps_this_one(transactional_db):
    user = await sync(UserFactory)()
    mine, theirs = await sync(app_login)(user), await sync(app_login)(user)
    my_socket, their_socket = await token_socket(mine), await token_socket(theirs)

    def end_other_sessions():
        api = Client(headers={"X-Session-Token": mine})
        listed = api.get(f"{APP}/auth/sessions").json()["data"]
        others = [s["id"] for s in listed if not s["is_current"]]
        assert len(others) == 1
        return post_json(api, f"{APP}/auth/sessions", {"sessions": others}, method="delete")

    response = await sync(end_other_sessions)()
    assert response.status_code == 200, response.content
    assert await their_socket.close_code() == close_codes.UNAUTHENTICATED
    assert await still_open(my_socket)
    await my_socket.close()


async def test_app_logout_closes_that_sessions_socket(transactional_db):
    user = await sync(UserFactory)()
    token = await sync(app_login)(user)
    sock = await token_socket(token)
    other, _ = await open_socket(cookie_user=user)

    def logout():
        return Client(headers={"X-Session-Token": token}).delete(f"{APP}/auth/session")

    assert (await sync(logout)()).status_code == 401  # allauth: "logged out" is 401
    assert await sock.close_code() == close_codes.UNAUTHENTICATED
    assert await still_open(other)
    await other.close()


async def test_saving_a_user_without_a_password_change_closes_nothing(transactional_db):
    user = await sync(UserFactory)()
    sock, _ = await open_socket(cookie_user=user)

    def rename():
        user.display_name = "Someone Else"
        user.save()

    await sync(rename)()
    assert await sock.nothing(0.5)
    assert await still_open(sock)
    await sock.close()


# --- 6. Bad frames answer an error frame; the socket stays open ---------------------------------

NUL, SURROGATE = "a\x00b", "\ud800"


BIG_INT = "Integers must fit in 64 bits."


def bad_frames(to: str) -> list[tuple[str, dict, str]]:
    """(field named in the error, frame, the message): the text messages are the HTTP
    side's own (common.text), so one rule and one wording say what text is unstorable."""
    send = {"type": "message.send", "to": to, "content": "hello there", "client_id": "c1"}
    return [
        ("to", {**send, "to": NUL}, NUL_MESSAGE),
        ("content", {**send, "content": NUL}, NUL_MESSAGE),
        ("subject", {**send, "subject": NUL}, NUL_MESSAGE),
        ("client_id", {**send, "client_id": NUL}, NUL_MESSAGE),
        ("context", {**send, "context": {"note": NUL}}, NUL_MESSAGE),
        ("context", {**send, "context": {NUL: 1}}, NUL_MESSAGE),
        ("frame", {**send, NUL: 1}, NUL_MESSAGE),  # a bad top-level key is not echoed
        ("content", {**send, "content": SURROGATE}, SURROGATE_MESSAGE),
        ("context", {**send, "context": {"note": SURROGATE}}, SURROGATE_MESSAGE),
        ("to", {"type": "typing", "to": NUL, "state": "start"}, NUL_MESSAGE),
        ("with", {"type": "message.read", "with": NUL, "up_to_id": 1}, NUL_MESSAGE),
        ("up_to_id", {"type": "message.read", "with": to, "up_to_id": 10**30}, BIG_INT),
        ("last_event_id", {"type": "resume", "last_event_id": 2**70}, BIG_INT),
    ]


async def test_nul_surrogates_and_huge_integers_get_an_error_frame(users):
    a, b, _ = users
    sock, _ = await open_socket(cookie_user=a)
    for field, frame, message in bad_frames(b.username):
        # ensure_ascii (the default) writes "\u0000" and "\ud800" escapes, as a client would.
        await sock.c.send_to(text_data=json.dumps(frame))
        error = await sock.recv()
        assert error["type"] == "error", (field, error)
        assert error["code"] == "invalid", (field, error)
        assert error["fields"] == {field: [message]}, (field, error)
    assert await still_open(sock)
    assert await sync(Message.objects.count)() == 0
    await sock.close()


@pytest.mark.parametrize(
    "text",
    [
        "[" * 60000,
        '{"type": "message.send", "context": ' + '{"a": ' * 2000 + "1" + "}" * 2000 + "}",
        '{"type": "ping", "x": NaN}',
        '{"type": "ping", "x": ' + "9" * 5000 + "}",
        '"\\ud800"',
        '{"type": "\\u0000"}',
        "\x00",
    ],
    ids=["brackets", "deep-context", "nan", "long-int", "surrogate-string", "nul-type", "nul"],
)
async def test_malformed_frames_get_an_error_frame(users, text):
    a, _, _ = users
    sock, _ = await open_socket(cookie_user=a)
    await sock.c.send_to(text_data=text)
    error = await sock.recv()
    assert error["type"] == "error"
    assert error["code"] in ("invalid_json", "invalid_frame", "invalid")
    assert await still_open(sock)
    await sock.close()


async def test_a_frame_of_exactly_the_limit_is_accepted_one_byte_more_closes_4413(users, settings):
    a, _, _ = users
    limit = settings.REALTIME_MAX_FRAME_BYTES
    sock, _ = await open_socket(cookie_user=a)
    frame = '{"type": "ping", "pad": "%s"}'
    pad = limit - len(frame % "")
    await sock.c.send_to(text_data=frame % ("x" * pad))
    assert await sock.recv() == {"type": "pong"}
    # Multi-byte characters count as bytes: "é" is two.
    await sock.c.send_to(text_data=frame % ("é" * (pad // 2 + 1)))
    assert await sock.close_code() == close_codes.TOO_BIG


async def test_a_binary_frame_is_an_error_and_an_oversized_one_closes(users, settings):
    a, _, _ = users
    sock, _ = await open_socket(cookie_user=a)
    await sock.c.send_to(bytes_data=b'{"type": "ping"}')
    assert (await sock.recv())["code"] == "invalid_frame"
    await sock.c.send_to(bytes_data=b"x" * (settings.REALTIME_MAX_FRAME_BYTES + 1))
    assert await sock.close_code() == close_codes.TOO_BIG


# --- 4. After a flood close the socket answers nothing ----------------------------------------


async def test_a_flooded_socket_closes_4429_and_then_answers_nothing(users, settings):
    settings.REALTIME_RATE_LIMIT_FRAMES = 5
    a, _, _ = users
    sock, _ = await open_socket(cookie_user=a)
    for _ in range(5 + 1 + 60):
        await sock.send({"type": "ping"})
    outputs = []
    while True:
        out = await sock.c.receive_output(timeout=3)
        outputs.append(out)
        if out["type"] == "websocket.close":
            break
    assert out["code"] == close_codes.RATE_LIMITED
    await sock.send({"type": "ping"})
    assert await sock.nothing(0.5)


# --- 12. Origin: scheme, host and port ---------------------------------------------------


async def handshake(headers: list[tuple[bytes, bytes]]) -> tuple[bool, WebsocketCommunicator]:
    comm = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await comm.connect(timeout=5)
    return connected, comm


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        (b"http://testserver:8001", b"testserver"),  # another port of an allowed host
        (b"http://testserver", b"testserver:8000"),
        (b"https://testserver", b"testserver"),  # another scheme
        (b"http://localhost", b"testserver"),  # another allowed host
        (b"http://testserver.evil.example", b"testserver"),
        (b"null", b"testserver"),
        (b"http://testserver", b"evil.example"),  # Host not in ALLOWED_HOSTS
    ],
)
async def test_an_origin_that_is_not_the_sites_own_is_refused(users, origin, host):
    a, _, _ = users
    key = await sync(session_key_for)(a)
    connected, _ = await handshake(
        [(b"origin", origin), (b"host", host), (b"cookie", f"sessionid={key}".encode())]
    )
    assert not connected


async def test_the_same_origin_with_its_port_is_accepted(users):
    a, _, _ = users
    key = await sync(session_key_for)(a)
    connected, comm = await handshake(
        [
            (b"origin", b"http://127.0.0.1:8123"),
            (b"host", b"127.0.0.1:8123"),
            (b"cookie", f"sessionid={key}".encode()),
        ]
    )
    assert connected
    assert json.loads(await comm.receive_from())["type"] == "hello"
    await comm.disconnect()


async def test_a_csrf_trusted_origin_is_accepted(users, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.example.com"]
    a, _, _ = users
    key = await sync(session_key_for)(a)
    connected, comm = await handshake(
        [
            (b"origin", b"https://app.example.com"),
            HOST,
            (b"cookie", f"sessionid={key}".encode()),
        ]
    )
    assert connected
    assert json.loads(await comm.receive_from())["type"] == "hello"
    await comm.disconnect()


async def test_without_origin_the_cookie_is_ignored_and_the_app_token_works(users):
    a, _, _ = users
    key = await sync(session_key_for)(a)
    connected, comm = await handshake([HOST, (b"cookie", f"sessionid={key}".encode())])
    assert connected
    assert await comm.receive_nothing(0.3)  # no hello: the cookie did not sign it in
    await comm.send_to(text_data=json.dumps({"type": "message.send", "to": "x"}))
    assert json.loads(await comm.receive_from())["code"] == "not_authenticated"
    await comm.send_to(text_data=json.dumps({"type": "auth", "token": key}))
    assert json.loads(await comm.receive_from())["type"] == "hello"
    await comm.disconnect()


def test_close_codes_are_all_sendable_and_documented():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "realtime-protocol.md").read_text()
    for code in close_codes.MEANINGS:
        assert 4000 <= code <= 4999
        assert close_codes.sendable(code) == code
        assert f"| {code} |" in doc
    assert close_codes.sendable(1008) == close_codes.UNAUTHENTICATED
    assert close_codes.sendable(1009) == close_codes.UNAUTHENTICATED


@pytest.mark.parametrize("path", ["/ws", "/ws/x", "/ws//", "/", "/api/faq", "/admin/"])
async def test_a_handshake_on_another_path_is_refused_not_a_500(path):
    comm = WebsocketCommunicator(application, path, headers=[ORIGIN, HOST])
    connected, _ = await comm.connect()
    assert not connected  # closed before accept: Daphne answers HTTP 403
    await comm.disconnect()
