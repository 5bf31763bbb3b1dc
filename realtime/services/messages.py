"""Messages: send (socket and REST), mark read. One behaviour, two executors.

`message_send` is the REST path and the reference: on PostgreSQL it makes the same call
as the socket (`realtime_message_send()`, realtime/sql.py) through Django's connection; on
SQLite (embedded mode) it runs the ORM version below. `message_send_async` is the
socket's path: the same call on the event loop through psycopg's async pool. A test runs
the ORM version on PostgreSQL too and compares rows and events with the SQL version.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, Literal

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from common.errors import NotFound, ValidationFailed
from common.jobs import enqueue_on_commit_with_options

from .. import db, events, sql
from ..events import Frame, event_batch, push_frames_async
from ..models import Message, MessageEmailState, Notification, NotificationType
from ..serialization import message_json
from .notifications import notify

logger = logging.getLogger(__name__)

EMAIL_TASK = "tasks.realtime.send_unread_message_email"

Rules = Literal["chat", "contact"]
# Chat frames may be short; the contact form keeps the legacy site's rules.
LIMITS: dict[str, dict[str, tuple[int, int]]] = {
    "chat": {"content": (1, 2000), "subject": (0, 200)},
    "contact": {"content": (10, 2000), "subject": (5, 200)},
}


@dataclass(frozen=True)
class SendResult:
    message: dict[str, Any]
    sender_event_id: int
    created: bool
    frames: tuple[Frame, ...] = ()


def _validate(
    *, sender: Any, to: str, content: Any, subject: Any, client_id: Any, rules: Rules
) -> None:
    errors: dict[str, list[str]] = {}
    limits = LIMITS[rules]
    lo, hi = limits["content"]
    if not isinstance(content, str) or not lo <= len(content.strip()) <= hi:
        errors["content"] = [f"Must be {lo}–{hi} characters."]
    lo, hi = limits["subject"]
    bad_subject = subject is not None and (
        not isinstance(subject, str) or not lo <= len(subject.strip()) <= hi
    )
    if (subject is None and lo) or bad_subject:
        errors["subject"] = [f"Must be {lo}–{hi} characters."]
    if client_id is not None and (not isinstance(client_id, str) or not 1 <= len(client_id) <= 64):
        errors["client_id"] = ["Must be a string of 1–64 characters."]
    if not isinstance(to, str) or not to:
        errors["to"] = ["Name the receiver by username."]
    elif to.lower() == sender.username.lower():
        errors["to"] = ["You cannot message yourself."]
    if errors:
        raise ValidationFailed(fields=errors)


def _notification_params(sender: Any) -> dict[str, Any]:
    name = sender.display_name or sender.username
    return {
        "n_title": f"New message from {name}"[:200],
        "n_message": f"{name} sent you a message.",
        "n_data": json.dumps({"conversation": sender.username, "sender_id": sender.pk}),
        "n_action_url": f"/messages/{sender.username}",
        "n_key": f"conversation:{sender.pk}",
    }


def _params(*, sender, to, content, subject, client_id, context) -> dict[str, Any]:
    return {
        "sender": sender.pk,
        "to": to,
        "content": content,
        "subject": subject,
        "client_id": client_id,
        "context": json.dumps(context) if context is not None else None,
        "email_delay": int(settings.REALTIME_UNREAD_EMAIL_DELAY),
        **_notification_params(sender),
    }


def _result_from_row(row: tuple) -> SendResult:
    status, message, sender_event_id, frames, _email_user_id, _receiver_id = row
    if status == "not_found":
        raise NotFound("No active user with that username.", code="not_found")
    if status == "self":
        raise ValidationFailed(fields={"to": ["You cannot message yourself."]})
    if isinstance(message, str):
        message = json.loads(message)
    if isinstance(frames, str):
        frames = json.loads(frames)
    return SendResult(
        message=message,
        sender_event_id=sender_event_id,
        created=status == "ok",
        frames=tuple((u, e, f) for u, e, f in (frames or [])),
    )


def _schedule_email(receiver_id: int) -> None:
    enqueue_on_commit_with_options(
        EMAIL_TASK, args=(receiver_id,), countdown=settings.REALTIME_UNREAD_EMAIL_DELAY
    )


def message_send(
    *,
    sender: Any,
    to: str,
    content: str,
    subject: str | None = None,
    client_id: str | None = None,
    context: dict[str, Any] | None = None,
    rules: Rules = "chat",
    use_sql: bool | None = None,
    push: bool = True,
) -> SendResult:
    """Send a message; idempotent per (sender, client_id). Events and email leave on commit."""
    _validate(
        sender=sender, to=to, content=content, subject=subject, client_id=client_id, rules=rules
    )
    if use_sql is None:
        use_sql = connection.vendor == "postgresql"
    if not use_sql:
        return _message_send_orm(
            sender=sender,
            to=to,
            content=content,
            subject=subject,
            client_id=client_id,
            context=context,
            push=push,
        )
    params = _params(
        sender=sender, to=to, content=content, subject=subject, client_id=client_id, context=context
    )
    for _attempt in range(2):
        with transaction.atomic(durable=True):
            with connection.cursor() as cursor:
                cursor.execute(sql.SEND_MESSAGE, params)
                row = cursor.fetchone()
            if row[0] != "no_stream":
                result = _result_from_row(row)
                if push and result.frames:
                    transaction.on_commit(partial(events.push_frames, list(result.frames)))
                if row[4] is not None:
                    _schedule_email(row[4])
                return result
        # First message to or from someone who never connected: create the stream rows.
        with transaction.atomic(durable=True), connection.cursor() as cursor:
            cursor.execute(sql.ENSURE_STREAMS, params)
    raise RuntimeError("event streams could not be created")


async def message_send_async(
    *,
    sender: Any,
    to: str,
    content: str,
    subject: str | None = None,
    client_id: str | None = None,
    context: dict[str, Any] | None = None,
    push: bool = True,
) -> SendResult:
    """The socket's `message.send`: one call on the event loop, no thread hop."""
    _validate(
        sender=sender, to=to, content=content, subject=subject, client_id=client_id, rules="chat"
    )
    if not db.enabled():
        return await sync_to_async(message_send)(
            sender=sender,
            to=to,
            content=content,
            subject=subject,
            client_id=client_id,
            context=context,
        )
    params = _params(
        sender=sender, to=to, content=content, subject=subject, client_id=client_id, context=context
    )
    row = None
    for _attempt in range(2):
        row = await db.fetchone(sql.SEND_MESSAGE, params)  # one round trip, autocommit
        if row[0] != "no_stream":
            break
        await db.execute(sql.ENSURE_STREAMS, params)
    result = _result_from_row(row)
    # Committed: ring the doorbells, then (once per unread burst) schedule the email.
    if push and result.frames:
        await push_frames_async(result.frames)
    if row[4] is not None:
        await sync_to_async(_schedule_email_now)(row[4])
    return result


