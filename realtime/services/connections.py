"""Connection requests between people (the legacy `user_connections` rules).

One row per pair, whichever way it was asked (a database constraint). The recipient gets
`connection.request` and a CONNECTION_REQUEST notification; the requester gets
`connection.accepted` and a CONNECTION_ACCEPTED notification; both sides of a reject,
cancel or remove get `connection.removed`. The actor gets each event too, so their other
tabs stay in step.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common.auth import user_is_suspended
from common.errors import Conflict, NotFound, ValidationFailed

from ..events import event_batch, send_event_on_commit
from ..models import Notification, NotificationType, UserConnection
from ..serialization import iso, user_json
from .notifications import notifications_mark_read_in, notify


def _other(*, user: Any, username: str) -> Any:
    User = get_user_model()
    other = User.objects.filter(username__iexact=username, is_active=True).first()
    if other is None:
        raise NotFound("No active user with that username.")
    if other.pk == user.pk:
        raise ValidationFailed(fields={"username": ["You cannot connect with yourself."]})
    return other


def _pair(a: Any, b: Any) -> UserConnection | None:
    return (
        UserConnection.objects.select_for_update()
        .filter(Q(user=a, connected_user=b) | Q(user=b, connected_user=a))
        .first()
    )


def _connection_json(conn: UserConnection) -> dict[str, Any]:
    return {
        "id": conn.pk,
        "accepted": conn.accepted,
        "created_at": iso(conn.created_at),
        "accepted_at": iso(conn.accepted_at),
    }


def _accept(conn: UserConnection, *, by: Any, requester: Any) -> UserConnection:
    conn.accepted = True
    conn.accepted_at = timezone.now()
    conn.save(update_fields=["accepted", "accepted_at"])
    payload = {
        "type": "connection.accepted",
        "by": user_json(by),
        "requester": user_json(requester),
        "connection": _connection_json(conn),
    }
    # The requester, and the acceptor's other tabs.
    send_event_on_commit(event=payload, user_ids=[requester.pk, by.pk])
    # The request's notification is settled: read, and the acceptor's badge drops.
    notifications_mark_read_in(
        user_id=by.pk,
        queryset=Notification.objects.filter(
            type=NotificationType.CONNECTION_REQUEST, data__user_id=requester.pk
        ),
    )
    notify(
        user_id=requester.pk,
        type=NotificationType.CONNECTION_ACCEPTED,
        title=f"{by.display_name or by.username} accepted your connection request",
        message=f"You are now connected with {by.display_name or by.username}.",
        data={"username": by.username, "user_id": by.pk},
        action_url=f"/profile/{by.username}",
    )
    return conn


def connection_request(*, user: Any, username: str) -> UserConnection:
    """Ask to connect. Asking someone who already asked you accepts their request.

    A suspended person cannot be asked: the same 404 as an unknown name, so a suspension
    does not leak (docs/accounts.md)."""
    other = _other(user=user, username=username)
    if user_is_suspended(other):
        raise NotFound("No active user with that username.")
    with transaction.atomic(durable=True), event_batch(lock=[user.pk, other.pk]):
        existing = _pair(user, other)
        if existing is not None:
            if existing.accepted:
                raise Conflict("You are already connected.", code="already_connected")
            if existing.user_id == user.pk:
                raise Conflict("You already asked this person.", code="already_requested")
            return _accept(existing, by=user, requester=other)
        conn = UserConnection.objects.create(user=user, connected_user=other)
        conn.refresh_from_db(fields=["created_at"])
        payload = {
            "type": "connection.request",
            "from": user_json(user),
            "to": user_json(other),
            "connection": _connection_json(conn),
        }
        # The recipient, and the requester's other tabs.
        send_event_on_commit(event=payload, user_ids=[other.pk, user.pk])
        notify(
            user_id=other.pk,
            type=NotificationType.CONNECTION_REQUEST,
            title=f"{user.display_name or user.username} wants to connect",
            message=f"{user.display_name or user.username} sent you a connection request.",
            data={"username": user.username, "user_id": user.pk, "connection_id": conn.pk},
            action_url="/network",
        )
        return conn


def connection_accept(*, user: Any, username: str) -> UserConnection:
    """Only the recipient of a pending request accepts it."""
    other = _other(user=user, username=username)
    with transaction.atomic(durable=True), event_batch(lock=[user.pk, other.pk]):
        conn = _pair(user, other)
        if conn is None or conn.accepted or conn.connected_user_id != user.pk:
            raise NotFound("No pending request from this person.", code="no_pending_request")
        return _accept(conn, by=user, requester=other)


def _delete(*, user: Any, username: str, allowed, reason: str, missing: str) -> None:
    other = _other(user=user, username=username)
    with transaction.atomic(durable=True), event_batch(lock=[user.pk, other.pk]):
        conn = _pair(user, other)
        if conn is None or not allowed(conn, user):
            raise NotFound(missing, code="no_such_connection")
        conn.delete()
        payload = {
            "type": "connection.removed",
            "username": user.username,
            "other": other.username,
            "reason": reason,
        }
        # The other side, and the actor's other tabs.
        send_event_on_commit(event=payload, user_ids=[other.pk, user.pk])


def connection_reject(*, user: Any, username: str) -> None:
    _delete(
        user=user,
        username=username,
        allowed=lambda c, u: not c.accepted and c.connected_user_id == u.pk,
        reason="rejected",
        missing="No pending request from this person.",
    )


def connection_cancel(*, user: Any, username: str) -> None:
    _delete(
        user=user,
        username=username,
        allowed=lambda c, u: not c.accepted and c.user_id == u.pk,
        reason="cancelled",
        missing="You have no pending request to this person.",
    )


def connection_remove(*, user: Any, username: str) -> None:
    _delete(
        user=user,
        username=username,
        allowed=lambda c, u: c.accepted,
        reason="removed",
        missing="You are not connected with this person.",
    )
