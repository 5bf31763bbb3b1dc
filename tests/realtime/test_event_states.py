"""Every event type, Zulip style: fetch state, act, apply the events, compare with a fresh fetch.

The state is what a client holds from REST; the events are what its socket would get
(read from the durable stream, after a JSON round trip, and checked against what was
pushed live). If an action changes what REST returns without an event saying so, or an
event carries a different object than REST, these tests fail.
"""

from __future__ import annotations

import copy
import json

import pytest
from django.test import Client

import realtime.events as events_module
from realtime.models import EventStream
from realtime.services import (
    connection_accept,
    connection_cancel,
    connection_reject,
    connection_remove,
    connection_request,
    message_send,
    messages_mark_read,
    notifications_mark_read,
    notify,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def fetch_state(user, counterparts) -> dict:
    client = Client()
    client.force_login(user)
    state = {"conversations": {}, "network": None}
    for other in counterparts:
        body = client.get(f"/api/conversations/{other.username}/messages").json()
        state["conversations"][other.username] = body["results"]
    body = client.get("/api/user/notifications?limit=100").json()
    state["notifications"] = body["results"]
    state["unread"] = body["unread"]
    network = client.get("/api/network").json()
    state["network"] = {
        k: sorted(network[k], key=lambda r: r["user"]["username"])
        for k in ("connections", "incoming", "outgoing")
    }
    return state


def apply_events(state: dict, user, events: list[dict]) -> dict:
    state = copy.deepcopy(state)
    for event in events:
        kind = event["type"]
        if kind == "message.new":
            m = event["message"]
            other = m["to"] if m["from"] == user.username else m["from"]
            if other in state["conversations"]:
                state["conversations"][other].insert(0, m)
        elif kind == "message.read":
            me_reader = event["by"] == user.username
            other = event["with"] if me_reader else event["by"]
            for m in state["conversations"].get(other, []):
                if (
                    m["to"] == event["by"]
                    and m["from"] == event["with"]
                    and m["id"] <= event["up_to_id"]
                    and m["id"] in event["ids"]
                ):
                    m["is_read"] = True
        elif kind == "notification.new":
            state["notifications"].insert(0, event["notification"])
        elif kind == "notification.count":
            state["unread"] = event["unread"]
            for n in state["notifications"]:
                if n["id"] in event.get("marked_read", []):
                    n["read"] = True
        elif kind == "connection.request":
            mine = event["from"]["username"] == user.username
            state["network"]["outgoing" if mine else "incoming"].append(
                {
                    "user": event["to"] if mine else event["from"],
                    "created_at": event["connection"]["created_at"],
                }
            )
        elif kind == "connection.accepted":
            mine = event["by"]["username"] == user.username
            other = event["requester"] if mine else event["by"]
            key = "incoming" if mine else "outgoing"
            state["network"][key] = [
                r for r in state["network"][key] if r["user"]["username"] != other["username"]
            ]
            state["network"]["connections"].append(
                {"user": other, "since": event["connection"]["accepted_at"]}
            )
        elif kind == "connection.removed":
            mine = event["username"] == user.username
            other = event["other"] if mine else event["username"]
            for key in ("connections", "incoming", "outgoing"):
                state["network"][key] = [
                    r for r in state["network"][key] if r["user"]["username"] != other
                ]
        else:  # pragma: no cover - a new event type needs a branch here
            raise AssertionError(f"no apply rule for {kind}")
    for key in ("connections", "incoming", "outgoing"):
        state["network"][key].sort(key=lambda r: r["user"]["username"])
    return state


class Verifier:
    """Runs the Zulip check for several users at once; also checks live pushes == stored."""

    def __init__(self, monkeypatch, django_capture_on_commit_callbacks):
        self.pushed: list[tuple[int, int, str]] = []
        self.capture = django_capture_on_commit_callbacks
        real = events_module.push_frames

        def spy(frames):
            self.pushed.extend(frames)
            real(frames)

        monkeypatch.setattr(events_module, "push_frames", spy)

    def check(self, action, *, users, counterparts, expect_types):
        before = {u.pk: fetch_state(u, counterparts[u.pk]) for u in users}
        heads = {
            u.pk: getattr(EventStream.objects.filter(user=u).first(), "last_event_id", 0)
            for u in users
        }
        self.pushed.clear()
        with self.capture(execute=True):
            action()
        got_types = {}
        for u in users:
            stored = [
                json.loads(json.dumps({**e.payload, "event_id": e.event_id}))
                for e in events_module.Event.objects.filter(
                    user=u, event_id__gt=heads[u.pk]
                ).order_by("event_id")
            ]
            pushed = [json.loads(f) for uid, _, f in self.pushed if uid == u.pk]
            assert pushed == stored, "what was pushed live differs from what a resume replays"
            got_types[u.pk] = [e["type"] for e in stored]
            after = apply_events(before[u.pk], u, stored)
            assert after == fetch_state(u, counterparts[u.pk])
        assert got_types == {u.pk: expect_types[u] for u in users}


@pytest.fixture
def verifier(monkeypatch, django_capture_on_commit_callbacks):
    return Verifier(monkeypatch, django_capture_on_commit_callbacks)


@pytest.fixture
def people():
    return UserFactory(username="alice"), UserFactory(username="bob"), UserFactory(username="cy")


def test_message_new_and_notification_events(verifier, people):
    a, b, _ = people
    cp = {a.pk: [b], b.pk: [a]}
    verifier.check(
        lambda: message_send(sender=a, to="bob", content="first", client_id="1"),
        users=[a, b],
        counterparts=cp,
        expect_types={
            a: ["message.new"],
            b: ["message.new", "notification.new", "notification.count"],
        },
    )
    # Coalesced: the second message adds no notification.
    verifier.check(
        lambda: message_send(sender=a, to="bob", content="second", client_id="2"),
        users=[a, b],
        counterparts=cp,
        expect_types={a: ["message.new"], b: ["message.new"]},
    )


def test_message_new_orm_path_matches(verifier, people, settings):
    settings.REALTIME_MESSAGE_STORE = "realtime.services.message_store.OrmStore"
    a, b, _ = people
    verifier.check(
        lambda: message_send(sender=a, to="bob", content="via orm", client_id="o"),
        users=[a, b],
        counterparts={a.pk: [b], b.pk: [a]},
        expect_types={
            a: ["message.new"],
            b: ["message.new", "notification.new", "notification.count"],
        },
    )


def test_message_read_events(verifier, people):
    a, b, _ = people
    first = message_send(sender=a, to="bob", content="one", client_id="1")
    message_send(sender=a, to="bob", content="two", client_id="2")
    cp = {a.pk: [b], b.pk: [a]}
    verifier.check(
        lambda: messages_mark_read(reader=b, with_username="alice", up_to_id=first.message["id"]),
        users=[a, b],
        counterparts=cp,
        expect_types={a: ["message.read"], b: ["message.read"]},
    )
    verifier.check(
        lambda: messages_mark_read(reader=b, ids=[first.message["id"] + 1]),
        users=[a, b],
        counterparts=cp,
        expect_types={a: ["message.read"], b: ["message.read", "notification.count"]},
    )


def test_notify_and_mark_read_events(verifier, people):
    a, _, _ = people
    cp = {a.pk: []}
    verifier.check(
        lambda: notify(user_id=a.pk, type="STUDIO_VERIFIED", title="Verified", message="Yay"),
        users=[a],
        counterparts=cp,
        expect_types={a: ["notification.new", "notification.count"]},
    )
    notify(user_id=a.pk, type="REVIEW_RECEIVED", title="Review", message="5 stars")
    verifier.check(
        lambda: notifications_mark_read(user_id=a.pk, all=True),
        users=[a],
        counterparts=cp,
        expect_types={a: ["notification.count"]},
    )


def test_connection_events(verifier, people):
    a, b, c = people
    cp = {a.pk: [], b.pk: [], c.pk: []}
    verifier.check(
        lambda: connection_request(user=a, username="bob"),
        users=[a, b],
        counterparts=cp,
        expect_types={
            a: ["connection.request"],
            b: ["connection.request", "notification.new", "notification.count"],
        },
    )
    verifier.check(
        lambda: connection_accept(user=b, username="alice"),
        users=[a, b],
        counterparts=cp,
        expect_types={
            a: ["connection.accepted", "notification.new", "notification.count"],
            # Accepting settles the request's notification: read, and the badge drops.
            b: ["connection.accepted", "notification.count"],
        },
    )
    with verifier.capture(execute=True):
        connection_request(user=c, username="alice")
    verifier.check(
        lambda: connection_reject(user=a, username="cy"),
        users=[a, c],
        counterparts=cp,
        expect_types={a: ["connection.removed"], c: ["connection.removed"]},
    )
    connection_request(user=c, username="bob")
    verifier.check(
        lambda: connection_cancel(user=c, username="bob"),
        users=[b, c],
        counterparts=cp,
        expect_types={b: ["connection.removed"], c: ["connection.removed"]},
    )
    verifier.check(
        lambda: connection_remove(user=a, username="bob"),
        users=[a, b],
        counterparts=cp,
        expect_types={a: ["connection.removed"], b: ["connection.removed"]},
    )
    # Asking someone who already asked you accepts their request.
    connection_request(user=c, username="alice")
    verifier.check(
        lambda: connection_request(user=a, username="cy"),
        users=[a, c],
        counterparts=cp,
        expect_types={
            a: ["connection.accepted", "notification.count"],
            c: ["connection.accepted", "notification.new", "notification.count"],
        },
    )