def _schedule_email_now(receiver_id: int) -> None:
    from celery import current_app

    from common.jobs import _load_task_modules

    _load_task_modules()
    current_app.tasks[EMAIL_TASK].apply_async(
        args=(receiver_id,), countdown=settings.REALTIME_UNREAD_EMAIL_DELAY
    )


def _message_send_orm(
    *, sender, to, content, subject, client_id, context, push: bool = True
) -> SendResult:
    """The ORM version (SQLite embedded mode, and the reference the SQL is tested against)."""
    User = get_user_model()
    receiver = User.objects.filter(username__iexact=to, is_active=True).first()
    if receiver is None:
        raise NotFound("No active user with that username.", code="not_found")
    if receiver.pk == sender.pk:
        raise ValidationFailed(fields={"to": ["You cannot message yourself."]})
    with (
        transaction.atomic(durable=True),
        event_batch(lock=[sender.pk, receiver.pk], push=push) as batch,
    ):
        if client_id is not None:
            dup = (
                Message.objects.select_related("sender", "receiver")
                .filter(sender=sender, client_id=client_id)
                .first()
            )
            if dup is not None:
                return SendResult(
                    message=message_json(dup, sender=dup.sender, receiver=dup.receiver),
                    sender_event_id=dup.sender_event_id,
                    created=False,
                )
        sender_event_id = batch.next_event_id(sender.pk)
        message = Message.objects.create(
            sender=sender,
            receiver=receiver,
            subject=subject,
            content=content,
            client_id=client_id,
            context=context,
            sender_event_id=sender_event_id,
        )
        message.refresh_from_db(fields=["created_at"])
        body = message_json(message, sender=sender, receiver=receiver)
        batch.add(user_id=sender.pk, payload={"type": "message.new", "message": body})
        batch.add(user_id=receiver.pk, payload={"type": "message.new", "message": body})
        n = _notification_params(sender)
        notify(
            user_id=receiver.pk,
            type=NotificationType.MESSAGE_RECEIVED,
            title=n["n_title"],
            message=n["n_message"],
            data={**json.loads(n["n_data"]), "message_id": message.pk},
            action_url=n["n_action_url"],
            coalesce_key=n["n_key"],
        )
        state, created = MessageEmailState.objects.select_for_update().get_or_create(
            user_id=receiver.pk
        )
        if created or state.due_at is None:
            state.due_at = timezone.now() + timedelta(seconds=settings.REALTIME_UNREAD_EMAIL_DELAY)
            state.save(update_fields=["due_at"])
            _schedule_email(receiver.pk)
    frames = tuple(batch.last_frames)
    return SendResult(message=body, sender_event_id=sender_event_id, created=True, frames=frames)


