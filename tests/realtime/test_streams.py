"""Every account has its event-stream row from the start (realtime/signals.py).

A send then only locks rows that exist, so a new user's first event never waits on another
transaction's insert. Paths that make users without `post_save` (bulk loads) write the
rows themselves; a user without one still gets it on their first event.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client

from accounts.models import User
from bench.common import bench_users
from realtime.models import Event, EventStream
from realtime.services import message_send
from tests.accounts.test_auth_pages import NEW_PASSWORD
from tests.factories import UserFactory


def _stream(user_id: int) -> int | None:
    row = EventStream.objects.filter(user_id=user_id).first()
    return None if row is None else row.last_event_id


@pytest.mark.django_db
def test_signup_makes_the_stream_row_with_the_account():
    response = Client().post(
        "/_allauth/app/v1/auth/signup",
        data=json.dumps(
            {"email": "fresh@example.com", "username": "fresh", "password": NEW_PASSWORD}
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    user = User.objects.get(username="fresh")
    assert _stream(user.pk) == 0


@pytest.mark.django_db
def test_a_saved_existing_user_keeps_its_stream():
    """Only creation makes a row; later saves (and their events) leave it alone."""
    user = UserFactory()
    EventStream.objects.filter(user=user).update(last_event_id=7)
    user.display_name = "Renamed"
    user.save()
    assert _stream(user.pk) == 7


@pytest.mark.django_db
def test_bench_users_get_their_stream_rows():
    """bench_users() bulk-creates accounts (no post_save) and writes the rows itself."""
    users = bench_users(3, prefix="streamcheck")
    assert [_stream(u.pk) for u in users] == [0, 0, 0]


@pytest.mark.django_db(transaction=True)
def test_a_user_without_a_row_gets_it_on_the_first_event_without_waiting_on_others():
    """A user made without the signal (a raw bulk load) still receives: the send makes the
    row. It does not wait on another user's locked stream while doing so."""
    sender, receiver, busy = UserFactory(), UserFactory(), UserFactory()
    EventStream.objects.filter(user=receiver).delete()
    locked, release = threading.Event(), threading.Event()

    def hold_busy_users_stream():
        try:
            with transaction.atomic():
                EventStream.objects.select_for_update().get(user=busy)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_busy_users_stream)
    holder.start()
    try:
        assert locked.wait(10)
        started = time.monotonic()
        result = message_send(sender=sender, to=receiver.username, content="hi", client_id="1")
        elapsed = time.monotonic() - started
    finally:
        release.set()
        holder.join()
    assert result.created
    assert elapsed < 5
    ids = list(
        Event.objects.filter(user=receiver).order_by("event_id").values_list("event_id", flat=True)
    )
    assert ids
    assert ids == list(range(1, len(ids) + 1))
    assert _stream(receiver.pk) == ids[-1]
