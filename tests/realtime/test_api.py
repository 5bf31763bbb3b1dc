"""The REST endpoints beside the socket: shapes, rules, errors, query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from realtime.models import Event, Message, Notification
from realtime.services import connection_accept, connection_request, message_send, notify
from tests.factories import MessageFactory, NotificationFactory, StudioFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_anonymous_gets_401_in_the_error_shape():
    body = APIClient().get("/api/conversations").json()
    assert body["error"]["code"] == "not_authenticated"


def test_a_suspended_user_can_neither_read_nor_write(a, b):
    """The accounts rule: 403 `suspended` on every API call, reads included."""
    a.suspended_until = timezone.now() + timedelta(days=1)
    a.save()
    client = client_for(a)
    res = client.get("/api/user/notifications/count")
    assert res.status_code == 403
    assert res.json()["error"]["code"] == "suspended"
    res = client.post("/api/messages", {"to": "bob", "subject": "Hello", "content": "Hello there"})
    assert res.status_code == 403
    assert res.json()["error"]["code"] == "suspended"


def test_contact_form_post_and_rules(a, b):
    studio = StudioFactory(owner=b)
    client = client_for(a)
    res = client.post(
        "/api/messages",
        {
            "receiver": "bob",
            "subject": "Booking",
            "content": "Is Tuesday free?",
            "studio_id": studio.pk,
        },
        format="json",
    )
    assert res.status_code == 201
    body = res.json()
    assert body["message"]["context"] == {"studio_id": studio.pk}
    assert body["message"]["to"] == "bob"
    res = client.post("/api/messages", {"to": "bob", "subject": "Hi", "content": "short"})
    assert res.status_code == 400
    assert set(res.json()["error"]["fields"]) == {"subject", "content"}
    res = client.post("/api/messages", {"to": "alice", "subject": "Hello", "content": "Hello you!"})
    assert res.json()["error"]["fields"]["to"]
    res = client.post("/api/messages", {"to": "ghost", "subject": "Hello", "content": "Hello you!"})
    assert res.status_code == 404
    assert (
        client.post("/api/messages", "nonsense", content_type="application/json").status_code == 400
    )


def test_rest_and_socket_paths_store_the_same_events(a, b):
    """REST uses the socket's statements: same event types and payload keys."""
    client_for(a).post(
        "/api/messages", {"to": "bob", "subject": "Booking", "content": "Is Tuesday free?"}
    )
    rest = list(Event.objects.filter(user=b).order_by("event_id").values_list("type", "payload"))
    assert [t for t, _ in rest] == ["message.new", "notification.new", "notification.count"]
    assert rest[0][1]["message"]["subject"] == "Booking"


def test_message_list_pages_and_query_count(a, b, django_assert_max_num_queries):
    MessageFactory.create_batch(25, sender=b, receiver=a)
    MessageFactory.create_batch(3, sender=a, receiver=b)
    client = client_for(a)
    with django_assert_max_num_queries(4):
        page1 = client.get("/api/messages?type=received").json()
    assert len(page1["results"]) == 20
    assert page1["has_next"]
    page2 = client.get("/api/messages?type=received&page=2").json()
    assert len(page2["results"]) == 5
    assert not page2["has_next"]
    assert len(client.get("/api/messages?type=sent").json()["results"]) == 3
    assert client.get("/api/messages?type=bogus").status_code == 400
    assert Message.objects.filter(is_read=True).count() == 0  # reading a list marks nothing


def test_mark_read_endpoint(a, b):
    ids = [MessageFactory(sender=b, receiver=a).pk for _ in range(3)]
    client = client_for(a)
    assert client.post("/api/messages/read", {"ids": ids[:2]}, format="json").json() == {
        "marked": 2
    }
    res = client.post("/api/messages/read", {"with": "bob", "up_to_id": ids[2]}, format="json")
    assert res.json() == {"marked": 1}
    assert client.post("/api/messages/read", {}, format="json").status_code == 400


def test_conversations_list_and_cursor_pages(a, b, django_assert_max_num_queries):
    c = UserFactory(username="cy")
    for i in range(3):
        message_send(sender=b, to="alice", content=f"b{i}", client_id=f"b{i}")
    message_send(sender=a, to="cy", content="to cy", client_id="c")
    for _ in range(8):
        UserFactory()
        MessageFactory(sender=UserFactory(), receiver=a)
    client = client_for(a)
    with django_assert_max_num_queries(5):
        rows = client.get("/api/conversations").json()["results"]
    assert len(rows) == 10
    by_name = {r["with"]["username"]: r for r in rows}
    assert by_name["bob"]["unread"] == 3
    assert by_name["bob"]["last_message"]["content"] == "b2"
    assert by_name["cy"]["unread"] == 0
    assert by_name["cy"]["last_message"]["to"] == "cy"
    assert rows[0]["last_activity"] >= rows[-1]["last_activity"]
    assert c.username in by_name

    with django_assert_max_num_queries(4):
        page = client.get("/api/conversations/bob/messages?limit=2").json()
    assert [m["content"] for m in page["results"]] == ["b2", "b1"]
    rest = client.get(f"/api/conversations/bob/messages?before={page['next_before']}").json()
    assert [m["content"] for m in rest["results"]] == ["b0"]
    assert rest["next_before"] is None
    assert client.get("/api/conversations/ghost/messages").status_code == 404


