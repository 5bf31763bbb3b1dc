"""Notices sent once: an in-app notification and an email, keyed in the BillingNotice ledger.

One email per notice, whatever the preferences: when the user's preference emails this
notification type, `notify` sends its email twin and that is the email; when it does not,
the billing email (a receipt, a failure, a reminder: transactional) is sent here.

Inside the caller's transaction: a rolled-back processing run leaves no ledger row and
sends nothing (the email leaves after commit), a committed one can never send again.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction

from common.mail import send_after_commit
from realtime.selectors.notifications import notification_preference_get
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
    notify_emails = False
    if type is not None:
        notify_emails = notification_preference_get(user_id=user.pk, type=type)["email"]
        notify(
            user_id=user.pk,
            type=type,
            title=title,
            message=message,
            data=data,
            action_url=action_url,
        )
    if email_subject and user.email and not notify_emails:
        send_after_commit(
            EmailMessage(
                subject=email_subject,
                body=f"{email_body or message}\n\n{settings.SITE_URL}{action_url or ''}\n",
                to=[user.email],
            )
        )
    return True
