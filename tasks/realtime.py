"""Realtime's background work: the unread-messages email, notification emails, log trimming."""

from __future__ import annotations

from celery import shared_task

from realtime.services.emails import (
    events_trim,
    notification_email_send,
    unread_message_email_send,
)

RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


@shared_task(
    name="tasks.realtime.send_unread_message_email", time_limit=60, soft_time_limit=50, **RETRY
)
def send_unread_message_email(user_id: int) -> int:
    return unread_message_email_send(user_id=user_id)


@shared_task(
    bind=True,
    name="tasks.realtime.send_notification_email",
    time_limit=60,
    soft_time_limit=50,
    **RETRY,
)
def send_notification_email(
    self, user_ids: list[int], title: str, message: str, action_url: str | None = None
) -> int:
    # The task id survives retries: the service records whom it mailed under it.
    return notification_email_send(
        user_ids=user_ids,
        title=title,
        message=message,
        action_url=action_url,
        send_key=self.request.id,
    )


@shared_task(name="tasks.realtime.trim_events", time_limit=600, soft_time_limit=540)
def trim_events() -> int:
    return events_trim()
