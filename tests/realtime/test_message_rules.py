"""The rules of a message, held at the service so REST and the socket answer alike.

Who may send (each kind of user), the per-user send budget shared by both doors, what a
message's `context` may say, `to` versus `receiver`, and suspended receivers. Every rule
runs on both doors (`POST /api/messages`, the socket's `message.send`) and, where the
store matters, with both message stores (PostgreSQL's one-call write and embedded mode's
ORM write).
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from common.errors import NotFound, RateLimited, ValidationFailed
from realtime.models import Message, UserConnection
from realtime.services import connection_request, message_send
from realtime.services.budget import message_budget_spend, message_budget_spend_async
from tests.factories import StudioFactory, UserFactory

from .conftest import open_socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("close_pool")]

sync = database_sync_to_async
CONTACT = {"subject": "Booking", "content": "Is Tuesday free?"}


def rest_send(user, **body):
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client.post("/api/messages", {**CONTACT, **body}, format="json")


async def socket_send(sock, **frame) -> dict:
    """Send a message.send frame; the answer: the ack or the error frame."""
    await sock.send({"type": "message.send", "content": "hello", "client_id": "c-1", **frame})
    while True:
        answer = await sock.recv()
        if answer["type"] in ("message.ack", "error"):
            return answer


def stored() -> int:
    return Message.objects.count()


# --- Who may send: each kind of user, both doors ----------------------------------------------


KINDS = {
    "member": {},
    "owner": {"owner": True},
    "admin": {"admin": True},
    "unverified": {"unverified": True},
    "suspended": {"suspended": True},
}
EXPECTED = {
    "member": (201, None),
    "owner": (201, None),
    "admin": (201, None),
    "unverified": (403, "email_unverified"),
    "suspended": (403, "suspended"),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_rest_send_as_each_kind_of_user(kind, message_store_path):
    sender = UserFactory(**KINDS[kind])
    receiver = UserFactory()
    res = rest_send(sender, to=receiver.username)
    status, code = EXPECTED[kind]
    assert res.status_code == status, res.content
    if code:
        assert res.json()["error"]["code"] == code
    assert stored() == (1 if status == 201 else 0)


def test_rest_send_anonymous_is_401():
    receiver = UserFactory()
    res = rest_send(None, to=receiver.username)
    assert res.status_code == 401
    assert res.json()["error"]["code"] == "not_authenticated"
    assert stored() == 0


@pytest.mark.parametrize("kind", ["member", "owner", "admin", "unverified"])
async def test_socket_send_as_each_kind_of_user(kind, message_store_path):
    sender = await sync(UserFactory)(**KINDS[kind])
    receiver = await sync(UserFactory)()
    sock, _ = await open_socket(cookie_user=sender)
    answer = await socket_send(sock, to=receiver.username)
    status, code = EXPECTED[kind]
    if code is None:
        assert answer["type"] == "message.ack"
    else:
        assert answer["type"] == "error"
        assert answer["code"] == code
    assert await sync(stored)() == (1 if status == 201 else 0)
    await sock.close()


async def test_socket_send_refused_once_the_sender_is_suspended_on_an_open_socket(
    message_store_path,
):
    """The service reads the sender fresh: a socket opened before a suspension (and not
    yet closed by it) cannot send."""
    sender, receiver = await sync(UserFactory)(), await sync(UserFactory)()
    sock, _ = await open_socket(cookie_user=sender)
    # A queryset update: no signal, so the socket stays open and only the service can refuse.
    await sync(get_user_model().objects.filter(pk=sender.pk).update)(
        suspended_until=timezone.now() + timedelta(days=1)
    )
    answer = await socket_send(sock, to=receiver.username)
    assert (answer["type"], answer["code"]) == ("error", "suspended")
    assert await sync(stored)() == 0
    await sock.close()


# The socket keeps the two people of a send per process (message_store.PartyCache); the
# write checks their rows' versions, so a change after the first send is seen by the next.
User = get_user_model()


async def _first_send_then(change, *, to_after=None, expect=("error", "suspended")):
    sender, receiver = await sync(UserFactory)(), await sync(UserFactory)()
    sock, _ = await open_socket(cookie_user=sender)
    answer = await socket_send(sock, to=receiver.username, client_id="first")
    assert answer["type"] == "message.ack"  # both users now cached in this process
    await sync(change)(sender, receiver)
    answer = await socket_send(sock, to=to_after or receiver.username, client_id="second")
    assert (answer["type"], answer.get("code")) == expect, answer
    await sock.close()
    return sender, receiver


async def test_socket_send_refused_after_a_cached_send_once_the_sender_is_suspended():
    def suspend(sender, receiver):
        User.objects.filter(pk=sender.pk).update(is_suspended_indefinitely=True)

    await _first_send_then(suspend)
    assert await sync(stored)() == 1


async def test_socket_send_refused_after_a_cached_send_once_the_sender_is_unverified():
    def unverify(sender, receiver):
        User.objects.filter(pk=sender.pk).update(email_verified=False)

    await _first_send_then(unverify, expect=("error", "email_unverified"))
    assert await sync(stored)() == 1


@pytest.mark.parametrize("change", ["suspended", "deactivated", "deleted"])
async def test_socket_send_refused_after_a_cached_send_once_the_receiver_is_gone(change):
    def act(sender, receiver):
        qs = User.objects.filter(pk=receiver.pk)
        if change == "suspended":
            qs.update(suspended_until=timezone.now() + timedelta(days=1))
        elif change == "deactivated":
            qs.update(is_active=False)
        else:
            Message.objects.filter(receiver_id=receiver.pk).delete()
            receiver.delete()

    await _first_send_then(act, expect=("error", "not_found"))
    assert await sync(stored)() == (0 if change == "deleted" else 1)


async def test_socket_send_to_a_cached_name_follows_a_rename():
    """The name a send names is read again once its user was renamed: the old name now
    belongs to someone else, who gets the message."""
    newcomer = await sync(UserFactory)()

    def rename(sender, receiver):
        old = receiver.username
        User.objects.filter(pk=receiver.pk).update(username=f"{old}-renamed")
        User.objects.filter(pk=newcomer.pk).update(username=old)

    sender, _receiver = await _first_send_then(rename, expect=("message.ack", None))
    second = await sync(Message.objects.get)(sender=sender, client_id="second")
    assert second.receiver_id == newcomer.pk


async def test_socket_send_carries_a_new_display_name_after_a_cached_send():
    sender, receiver = await sync(UserFactory)(), await sync(UserFactory)()
    sock, _ = await open_socket(cookie_user=sender)
    assert (await socket_send(sock, to=receiver.username, client_id="a"))["type"] == "message.ack"
    await sync(User.objects.filter(pk=sender.pk).update)(display_name="Renamed Person")
    answer = await socket_send(sock, to=receiver.username, client_id="b")
    assert answer["message"]["sender"]["display_name"] == "Renamed Person"
    await sock.close()


async def test_the_write_refuses_parties_of_an_older_row_version():
    """realtime_message_send() writes nothing and answers stale when a row changed since
    the parties were read (the check the socket's cache relies on)."""
    from realtime.services.message_store import PostgresStore
    from realtime.services.messages import _draft

    sender, receiver = await sync(UserFactory)(), await sync(UserFactory)()
    store = PostgresStore()
    s, r = await store.parties_async(sender_id=sender.pk, to=receiver.username)
    assert s.version is not None
    assert r.version is not None
    await sync(User.objects.filter(pk=receiver.pk).update)(display_name="Changed")
    draft = _draft(sender=s, receiver=r, content="hi", subject=None, client_id="x", context=None)
    written = await store.write_async(draft)
    assert written.stale
    assert not written.created
    assert await sync(stored)() == 0
    s, r = await store.parties_async(sender_id=sender.pk, to=receiver.username)
    draft = _draft(sender=s, receiver=r, content="hi", subject=None, client_id="x", context=None)
    written = await store.write_async(draft)
    assert written.created
    assert not written.stale
    assert await sync(stored)() == 1


async def test_socket_send_allowed_once_the_sender_verifies_on_an_open_socket():
    sender = await sync(UserFactory)(unverified=True)
    receiver = await sync(UserFactory)()
    sock, _ = await open_socket(cookie_user=sender)
    answer = await socket_send(sock, to=receiver.username, client_id="before")
    assert answer["code"] == "email_unverified"
    await sync(get_user_model().objects.filter(pk=sender.pk).update)(email_verified=True)
    answer = await socket_send(sock, to=receiver.username, client_id="after")
    assert answer["type"] == "message.ack"
    await sock.close()


# --- One send budget per user, whatever the door ----------------------------------------------


async def test_one_budget_across_rest_and_socket(settings, message_store_path, one_minute_window):
    settings.MESSAGE_SEND_RATE = "3/minute"
    sender, receiver = await sync(UserFactory)(), await sync(UserFactory)()
    res = await sync(rest_send)(sender, to=receiver.username, client_id="r1")
    assert res.status_code == 201
    sock, _ = await open_socket(cookie_user=sender)
    for i in range(2):
        answer = await socket_send(sock, to=receiver.username, client_id=f"s{i}")
        assert answer["type"] == "message.ack"
    # Spent: the socket gets an error frame, REST a 429 with Retry-After, same code.
    answer = await socket_send(sock, to=receiver.username, client_id="s-over")
    assert (answer["type"], answer["code"]) == ("error", "rate_limited")
    res = await sync(rest_send)(sender, to=receiver.username, client_id="r-over")
    assert res.status_code == 429
    assert res.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(res["Retry-After"]) <= 61
    assert await sync(stored)() == 3
    # Another user's budget is their own.
    other = await sync(UserFactory)()
    assert (await sync(rest_send)(other, to=receiver.username)).status_code == 201
    await sock.close()


def test_refused_sends_do_not_spend_the_budget(settings, one_minute_window):
    settings.MESSAGE_SEND_RATE = "2/minute"
    sender, receiver = UserFactory(), UserFactory()
    for _ in range(3):
        assert rest_send(sender, to="nobody-by-that-name").status_code == 404
    assert rest_send(sender, to=receiver.username, client_id="1").status_code == 201
    assert rest_send(sender, to=receiver.username, client_id="2").status_code == 201
    assert rest_send(sender, to=receiver.username, client_id="3").status_code == 429


async def test_budget_counter_is_shared_between_sync_and_async_clients(settings, one_minute_window):
    """REST (and tasks) count with the sync Redis client, sockets with the async one:
    the same key, so one process's sends count in every other's."""
    settings.MESSAGE_SEND_RATE = "2/minute"
    user = await sync(UserFactory)()
    await sync(message_budget_spend)(user_id=user.pk)
    await message_budget_spend_async(user_id=user.pk)
    with pytest.raises(RateLimited) as exc:
        await message_budget_spend_async(user_id=user.pk)
    assert 1 <= exc.value.retry_after <= 61
    with pytest.raises(RateLimited):
        await sync(message_budget_spend)(user_id=user.pk)


async def test_socket_budget_counts_in_the_process_and_reaches_redis_together(
    settings, one_minute_window
):
    """The socket's first send of a window counts in Redis at once; the next ones are
    counted in the process (exact for that process) and reach Redis in one pipeline
    FLUSH_DELAY later, where the other doors see them."""
    from realtime.services import budget

    settings.MESSAGE_SEND_RATE = "6/minute"
    user = await sync(UserFactory)()
    key, _ = budget._key(user.pk, 60, time.time())
    redis = budget._async_client()
    for _ in range(3):
        await message_budget_spend_async(user_id=user.pk)
    assert int(await redis.get(key)) == 1  # the first, at once; two counted here
    await asyncio.sleep(budget.FLUSH_DELAY + 0.2)
    assert int(await redis.get(key)) == 3
    # Another door spends two: Redis has 5 of 6. This process last heard 3: it lets one
    # send through (the count it sends back answers 6) and refuses the next, at once.
    await sync(message_budget_spend)(user_id=user.pk)
    await sync(message_budget_spend)(user_id=user.pk)
    await message_budget_spend_async(user_id=user.pk)
    await asyncio.sleep(budget.FLUSH_DELAY + 0.2)
    with pytest.raises(RateLimited):
        await message_budget_spend_async(user_id=user.pk)
    with pytest.raises(RateLimited):
        await sync(message_budget_spend)(user_id=user.pk)
    # One process alone: exact, with no Redis round trip after the first.
    other = await sync(UserFactory)()
    for _ in range(6):
        await message_budget_spend_async(user_id=other.pk)
    with pytest.raises(RateLimited):
        await message_budget_spend_async(user_id=other.pk)
    key, _ = budget._key(other.pk, 60, time.time())
    assert int(await redis.get(key)) == 6  # the refusal sent the count at once


def test_budget_in_embedded_mode_uses_the_django_cache(settings):
    """No Redis (embedded mode): the same rule on the local cache."""
    settings.REDIS_URL = ""
    settings.MESSAGE_SEND_RATE = "2/second"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    message_budget_spend(user_id=1)
    message_budget_spend(user_id=1)
    with pytest.raises(RateLimited) as exc:
        message_budget_spend(user_id=1)
    assert exc.value.retry_after == 1
    message_budget_spend(user_id=2)


# --- context: only a studio of the receiver's ---------------------------------------------------


FORGED = [
    {"admin": True},
    {"studio_id": 1, "admin": True},
    {"note": "x" * 30_000},
    {"studio_id": "1"},
    {"studio_id": True},
    ["studio_id", 1],
]


@pytest.mark.parametrize("context", FORGED, ids=range(len(FORGED)))
async def test_socket_refuses_a_forged_context(context, message_store_path):
    sender, receiver = await sync(UserFactory)(), await sync(UserFactory)()
    sock, _ = await open_socket(cookie_user=sender)
    answer = await socket_send(sock, to=receiver.username, context=context)
    assert (answer["type"], answer["code"]) == ("error", "invalid")
    assert {"context", "studio_id"} & set(answer.get("fields") or {})
    assert await sync(stored)() == 0
    await sock.close()


async def test_socket_context_must_be_a_studio_of_the_receiver(message_store_path):
    sender, receiver, stranger = [await sync(UserFactory)() for _ in range(3)]
    theirs = await sync(StudioFactory)(owner=receiver)
    not_theirs = await sync(StudioFactory)(owner=stranger)
    sock, _ = await open_socket(cookie_user=sender)
    answer = await socket_send(
        sock, to=receiver.username, context={"studio_id": not_theirs.pk}, client_id="x"
    )
    assert answer["code"] == "invalid"
    assert answer["fields"] == {"studio_id": ["Not a studio of this receiver."]}
    answer = await socket_send(
        sock, to=receiver.username, context={"studio_id": theirs.pk}, client_id="y"
    )
    assert answer["type"] == "message.ack"
    assert answer["message"]["context"] == {"studio_id": theirs.pk}
    await sock.close()


def test_rest_studio_id_must_be_a_studio_of_the_receiver(message_store_path):
    sender, receiver, stranger = UserFactory(), UserFactory(), UserFactory()
    not_theirs = StudioFactory(owner=stranger)
    res = rest_send(sender, to=receiver.username, studio_id=not_theirs.pk)
    assert res.status_code == 400
    assert res.json()["error"]["fields"] == {"studio_id": ["Not a studio of this receiver."]}
    res = rest_send(sender, to=receiver.username, studio_id=10**12)
    assert res.status_code == 400
    theirs = StudioFactory(owner=receiver)
    res = rest_send(sender, to=receiver.username, studio_id=theirs.pk)
    assert res.status_code == 201
    assert res.json()["message"]["context"] == {"studio_id": theirs.pk}
    assert Message.objects.get().context == {"studio_id": theirs.pk}


def test_service_refuses_any_context_without_a_registered_validator():
    """Realtime alone accepts no context: the app that owns the concept must vouch."""
    from realtime.services.context import _validator, message_context_validator_register

    sender, receiver = UserFactory(), UserFactory()
    studio = StudioFactory(owner=receiver)
    message_context_validator_register(None)
    try:
        with pytest.raises(ValidationFailed) as exc:
            message_send(
                sender=sender, to=receiver.username, content="hi", context={"studio_id": studio.pk}
            )
        assert exc.value.fields == {"context": ["No context is accepted here."]}
    finally:
        message_context_validator_register(_validator)
    assert stored() == 0


# --- to and receiver ------------------------------------------------------------------------------


def test_rest_to_and_receiver_must_agree():
    sender, bob, cy = UserFactory(), UserFactory(username="bob"), UserFactory(username="cy")
    res = rest_send(sender, to=bob.username, receiver=cy.username)
    assert res.status_code == 400
    assert "to" in res.json()["error"]["fields"]
    assert stored() == 0
    assert rest_send(sender, to="bob", receiver="BOB").status_code == 201
    assert rest_send(sender, receiver="cy").status_code == 201


# --- Suspended receivers: the same answer as an unknown name --------------------------------------


def test_rest_message_to_a_suspended_user_is_answered_like_an_unknown_one():
    sender = UserFactory()
    suspended = UserFactory(suspended=True)
    to_suspended = rest_send(sender, to=suspended.username)
    to_nobody = rest_send(sender, to="nobody-at-all")
    assert to_suspended.status_code == to_nobody.status_code == 404
    assert to_suspended.json() == to_nobody.json()
    assert stored() == 0


async def test_socket_message_to_a_suspended_user_is_answered_like_an_unknown_one(
    message_store_path,
):
    sender = await sync(UserFactory)()
    suspended = await sync(UserFactory)(suspended=True)
    sock, _ = await open_socket(cookie_user=sender)
    to_suspended = await socket_send(sock, to=suspended.username, client_id="a")
    to_nobody = await socket_send(sock, to="nobody-at-all", client_id="b")
    assert to_suspended["code"] == to_nobody["code"] == "not_found"
    assert to_suspended["message"] == to_nobody["message"]
    assert await sync(stored)() == 0
    await sock.close()


def test_a_timed_suspension_that_ended_receives_again():
    sender = UserFactory()
    receiver = UserFactory(suspended_until=timezone.now() - timedelta(minutes=1))
    assert rest_send(sender, to=receiver.username).status_code == 201


def test_connection_request_to_a_suspended_user_is_answered_like_an_unknown_one():
    asker = UserFactory()
    suspended = UserFactory(suspended=True)
    with pytest.raises(NotFound) as to_suspended:
        connection_request(user=asker, username=suspended.username)
    with pytest.raises(NotFound) as to_nobody:
        connection_request(user=asker, username="nobody-at-all")
    assert to_suspended.value.as_dict() == to_nobody.value.as_dict()
    assert not UserConnection.objects.exists()