def messages_mark_read(
    *,
    reader: Any,
    with_username: str | None = None,
    up_to_id: int | None = None,
    ids: list[int] | None = None,
) -> int:
    """Mark received messages read: a conversation up to an id, or explicit ids.

    Pushes `message.read {by, with, up_to_id}` to the reader's sockets and the sender's
    (the read receipt), per conversation touched, and clears the conversation's
    coalesced notification once nothing in it is unread.
    """
    User = get_user_model()
    if ids is None and (with_username is None or up_to_id is None):
        raise ValidationFailed(fields={"with": ["Give with and up_to_id, or ids."]})
    qs = Message.objects.filter(receiver=reader, is_read=False)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    else:
        other = User.objects.filter(username__iexact=with_username).first()
        if other is None:
            raise NotFound("No user with that username.")
        qs = qs.filter(sender=other, pk__lte=up_to_id)
    senders = sorted(set(qs.values_list("sender_id", flat=True).distinct()) - {None})
    if not senders:
        return 0
    changed = 0
    with transaction.atomic(durable=True), event_batch(lock=[reader.pk, *senders]) as batch:
        now = timezone.now()
        for sender_id in senders:
            part = qs.filter(sender_id=sender_id)
            marked = list(part.select_for_update().order_by("pk").values_list("pk", flat=True))
            if not marked:
                continue
            Message.objects.filter(pk__in=marked, is_read=False).update(is_read=True, read_at=now)
            changed += len(marked)
            sender = User.objects.only("username").get(pk=sender_id)
            payload = {
                "type": "message.read",
                "by": reader.username,
                "with": sender.username,
                "up_to_id": up_to_id if ids is None else max(marked),
                "ids": marked,
            }
            batch.add(user_id=sender_id, payload=payload)
            batch.add(user_id=reader.pk, payload=payload)
            still_unread = Message.objects.filter(
                receiver=reader, sender_id=sender_id, is_read=False
            ).exists()
            if not still_unread:
                cleared = list(
                    Notification.objects.filter(
                        user_id=reader.pk, coalesce_key=f"conversation:{sender_id}", read=False
                    ).values_list("pk", flat=True)
                )
                if cleared:
                    Notification.objects.filter(pk__in=cleared).update(
                        read=True, read_at=now, updated_at=now
                    )
                    unread = Notification.objects.filter(user_id=reader.pk, read=False).count()
                    batch.add(
                        user_id=reader.pk,
                        payload={
                            "type": "notification.count",
                            "unread": unread,
                            "marked_read": cleared,
                        },
                    )
    return changed
