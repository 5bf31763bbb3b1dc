"""Every write of the realtime app: messages, notifications, connections.

Other apps notify people only through `notify`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .models import Notification, NotificationType


def notify(
    *,
    user_id: int,
    type: NotificationType | str,
    title: str,
    message: str,
    data: dict[str, Any] | None = None,
    action_url: str | None = None,
) -> Notification:
    """Create an in-app notification for one user."""
    with transaction.atomic():
        return Notification.objects.create(
            user_id=user_id,
            type=type,
            title=title,
            message=message,
            data=data,
            action_url=action_url,
        )
