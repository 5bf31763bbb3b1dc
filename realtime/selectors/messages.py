"""Reads behind the message and conversation endpoints."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, Max, Q, QuerySet, When

from common.errors import NotFound

from ..models import Message
from ..serialization import iso, message_json, user_json


def message_list(*, user: Any, box: str) -> QuerySet[Message]:
    """The inbox (`received`) or outbox (`sent`), newest first."""
    field = "receiver" if box == "received" else "sender"
    return (
        Message.objects.filter(**{field: user}).select_related("sender", "receiver").order_by("-id")
    )


def conversation_list(*, user: Any, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """One row per counterpart: last message and unread count, by last activity. 3 queries."""
    rows = list(
        Message.objects.filter(Q(sender=user) | Q(receiver=user))
        .exclude(sender__isnull=True)
        .exclude(receiver__isnull=True)
        .annotate(other=Case(When(sender=user, then=F("receiver")), default=F("sender")))
        .values("other")
        .annotate(
            last_id=Max("id"),
            unread=Count("id", filter=Q(receiver=user, is_read=False)),
        )
        .order_by("-last_id")[offset : offset + limit]
    )
    if not rows:
        return []
    messages = {
        m.pk: m
        for m in Message.objects.select_related("sender", "receiver").filter(
            pk__in=[r["last_id"] for r in rows]
        )
    }
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=[r["other"] for r in rows])}
    result = []
    for row in rows:
        last = messages[row["last_id"]]
        result.append(
            {
                "with": user_json(users[row["other"]]),
                "last_message": message_json(last, sender=last.sender, receiver=last.receiver),
                "unread": row["unread"],
                "last_activity": iso(last.created_at),
            }
        )
    return result


def conversation_messages(
    *, user: Any, username: str, before: int | None = None, limit: int = 50
) -> tuple[Any, list[Message], int | None]:
    """A page of the conversation with `username`, newest first; returns the next cursor."""
    other = get_user_model().objects.filter(username__iexact=username).first()
    if other is None:
        raise NotFound("No user with that username.")
    qs = (
        Message.objects.filter(Q(sender=user, receiver=other) | Q(sender=other, receiver=user))
        .select_related("sender", "receiver")
        .order_by("-id")
    )
    if before is not None:
        qs = qs.filter(id__lt=before)
    page = list(qs[: limit + 1])
    next_before = page[limit - 1].pk if len(page) > limit else None
    return other, page[:limit], next_before