def test_notifications_list_read_count_and_query_count(a, django_assert_max_num_queries):
    NotificationFactory.create_batch(25, user=a)
    NotificationFactory(user=UserFactory())
    client = client_for(a)
    with django_assert_max_num_queries(4):
        body = client.get("/api/user/notifications?limit=10&offset=0").json()
    assert len(body["results"]) == 10
    assert body["unread"] == 25
    assert body["has_next"]
    ids = [n["id"] for n in body["results"][:3]]
    res = client.post("/api/user/notifications/read", {"ids": ids}, format="json").json()
    assert res == {"marked": 3, "unread": 22}
    assert (
        len(client.get("/api/user/notifications?unread_only=true&limit=100").json()["results"])
        == 22
    )
    assert client.get("/api/user/notifications/count").json() == {"unread": 22}
    assert (
        client.post("/api/user/notifications/read", {"all": True}, format="json").json()["unread"]
        == 0
    )
    assert client.post("/api/user/notifications/read", {}, format="json").status_code == 400
    assert Notification.objects.filter(read=False).count() == 1


def test_notification_preferences_get_and_put(a):
    client = client_for(a)
    prefs = client.get("/api/user/notification-preferences").json()["preferences"]
    assert prefs["MESSAGE_RECEIVED"] == {"in_app": True, "email": True}
    res = client.put(
        "/api/user/notification-preferences",
        {"preferences": {"MESSAGE_RECEIVED": {"email": False}}},
        format="json",
    )
    assert res.json()["preferences"]["MESSAGE_RECEIVED"] == {"in_app": True, "email": False}
    res = client.put(
        "/api/user/notification-preferences", {"preferences": {"NOPE": {}}}, format="json"
    )
    assert res.status_code == 400
    # The refused PUT changed nothing; the stored choice is what notify() obeys.
    prefs = client.get("/api/user/notification-preferences").json()["preferences"]
    assert prefs["MESSAGE_RECEIVED"] == {"in_app": True, "email": False}
    client.put(
        "/api/user/notification-preferences",
        {"preferences": {"STUDIO_VERIFIED": {"in_app": False}}},
        format="json",
    )
    assert notify(user_id=a.pk, type="STUDIO_VERIFIED", title="t", message="m") is None
    assert notify(user_id=a.pk, type="MESSAGE_RECEIVED", title="t", message="m") is not None


def test_connection_actions_and_network(a, b, django_assert_max_num_queries):
    client = client_for(a)
    res = client.post("/api/user/connections", {"action": "request", "username": "bob"})
    assert res.json() == {"action": "request", "username": "bob", "status": "pending"}
    assert (
        client.post("/api/user/connections", {"action": "request", "username": "bob"}).status_code
        == 409
    )
    assert (
        client.post("/api/user/connections", {"action": "fly", "username": "bob"}).status_code
        == 400
    )
    assert client.get("/api/network?stats=true").json() == {
        "connections": 0,
        "pending_incoming": 0,
        "pending_outgoing": 1,
    }
    res = client_for(b).post("/api/user/connections", {"action": "accept", "username": "alice"})
    assert res.json()["status"] == "connected"

    # Suggestions: people my connections know, most mutual connections first.
    friends = [UserFactory() for _ in range(3)]
    far1, far2 = UserFactory(username="far1"), UserFactory(username="far2")
    for f in friends:
        connection_request(user=a, username=f.username)
        connection_accept(user=f, username="alice")
        connection_request(user=f, username="far1")
        connection_accept(user=far1, username=f.username)
    connection_request(user=friends[0], username="far2")
    connection_accept(user=far2, username=friends[0].username)
    incoming = UserFactory(username="asker")
    connection_request(user=incoming, username="alice")
    # session + user, then the selector's three, whatever the network's size
    with django_assert_max_num_queries(5):
        net = client.get("/api/network").json()
    assert len(net["connections"]) == 4
    assert [r["user"]["username"] for r in net["incoming"]] == ["asker"]
    assert net["outgoing"] == []
    assert [(s["user"]["username"], s["mutual_connections"]) for s in net["suggestions"]] == [
        ("far1", 3),
        ("far2", 1),
    ]
    assert client.get("/api/network?stats=true").json()["connections"] == 4
