"""Messages: send and mark read.

`message_send` is every door's send (REST, tasks, the admin, tests); `message_send_async`
is the socket's, the same steps on the event loop without a thread hop. Both run:

1. `_check_fields`     the frame's or form's fields (no I/O);
2. store.parties       the sender and the receiver in one query (the socket: from the
                       process's cache when it has them);
3. `_check_parties`    who may send to whom: a verified, unsuspended sender; an active,
                       unsuspended receiver (else the same 404 as an unknown name, so a
                       suspension does not leak); not to yourself;
4. context             checked by the validator the owning app registered (services/context.py);
5. the send budget     one per user across doors (services/budget.py);
6. `_draft`            every JSON object the events carry, built once (realtime/serialization.py);
7. store.write         the write (services/message_store.py: one SQL call on PostgreSQL,
                       the ORM in embedded mode). On PostgreSQL it writes only if both
                       users' rows are still the versions step 2 read; else it answers
                       stale, and steps 2–7 run again with a fresh read (the budget is
                       spent once).

Events leave after commit; with `push=False` the caller pushes `result.frames` itself (the
socket rings the receiver before it acks). The unread-message email is scheduled once per
unread burst; the socket's send enqueues it in the background, after it has answered.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from functools import partial
from types import SimpleNamespace
from typing import Any, Literal

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from common.auth import ensure_can_write_content
from common.errors import Conflict, DomainError, NotAuthenticated, NotFound, ValidationFailed
from common.jobs import enqueue_now, enqueue_on_commit_with_options

from .. import events
from ..event_types import message_new, notification_count, notification_new
from ..events import Frame, event_batch, push_frames_async, send_event_on_commit
from ..models import Message, Notification, NotificationType
from ..serialization import message_json, notification_json
from .budget import message_budget_spend, message_budget_spend_async
from .context import message_context_clean
from .message_store import Draft, Party, Written, message_store

logger = logging.getLogger(__name__)

EMAIL_TASK = "tasks.realtime.send_unread_message_email"

Rules = Literal["chat", "contact"]
# Chat frames may be short; the contact form keeps the legacy site's rules.
LIMITS: dict[str, dict[str, tuple[int, int]]] = {
    "chat": {"content": (1, 2000), "subject": (0, 200)},
    "contact": {"content": (10, 2000), "subject": (5, 200)},
}
NOT_FOUND_MESSAGE = "No active user with that username."
# A write answered stale this many times in a row (a user's row changing under every try).
STALE_TRIES = 3
# The socket's background email enqueues, kept referenced until they end.
_background: set[asyncio.Future] = set()


@dataclass(frozen=True)
class SendResult:
    message: dict[str, Any]
    sender_event_id: int
    created: bool
    frames: tuple[Frame, ...] = ()


def _check_fields(
    *, sender: Any, to: Any, content: Any, subject: Any, client_id: Any, rules: Rules
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
    if not isinstance(to, str) or not to or len(to) > 150:
        errors["to"] = ["Name the receiver by username."]
    elif to.lower() == sender.username.lower():
        errors["to"] = ["You cannot message yourself."]
    if errors:
        raise ValidationFailed(fields=errors)


def _check_parties(sender: Party | None, receiver: Party | None) -> Party:
    """The rules about people; returns the receiver."""
    if sender is None or not sender.is_active:
        raise NotAuthenticated()
    ensure_can_write_content(sender)  # 403 suspended / email_unverified
    if receiver is None or not receiver.is_active or receiver.is_suspended:
        raise NotFound(NOT_FOUND_MESSAGE, code="not_found")
    if receiver.id == sender.id:
        raise ValidationFailed(fields={"to": ["You cannot message yourself."]})
    return receiver


def _draft(
    *,
    sender: Party,
    receiver: Party,
    content: str,
    subject: str | None,
    client_id: str | None,
    context: dict[str, Any] | None,
) -> Draft:
    """Every JSON object of the send, built once; the store fills in the ids."""
    now = timezone.now()
    # Unsaved rows as the serializers read them (plain objects: model instances cost more
    # to make than the rest of the send on the hot path).
    message = SimpleNamespace(
        pk=0,
        subject=subject,
        content=content,
        is_read=False,
        client_id=client_id,
        context=context,
        created_at=now,
    )
    name = sender.display_name or sender.username
    notification = SimpleNamespace(
        pk=0,
        type=NotificationType.MESSAGE_RECEIVED.value,
        title=f"New message from {name}"[:200],
        message=f"{name} sent you a message.",
        data={"conversation": sender.username, "sender_id": sender.id},
        action_url=f"/messages/{sender.username}",
        read=False,
        created_at=now,
    )
    return Draft(
        sender=sender,
        receiver=receiver,
        subject=subject,
        content=content,
        client_id=client_id,
        context=context,
        created_at=now,
        message_event=message_new(message_json(message, sender=sender, receiver=receiver)),
        notification_event=notification_new(notification_json(notification)),
        count_event=notification_count(unread=0),
        coalesce_key=f"conversation:{sender.id}",
        email_delay=int(settings.REALTIME_UNREAD_EMAIL_DELAY),
    )


def _result(draft: Draft, written: Written) -> SendResult | None:
    """The answer for a new message (None for a resend: load the original)."""
    if not written.created:
        return None
    body = {**draft.message_event["message"], "id": written.message_id}
    return SendResult(
        message=body,
        sender_event_id=written.sender_event_id,
        created=True,
        frames=written.frames,
    )


def _resent(message_id: int, sender_event_id: int) -> SendResult:
    """A resend of (sender, client_id): the original message, nothing written or pushed."""
    m = Message.objects.select_related("sender", "receiver").get(pk=message_id)
    return SendResult(
        message=message_json(m, sender=m.sender, receiver=m.receiver),
        sender_event_id=sender_event_id,
        created=False,
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
    push: bool = True,
) -> SendResult:
    """Send a message; idempotent per (sender, client_id). Events and email leave on commit."""
    _check_fields(
        sender=sender, to=to, content=content, subject=subject, client_id=client_id, rules=rules
    )
    store = message_store()
    spent = False
    for _ in range(STALE_TRIES):
        sender_party, receiver = store.parties(sender_id=sender.pk, to=to)
        receiver = _check_parties(sender_party, receiver)
        checked = message_context_clean(receiver_id=receiver.id, context=context)
        if not spent:
            message_budget_spend(user_id=sender_party.id)
            spent = True
        draft = _draft(
            sender=sender_party,
            receiver=receiver,
            content=content,
            subject=subject,
            client_id=client_id,
            context=checked,
        )
        with transaction.atomic(durable=True):
            written = store.write(draft)
            if written.stale:
                continue
            if push and written.frames:
                transaction.on_commit(partial(events.push_frames, list(written.frames)))
            if written.email_user_id is not None:
                enqueue_on_commit_with_options(
                    EMAIL_TASK,
                    args=(written.email_user_id,),
                    countdown=settings.REALTIME_UNREAD_EMAIL_DELAY,
                    ignore_result=True,
                )
        return _result(draft, written) or _resent(written.message_id, written.sender_event_id)
    raise _too_busy()


def _too_busy() -> Conflict:
    return Conflict("A user changed while the message was sent; send it again.", code="conflict")


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
    """The socket's `message.send`: the same steps; on PostgreSQL no thread hop unless a
    context is attached or the send is a resend, and the parties come from the process's
    cache (the write re-checks their versions)."""
    _check_fields(
        sender=sender, to=to, content=content, subject=subject, client_id=client_id, rules="chat"
    )
    store = message_store()
    spent = False
    for attempt in range(STALE_TRIES):
        cached = store.cached_parties(sender_id=sender.pk, to=to) if attempt == 0 else None
        if cached is None:
            sender_party, receiver = await store.parties_async(sender_id=sender.pk, to=to)
        else:
            sender_party, receiver = cached
        try:
            receiver = _check_parties(sender_party, receiver)
        except DomainError:
            if cached is None:
                raise
            store.forget(*cached)  # a refusal always comes from a fresh read
            continue
        checked = context
        if context is not None:
            checked = await database_sync_to_async(message_context_clean)(
                receiver_id=receiver.id, context=context
            )
        if not spent:
            await message_budget_spend_async(user_id=sender_party.id)
            spent = True
        draft = _draft(
            sender=sender_party,
            receiver=receiver,
            content=content,
            subject=subject,
            client_id=client_id,
            context=checked,
        )
        written = await store.write_async(draft)  # committed, unless stale
        if written.stale:
            store.forget(sender_party, receiver)
            continue
        break
    else:
        raise _too_busy()
    result = _result(draft, written)
    if result is None:
        return await database_sync_to_async(_resent)(written.message_id, written.sender_event_id)
    if push and written.frames:
        await push_frames_async(written.frames)
    if written.email_user_id is not None:
        # In the background, off the send's path (the ack and the receiver's doorbell do
        # not wait for Celery), and on a thread of its own: Django's one sync thread is
        # what every socket's ORM work queues on.
        task = asyncio.ensure_future(
            sync_to_async(enqueue_now, thread_sensitive=False)(
                EMAIL_TASK,
                args=(written.email_user_id,),
                countdown=settings.REALTIME_UNREAD_EMAIL_DELAY,
                ignore_result=True,
            )
        )
        _background.add(task)
        task.add_done_callback(_email_enqueued)
    return result


def _email_enqueued(task: asyncio.Future) -> None:
    _background.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.warning("unread-message email not enqueued: %s", task.exception())


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
    with transaction.atomic(durable=True), event_batch(lock=[reader.pk, *senders]):
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
            send_event_on_commit(event=payload, user_ids=[sender_id, reader.pk])
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
                    send_event_on_commit(
                        event=notification_count(unread=unread, marked_read=cleared),
                        user_ids=[reader.pk],
                    )
    return changed
