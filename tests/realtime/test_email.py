"""The unread-messages email: a real Celery worker, a real SMTP conversation.

The `smtp` and `worker` fixtures (tests/conftest.py) start an SMTP server (aiosmtpd) and a
worker process on the suite's Redis and database; the web side enqueues with the real broker.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from celery import current_app

from common.jobs import load_task_modules
from realtime.models import MessageEmailState
from realtime.services import message_send, messages_mark_read, notification_preferences_update
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_unread_messages_are_emailed_once_as_a_batch(worker, smtp, settings):
    inbox, _ = smtp
    inbox.messages.clear()
    settings.REALTIME_UNREAD_EMAIL_DELAY = 1
    a = UserFactory(username="sender", display_name="Sam Sender")
    b = UserFactory(username="reader", email="reader@example.com", display_name="Rae")
    for i in range(3):
        message_send(sender=a, to="reader", content=f"Booth question {i}", client_id=str(i))

    got = inbox.wait(1)
    # Nothing else arrives: a ping enqueued after the burst with the same countdown runs
    # after every email task of the burst (one solo worker runs due tasks in ETA order),
    # so once it has answered, any second email would already be in the inbox.
    load_task_modules()
    ping = current_app.tasks["tasks.system.ping"].apply_async(
        ("after the burst",), countdown=settings.REALTIME_UNREAD_EMAIL_DELAY
    )
    assert ping.get(timeout=30) == "after the burst"
    assert len(inbox.messages) == 1
    rcpt, mail = got[0]
    assert rcpt == ["reader@example.com"]
    assert mail["Subject"] == "You have 3 unread messages on Studio Finder"
    body = mail.get_payload()
    assert all(f"Sam Sender: Booth question {i}" in body for i in range(3))
    state = MessageEmailState.objects.get(user=b)
    assert state.due_at is None
    assert state.last_emailed_at is not None

    # The next burst mails only what came after the last email.
    message_send(sender=a, to="reader", content="One more", client_id="4")
    got = inbox.wait(2)
    assert got[1][1]["Subject"] == "You have 1 unread message on Studio Finder"
    assert "One more" in got[1][1].get_payload()
    assert "Booth question" not in got[1][1].get_payload()


def test_no_email_when_read_in_time_or_email_off(worker, smtp, settings):
    inbox, _ = smtp
    inbox.messages.clear()
    settings.REALTIME_UNREAD_EMAIL_DELAY = 1
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    sent = message_send(sender=a, to=b.username, content="read me fast", client_id="r")
    messages_mark_read(reader=b, with_username=a.username, up_to_id=sent.message["id"])
    notification_preferences_update(
        user_id=c.pk, preferences={"MESSAGE_RECEIVED": {"email": False}}
    )
    message_send(sender=a, to=c.username, content="no email please", client_id="n")
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline:
        states = list(MessageEmailState.objects.filter(user__in=[b, c]))
        if states and all(s.due_at is None for s in states):
            break
        time.sleep(0.2)
    assert [s.due_at for s in MessageEmailState.objects.filter(user__in=[b, c])] == [None, None]
    assert inbox.messages == []


async def test_no_email_while_a_socket_is_open(worker, smtp, settings, close_pool):
    from channels.db import database_sync_to_async

    from .conftest import open_socket

    inbox, _ = smtp
    inbox.messages.clear()
    settings.REALTIME_UNREAD_EMAIL_DELAY = 1
    a = await database_sync_to_async(UserFactory)()
    b = await database_sync_to_async(UserFactory)()
    sock, _ = await open_socket(cookie_user=b)  # online: presence in Redis
    await database_sync_to_async(message_send)(
        sender=a, to=b.username, content="you are here", client_id="o"
    )
    for _ in range(60):
        state = await database_sync_to_async(MessageEmailState.objects.get)(user=b)
        if state.due_at is None:
            break
        await asyncio.sleep(0.2)
    assert state.due_at is None  # the task ran ...
    assert inbox.messages == []  # ... and sent nothing
    await sock.close()
