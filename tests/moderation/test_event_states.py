"""The two event types moderation adds, Zulip style: fetch the state a client holds from
REST, act, apply the events its socket would get (from the durable stream, after a JSON
round trip, and equal to what was pushed live), compare with a fresh fetch."""

from __future__ import annotations

import copy
import json

import pytest
from django.test import Client

import realtime.events as events_module
from moderation.services import report_action, report_create
from realtime.models import Event, EventStream
from realtime.services import message_send
from tests.factories import ContentReportFactory, UserFactory

pytestmark = pytest.mark.django_db


def fetch_state(user, other) -> dict:
    client = Client()
    client.force_login(user)
    state = {
        "messages": client.get(f"/api/conversations/{other.username}/messages").json()["results"]
    }
    if user.is_admin:
        state["open_reports"] = client.get("/api/admin/reports?status=PENDING").json()["count"]
    return state


def apply_events(state: dict, user, events: list[dict]) -> dict:
    state = copy.deepcopy(state)
    for event in events:
        if event["type"] == "message.removed":
            state["messages"] = [m for m in state["messages"] if m["id"] != event["message_id"]]
        elif event["type"] == "moderation.queue":
            state["open_reports"] = event["open_reports"]
        elif event["type"] in ("notification.new", "notification.count"):
            pass  # checked by tests/realtime/test_event_states.py
        else:
            raise AssertionError(f"no apply rule for {event['type']}")
    return state


def check(monkeypatch, capture, action, *, people: dict, expect_types: dict) -> None:
    """people: user -> the other person whose conversation the state holds."""
    pushed: list[tuple[int, int, str]] = []
    real = events_module.push_frames
    monkeypatch.setattr(events_module, "push_frames", lambda f: (pushed.extend(f), real(f)))
    before = {u.pk: fetch_state(u, o) for u, o in people.items()}
    heads = {
        u.pk: getattr(EventStream.objects.filter(user=u).first(), "last_event_id", 0)
        for u in people
    }
    with capture(execute=True):
        action()
    for user, other in people.items():
        stored = [
            json.loads(json.dumps({**e.payload, "event_id": e.event_id}))
            for e in Event.objects.filter(user=user, event_id__gt=heads[user.pk]).order_by(
                "event_id"
            )
        ]
        assert [json.loads(f) for uid, _, f in pushed if uid == user.pk] == stored
        assert [e["type"] for e in stored] == expect_types[user]
        assert apply_events(before[user.pk], user, stored) == fetch_state(user, other)


def test_message_removed(monkeypatch, django_capture_on_commit_callbacks):
    admin, alice, bob = UserFactory(admin=True), UserFactory(), UserFactory()
    message_send(sender=alice, to=bob.username, content="kept", client_id="1")
    bad = message_send(sender=alice, to=bob.username, content="removed", client_id="2").message[
        "id"
    ]
    report = ContentReportFactory(
        reporter=bob, content_type="MESSAGE", content_id=str(bad), reported_user=alice
    )
    check(
        monkeypatch,
        django_capture_on_commit_callbacks,
        lambda: report_action(report_id=report.pk, actor=admin, action="remove_content"),
        people={alice: bob, bob: alice, admin: alice},
        expect_types={
            alice: ["message.removed"],
            bob: ["message.removed", "notification.new", "notification.count"],
            admin: ["moderation.queue"],
        },
    )


def test_moderation_queue_on_report_and_on_action(monkeypatch, django_capture_on_commit_callbacks):
    admins = [UserFactory(admin=True), UserFactory(admin=True)]
    reporter, target = UserFactory(), UserFactory()
    people = dict.fromkeys(admins, target)
    holder = {}

    def report():
        holder["report"] = report_create(
            reporter=reporter, content_type="USER", content_id=str(target.pk), reason="SPAM"
        )

    check(
        monkeypatch,
        django_capture_on_commit_callbacks,
        report,
        people=people,
        expect_types={
            a: ["notification.new", "notification.count", "moderation.queue"] for a in admins
        },
    )
    check(
        monkeypatch,
        django_capture_on_commit_callbacks,
        lambda: report_action(report_id=holder["report"].pk, actor=admins[0], action="dismiss"),
        people=people,
        expect_types={a: ["moderation.queue"] for a in admins},
    )
