"""Accepting a connection request settles its notification: read, and the acceptor's
badge gets the new count (with `marked_read`) after the commit. Through either door to an
accept: connection_accept, or asking back (connection_request accepts a pending request)."""

from __future__ import annotations

import pytest

from common.errors import NotFound
from realtime.models import Event, Notification, NotificationType
from realtime.services import connection_accept, connection_request
from tests.factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("door", ["accept", "ask_back"])
def test_accepting_marks_the_request_notification_read(door):
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob")
    carol = UserFactory(username="carol")
    connection_request(user=alice, username="bob")
    connection_request(user=carol, username="bob")  # another request stays unread
    other = NotificationFactory(user=bob, read=False)
    requests = Notification.objects.filter(user=bob, type=NotificationType.CONNECTION_REQUEST)
    from_alice = requests.get(data__user_id=alice.pk)
    from_carol = requests.get(data__user_id=carol.pk)

    if door == "accept":
        connection_accept(user=bob, username="alice")
    else:
        connection_request(user=bob, username="alice")

    from_alice.refresh_from_db()
    from_carol.refresh_from_db()
    other.refresh_from_db()
    assert from_alice.read is True
    assert from_alice.read_at is not None
    assert from_carol.read is False
    assert other.read is False
    count = Event.objects.filter(user=bob, type="notification.count").order_by("event_id").last()
    assert count.payload["marked_read"] == [from_alice.pk]
    assert count.payload["unread"] == 2  # carol's request and the other notification


def test_a_stranger_cannot_settle_someone_elses_request():
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob")
    connection_request(user=alice, username="bob")
    with pytest.raises(NotFound):  # only the recipient accepts
        connection_accept(user=alice, username="bob")
    assert Notification.objects.get(user=bob).read is False
