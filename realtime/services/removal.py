"""Removing a message for both participants (a moderator's decision).

Kept apart from messages.py (the send path): removal is rare, admin-driven and takes
the ordinary ORM route. Callers (moderation) keep their own record of what was removed
before calling; this module only deletes the row and tells both people live.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from common.errors import NotFound

from ..events import event_batch
from ..models import Message
from ..serialization import iso


def message_snapshot(*, message_id: int) -> dict[str, Any]:
    """What a moderator saw: the message's text and people, for the audit record."""
    message = Message.objects.select_related("sender", "receiver").filter(pk=message_id).first()
    if message is None:
        raise NotFound("No such message.")
    return {
        "id": message.pk,
        "sender_id": message.sender_id,
        "receiver_id": message.receiver_id,
        "subject": message.subject,
        "content": message.content,
        "created_at": iso(message.created_at),
    }


def message_remove(*, message_id: int) -> dict[str, Any]:
    """Delete a message and push `message.removed` to both participants after commit.

    The event goes through the per-user stream like every other event, so a tab that is
    offline now removes the message when it catches up. `was_unread` lets the receiver's
    unread-messages badge drop by one. Its MESSAGE_RECEIVED notification stays: it names
    the conversation, not the text, and is coalesced with the others of that conversation.
    Returns the snapshot taken before deleting.
    """
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            raise NotFound("No such message.")
        snapshot = message_snapshot(message_id=message_id)
        participants = sorted(u for u in (message.sender_id, message.receiver_id) if u)
        with event_batch(lock=participants) as batch:
            was_unread = not message.is_read
            message.delete()
            for user_id in participants:
                batch.add(
                    user_id=user_id,
                    payload={
                        "type": "message.removed",
                        "message_id": message_id,
                        "sender_id": snapshot["sender_id"],
                        "receiver_id": snapshot["receiver_id"],
                        "was_unread": was_unread,
                    },
                )
    return snapshot
