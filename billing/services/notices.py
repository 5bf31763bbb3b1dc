"""Notices sent once: an in-app notification and an email, keyed in the BillingNotice ledger.

Inside the caller's transaction: a rolled-back processing run leaves no ledger row and
sends nothing (the email leaves after commit), a committed one can never send again.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction

from common.mail import send_after_commit
from realtime.services import notify

from ..models import BillingNotice


def notice_send_once(
    *,
    key: str,
    user: Any,
    type: str | None,
    title: str,
    message: str,
    email_subject: str | None = None,
    email_body: str | None = None,
    data: dict[str, Any] | None = None,
    action_url: str | None = "/billing",
) -> bool:
    """Send the notice unless `key` was sent before; True when sent now."""
    try:
        with transaction.atomic():
            BillingNotice.objects.create(key=key[:255], user=user)
    except IntegrityError:
        return False
    if type is not None:
        notify(
            user_id=user.pk,
            type=type,
            title=title,
            message=message,
            data=data,
            action_url=action_url,
        )
    if email_subject and user.email:
        send_after_commit(
            EmailMessage(
                subject=email_subject,
                body=f"{email_body or message}\n\n{settings.SITE_URL}{action_url or ''}\n",
                to=[user.email],
            )
        )
    return True
