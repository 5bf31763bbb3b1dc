"""Notifications: the one `notify` every app calls, mark-as-read, per-type preferences."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from common.errors import ValidationFailed
from common.jobs import enqueue_on_commit

from ..events import event_batch
from ..models import Notification, NotificationPreference, NotificationType
from ..selectors.notifications import notification_preference_get
from ..serialization import notification_json

logger = logging.getLogger(__name__)


def notify(
    *,
    user_id: int,
    type: NotificationType | str,
    title: str,
    message: str,
    data: dict[str, Any] | None = None,
    action_url: str | None = None,
    coalesce_key: str | None = None,
) -> Notification | None:
    """Create an in-app notification and push `notification.new` and `notification.count`.

    Honours the user's preferences for `type`: in-app off stores nothing (returns None);
    email on sends an email after commit (message notifications are emailed as a digest
    by the unread-messages task instead). With `coalesce_key`, while an unread
    notification with that key exists no other is created and nothing is pushed: the
    existing one is returned.
    """
    type = NotificationType(type)
    prefs = notification_preference_get(user_id=user_id, type=type)
    if prefs["email"] and type != NotificationType.MESSAGE_RECEIVED:
        enqueue_on_commit(
            "tasks.realtime.send_notification_email",
            user_id=user_id,
            title=title,
            message=message,
            action_url=action_url,
        )
    if not prefs["in_app"]:
        return None
    with transaction.atomic(), event_batch(lock=[user_id]) as batch:
        if coalesce_key:
            existing = Notification.objects.filter(
                user_id=user_id, coalesce_key=coalesce_key, read=False
            ).first()
            if existing is not None:
                return existing
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    user_id=user_id,
                    type=type,
                    title=title[:200],
                    message=message,
                    data=data,
                    action_url=action_url,
                    coalesce_key=coalesce_key,
                )
        except IntegrityError:
            # Only reachable if a writer skipped the stream lock; the unique index holds.
            return Notification.objects.get(user_id=user_id, coalesce_key=coalesce_key, read=False)
        unread = Notification.objects.filter(user_id=user_id, read=False).count()
        batch.add(
            user_id=user_id,
            payload={"type": "notification.new", "notification": notification_json(notification)},
        )
        batch.add(user_id=user_id, payload={"type": "notification.count", "unread": unread})
    return notification


def notifications_mark_read(
    *, user_id: int, ids: Iterable[int] | None = None, all: bool = False
) -> int:
    """Mark some or all of a user's notifications read; push the new count if it changed."""
    if not all and ids is None:
        raise ValidationFailed("Give ids or all.", fields={"ids": ["Give ids or all: true."]})
    with transaction.atomic(durable=True), event_batch(lock=[user_id]) as batch:
        qs = Notification.objects.filter(user_id=user_id, read=False)
        if not all:
            qs = qs.filter(pk__in=list(ids))
        marked = sorted(qs.values_list("pk", flat=True))
        if marked:
            now = timezone.now()
            Notification.objects.filter(pk__in=marked).update(
                read=True, read_at=now, updated_at=now
            )
            unread = Notification.objects.filter(user_id=user_id, read=False).count()
            batch.add(
                user_id=user_id,
                payload={"type": "notification.count", "unread": unread, "marked_read": marked},
            )
    return len(marked)


def notification_preferences_update(
    *, user_id: int, preferences: dict[str, dict[str, bool]]
) -> None:
    """Set in-app/email per type; types not mentioned keep their current choice."""
    with transaction.atomic(durable=True):
        for type_, values in preferences.items():
            current = notification_preference_get(user_id=user_id, type=type_)
            NotificationPreference.objects.update_or_create(
                user_id=user_id,
                type=NotificationType(type_),
                defaults={
                    "in_app": values.get("in_app", current["in_app"]),
                    "email": values.get("email", current["email"]),
                },
            )
