"""Notifications: the one `notify` every app calls, mark-as-read, per-type preferences."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from common.errors import ValidationFailed
from common.jobs import enqueue_on_commit

from ..event_types import notification_count, notification_new
from ..events import event_batch, send_event_on_commit
from ..models import Notification, NotificationPreference, NotificationType
from ..selectors.notifications import (
    notification_preference_get,
    notification_preferences_many,
)
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
    return notify_many(
        user_ids=[user_id],
        type=type,
        title=title,
        message=message,
        data=data,
        action_url=action_url,
        coalesce_key=coalesce_key,
    )[user_id]


def notify_many(
    *,
    user_ids: Iterable[int],
    type: NotificationType | str,
    title: str,
    message: str,
    data: dict[str, Any] | None = None,
    action_url: str | None = None,
    coalesce_key: str | None = None,
) -> dict[int, Notification | None]:
    """`notify` for many people at once (announcements): one transaction, bulk writes.

    Same rules as `notify`, per user; a fixed number of queries whatever the count.
    """
    type = NotificationType(type)
    user_ids = sorted({int(u) for u in user_ids})
    prefs = notification_preferences_many(user_ids=user_ids, type=type)
    emailed = [u for u in user_ids if prefs[u]["email"]]
    if emailed and type != NotificationType.MESSAGE_RECEIVED:
        enqueue_on_commit(
            "tasks.realtime.send_notification_email",
            user_ids=emailed,
            title=title,
            message=message,
            action_url=action_url,
        )
    result: dict[int, Notification | None] = dict.fromkeys(user_ids)
    in_app = [u for u in user_ids if prefs[u]["in_app"]]
    if not in_app:
        return result
    with transaction.atomic(), event_batch(lock=in_app):
        if coalesce_key:
            for n in Notification.objects.filter(
                user_id__in=in_app, coalesce_key=coalesce_key, read=False
            ):
                result[n.user_id] = n
        new = [
            Notification(
                user_id=u,
                type=type,
                title=title[:200],
                message=message,
                data=data,
                action_url=action_url,
                coalesce_key=coalesce_key,
            )
            for u in in_app
            if result[u] is None
        ]
        if not new:
            return result
        try:
            with transaction.atomic():
                Notification.objects.bulk_create(new)
        except IntegrityError:
            # Only reachable if a writer skipped the stream lock; the unique index holds.
            logger.warning("coalesced notification raced for %s", coalesce_key)
            return result
        unread = dict(
            Notification.objects.filter(user_id__in=[n.user_id for n in new], read=False)
            .values("user_id")
            .annotate(n=Count("id"))
            .values_list("user_id", "n")
        )
        for n in new:
            result[n.user_id] = n
            send_event_on_commit(event=notification_new(notification_json(n)), user_ids=[n.user_id])
            send_event_on_commit(
                event=notification_count(unread=unread[n.user_id]), user_ids=[n.user_id]
            )
    return result


def notifications_mark_read(
    *, user_id: int, ids: Iterable[int] | None = None, all: bool = False
) -> int:
    """Mark some or all of a user's notifications read; push the new count if it changed."""
    if not all and ids is None:
        raise ValidationFailed("Give ids or all.", fields={"ids": ["Give ids or all: true."]})
    with transaction.atomic(durable=True), event_batch(lock=[user_id]):
        qs = Notification.objects.filter(user_id=user_id)
        if not all:
            qs = qs.filter(pk__in=list(ids))
        marked = notifications_mark_read_in(user_id=user_id, queryset=qs)
    return len(marked)


def notifications_mark_read_in(*, user_id: int, queryset) -> list[int]:
    """Mark read the unread ones of `queryset` (one user's) inside the caller's transaction,
    and push the new count; for services whose action settles a notification (accepting a
    connection request reads its notification)."""
    marked = sorted(queryset.filter(user_id=user_id, read=False).values_list("pk", flat=True))
    if marked:
        now = timezone.now()
        Notification.objects.filter(pk__in=marked).update(read=True, read_at=now, updated_at=now)
        unread = Notification.objects.filter(user_id=user_id, read=False).count()
        send_event_on_commit(
            event=notification_count(unread=unread, marked_read=marked), user_ids=[user_id]
        )
    return marked


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
