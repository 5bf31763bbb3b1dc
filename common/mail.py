"""Email that leaves through a Celery worker, so no request waits on an SMTP server.

`send_after_commit(message)` turns a rendered Django email into plain JSON and enqueues
`tasks.email.send_email` after the current transaction commits (a rolled-back signup
sends nothing); the worker rebuilds the message and sends it through the configured
backend, retrying while the SMTP server is unreachable. In embedded mode the task runs
eagerly, right after the commit.
"""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives

from common.jobs import enqueue_on_commit

SEND_EMAIL_TASK = "tasks.email.send_email"


def email_to_data(message: EmailMessage) -> dict[str, Any]:
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "content_subtype": message.content_subtype,
        "alternatives": [
            [content, mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
    }


def email_from_data(data: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data.get("cc") or None,
        bcc=data.get("bcc") or None,
        reply_to=data.get("reply_to") or None,
        headers=data.get("headers") or None,
        alternatives=[tuple(a) for a in data.get("alternatives") or []],
    )
    message.content_subtype = data.get("content_subtype") or "plain"
    return message


def send_after_commit(message: EmailMessage) -> None:
    enqueue_on_commit(SEND_EMAIL_TASK, email_to_data(message))


def email_send(*, data: dict[str, Any]) -> int:
    """Send a message enqueued by `send_after_commit` (the worker's side)."""
    return email_from_data(data).send()
