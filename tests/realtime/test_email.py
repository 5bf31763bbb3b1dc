"""The unread-messages email: a real Celery worker, a real SMTP conversation.

The test starts an SMTP server (aiosmtpd) and a worker process on the suite's Redis and
database; the web side enqueues with the real broker.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from celery import current_app
from django.conf import settings

from realtime.models import MessageEmailState
from realtime.services import message_send, messages_mark_read, notification_preferences_update
from tests.factories import UserFactory

from .live import ROOT, free_port, live_database_url

pytestmark = pytest.mark.django_db(transaction=True)


class Inbox:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def wait(self, count: int, timeout: float = 30) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.messages


@pytest.fixture(scope="module")
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture(scope="module")
def worker(smtp, django_db_setup):
    _, port = smtp
    env = {
        **os.environ,
        "DATABASE_URL": live_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "REALTIME_UNREAD_EMAIL_DELAY": "1",
        "LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "project",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        from common.jobs import _load_task_modules

        _load_task_modules()
        result = current_app.tasks["tasks.system.ping"].delay("up")
        assert result.get(timeout=90) == "up"
        yield proc
    finally:
        proc.terminate()
        proc.wait(20)


def test_unread_messages_are_emailed_once_as_a_batch(worker, smtp, settings):
    inbox, _ = smtp
    inbox.messages.clear()
    settings.REALTIME_UNREAD_EMAIL_DELAY = 1
    a = UserFactory(username="sender", display_name="Sam Sender")
    b = UserFactory(username="reader", email="reader@example.com", display_name="Rae")
    for i in range(3):
        message_send(sender=a, to="reader", content=f"Booth question {i}", client_id=str(i))

    got = inbox.wait(1)
    time.sleep(2)  # nothing else arrives: one email for the burst
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
