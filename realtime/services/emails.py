"""Email that follows realtime activity: the unread-messages digest and notification emails."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from common.auth import DELETED_USER_DISPLAY_NAME

from .. import presence
from ..models import Event, Message, MessageEmailState, NotificationType
from ..selectors.notifications import notification_preference_get

logger = logging.getLogger(__name__)

DIGEST_MAX_LISTED = 20


def unread_message_email_send(*, user_id: int) -> int:
    """Email one digest of every unread message since the last digest; returns how many.

    Runs about REALTIME_UNREAD_EMAIL_DELAY after the first message of a burst. Sends only
    if messages are still unread, the user has no open socket and wants message email.
    Idempotent: the state row is locked and `due_at` cleared, so a second run (Celery may
    deliver twice with acks_late) finds nothing due. The mail goes out inside the
    transaction: if SMTP fails, nothing is recorded and the task retries.
    """
    User = get_user_model()
    with transaction.atomic(durable=True):
        state = MessageEmailState.objects.select_for_update().filter(user_id=user_id).first()
        if state is None or state.due_at is None:
            return 0
        state.due_at = None
        user = User.objects.filter(pk=user_id).first()
        wants = notification_preference_get(user_id=user_id, type=NotificationType.MESSAGE_RECEIVED)
        if (
            user is None
            or not user.is_active
            or not user.email
            or not wants["email"]
            or presence.is_online(user_id)
        ):
            state.save(update_fields=["due_at"])
            return 0
        unread = list(
            Message.objects.filter(
                receiver_id=user_id, is_read=False, pk__gt=state.last_emailed_message_id
            )
            .select_related("sender")
            .order_by("pk")
        )
        if not unread:
            state.save(update_fields=["due_at"])
            return 0
        count = len(unread)
        lines = []
        for message in unread[:DIGEST_MAX_LISTED]:
            who = message.sender.display_name if message.sender else DELETED_USER_DISPLAY_NAME
            snippet = (
                message.content if len(message.content) <= 140 else message.content[:139] + "…"
            )
            lines.append(f"{who}: {snippet}")
        if count > DIGEST_MAX_LISTED:
            lines.append(f"… and {count - DIGEST_MAX_LISTED} more.")
        noun = "message" if count == 1 else "messages"
        send_mail(
            subject=f"You have {count} unread {noun} on Studio Finder",
            message="\n".join(
                [
                    f"Hello {user.display_name},",
                    "",
                    *lines,
                    "",
                    f"Read them: {settings.SITE_URL}/messages",
                ]
            ),
            from_email=None,
            recipient_list=[user.email],
        )
        state.last_emailed_message_id = unread[-1].pk
        state.last_emailed_at = timezone.now()
        state.save(update_fields=["due_at", "last_emailed_message_id", "last_emailed_at"])
        return count


# How long a notification email remembers whom it has mailed: far longer than the task's
# retries take (exponential backoff, five retries: minutes), so a retry or a second delivery
# of the same task (acks_late, celery #5935) mails nobody twice.
NOTIFICATION_EMAIL_RECORD_SECONDS = 7 * 24 * 3600


def _notification_email_record(send_key: str, user_id: int) -> str:
    return f"realtime:notification-email:{send_key}:{user_id}"


def notification_email_send(
    *,
    user_ids: list[int],
    title: str,
    message: str,
    action_url: str | None = None,
    send_key: str | None = None,
) -> int:
    """The email twin of an in-app notification (per-type email preference on); returns
    how many people this call mailed.

    Idempotent per recipient under `send_key` (the Celery task's id, which its retries
    keep): each recipient is claimed in the shared cache before the mail goes out and the
    claim is released if sending fails, so a retry after a partial failure mails only
    those it has not reached yet. Without a key every call mails everyone.
    """
    link = f"\n\n{settings.SITE_URL}{action_url}" if action_url else ""
    sent = 0
    recipients = (
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", "email")
    )
    for user_id, email in recipients:
        record = _notification_email_record(send_key, user_id) if send_key else None
        if record and not cache.add(record, "sent", timeout=NOTIFICATION_EMAIL_RECORD_SECONDS):
            continue  # mailed by an earlier attempt of this task
        try:
            send_mail(
                subject=title, message=f"{message}{link}", from_email=None, recipient_list=[email]
            )
        except Exception:
            if record:
                cache.delete(record)  # not mailed: the retry will try this one again
            raise
        sent += 1
    return sent


def events_trim(*, older_than_days: int | None = None, batch: int = 10_000) -> int:
    """Delete events past the retention; a resume from before them gets resync_required."""
    days = settings.REALTIME_EVENT_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    deleted = 0
    while True:
        ids = list(Event.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        deleted += Event.objects.filter(pk__in=ids).delete()[0]
