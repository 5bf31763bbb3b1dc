"""The email services in this process, over a real SMTP conversation (the `smtp` fixture of
tests/conftest.py): the notification email's retry mails nobody twice, and the digest names a
deleted sender.
"""

from __future__ import annotations

import pytest
from celery import current_app
from django.core import mail
from django.utils import timezone

from common.auth import DELETED_USER_DISPLAY_NAME
from common.jobs import load_task_modules
from realtime.models import MessageEmailState
from realtime.services.emails import unread_message_email_send
from tests.factories import MessageFactory, UserFactory

pytestmark = pytest.mark.django_db

NOTIFICATION_EMAIL_TASK = "tasks.realtime.send_notification_email"


@pytest.fixture
def smtp_backend(smtp, settings):
    """Django's SMTP backend talking to the fixture's server; its inbox starts empty."""
    inbox, port = smtp
    inbox.messages.clear()
    inbox.refuse_once.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return inbox


def _recipients(inbox) -> list[str]:
    return sorted(address for rcpt_tos, _ in inbox.messages for address in rcpt_tos)


def test_a_retry_after_a_partial_failure_mails_nobody_twice(smtp_backend):
    inbox = smtp_backend
    ann, ben, cat = (UserFactory(email=f"{n}@example.com") for n in ("ann", "ben", "cat"))
    inbox.refuse_once.add("ben@example.com")  # ann is mailed, then ben's mail fails once
    load_task_modules()

    result = current_app.tasks[NOTIFICATION_EMAIL_TASK].apply(
        kwargs={
            "user_ids": [ann.pk, ben.pk, cat.pk],
            "title": "Your studio is verified",
            "message": "Congratulations.",
            "action_url": "/studios/1",
        },
        throw=False,  # as a worker does: the autoretry runs (eagerly, with the same task id)
    )

    assert result.successful(), result.traceback
    assert result.get() == 2  # the retry mailed ben and cat; ann was mailed before
    assert _recipients(inbox) == ["ann@example.com", "ben@example.com", "cat@example.com"]
    assert {mail_["Subject"] for _, mail_ in inbox.messages} == {"Your studio is verified"}
    assert "/studios/1" in inbox.messages[0][1].get_payload()


def test_another_task_mails_the_same_people_again(smtp_backend):
    """The record belongs to one task (its id), not to the people: a new notification
    reaches them."""
    inbox = smtp_backend
    ann = UserFactory(email="ann@example.com")
    load_task_modules()
    task = current_app.tasks[NOTIFICATION_EMAIL_TASK]
    for title in ("First", "Second"):
        assert task.apply(kwargs={"user_ids": [ann.pk], "title": title, "message": "m"}).get() == 1
    assert [m["Subject"] for _, m in inbox.messages] == ["First", "Second"]


def test_the_digest_names_a_deleted_sender_with_the_one_constant(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    reader = UserFactory(email="reader@example.com")
    MessageFactory(sender=None, receiver=reader, content="Still here?")
    MessageEmailState.objects.create(user=reader, due_at=timezone.now())

    assert unread_message_email_send(user_id=reader.pk) == 1

    [sent] = mail.outbox
    assert f"{DELETED_USER_DISPLAY_NAME}: Still here?" in sent.body
