"""The JSON shapes of users, messages and notifications in events and REST answers.

One definition each, so a frame pushed live, a replayed frame and a REST answer carry the
same object. `realtime/sql.py` builds the same shapes in SQL for the hot path; a test
compares the two byte for byte.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def iso(value: datetime | None) -> str | None:
    """UTC, microseconds always present, `Z` suffix: identical to the SQL `to_char` form."""
    if value is None:
        return None
    # isoformat with microseconds always written is strftime's "%Y-%m-%dT%H:%M:%S.%fZ",
    # several times faster (every send formats two).
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def user_json(user: Any) -> dict[str, Any]:
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "avatar_url": user.avatar_url,
    }


def message_json(message: Any, *, sender: Any | None, receiver: Any | None) -> dict[str, Any]:
    return {
        "id": message.pk,
        "from": sender.username if sender else None,
        "to": receiver.username if receiver else None,
        "sender": user_json(sender) if sender else None,
        "subject": message.subject,
        "content": message.content,
        "created_at": iso(message.created_at),
        "is_read": message.is_read,
        "client_id": message.client_id,
        "context": message.context,
    }


def notification_json(notification: Any) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "type": notification.type,
        "title": notification.title,
        "message": notification.message,
        "data": notification.data,
        "action_url": notification.action_url,
        "read": notification.read,
        "created_at": iso(notification.created_at),
    }
