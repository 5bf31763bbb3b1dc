"""Account emails (allauth's) leave through a Celery worker after commit, not the request.

A real worker and a real SMTP conversation (the `worker` and `smtp` fixtures of
tests/conftest.py): the headless signup returns, then the verification email arrives.
"""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.test import Client

from accounts.models import User
from common.mail import email_from_data, email_to_data, send_after_commit

APP = "/_allauth/app/v1"
PASSWORD = "a-long-passphrase-42"


@pytest.mark.django_db(transaction=True)
def test_signup_verification_email_is_sent_by_the_worker(worker, smtp):
    inbox, _ = smtp
    inbox.messages.clear()
    response = Client().post(
        f"{APP}/auth/signup",
        json.dumps({"email": "queued@example.com", "username": "queued", "password": PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert User.objects.filter(username="queued").exists()

    got = inbox.wait(1)
    assert len(got) == 1
    recipients, message = got[0]
    assert recipients == ["queued@example.com"]
    assert "/accounts/confirm-email/" in message.get_payload()


def test_a_message_survives_the_trip_through_json():
    from django.core.mail import EmailMultiAlternatives

    original = EmailMultiAlternatives(
        subject="Hello",
        body="plain",
        from_email="Studio Finder <noreply@example.com>",
        to=["a@example.com"],
        bcc=["audit@example.com"],
        reply_to=["help@example.com"],
        headers={"X-Kind": "test"},
    )
    original.attach_alternative("<p>html</p>", "text/html")
    data = json.loads(json.dumps(email_to_data(original)))  # what the broker carries
    copy = email_from_data(data)
    assert copy.message().as_bytes() != b""
    for attr in ("subject", "body", "from_email", "to", "cc", "bcc", "reply_to", "extra_headers"):
        assert getattr(copy, attr) == getattr(original, attr), attr
    assert [tuple(a) for a in copy.alternatives] == [("<p>html</p>", "text/html")]


def test_nothing_is_sent_when_the_transaction_rolls_back(outbox):
    from django.core.mail import EmailMessage

    def signup_that_fails() -> None:
        with transaction.atomic():
            send_after_commit(EmailMessage("Never", "sent", to=["x@example.com"]))
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        signup_that_fails()
    assert outbox == []

    with transaction.atomic():
        send_after_commit(EmailMessage("Sent", "after commit", to=["x@example.com"]))
        assert outbox == []  # not before the commit
    assert [m.subject for m in outbox] == ["Sent"]
