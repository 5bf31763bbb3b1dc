"""Reads behind the notification endpoints, the socket's hello and notify()."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import Notification, NotificationPreference, NotificationType

# What a user gets before choosing: everything in-app; email for what needs action.
DEFAULT_PREFERENCES: dict[str, dict[str, bool]] = {
    NotificationType.MESSAGE_RECEIVED: {"in_app": True, "email": True},
    NotificationType.REVIEW_RECEIVED: {"in_app": True, "email": True},
    NotificationType.REVIEW_RESPONSE: {"in_app": True, "email": False},
    NotificationType.CONNECTION_REQUEST: {"in_app": True, "email": False},
    NotificationType.CONNECTION_ACCEPTED: {"in_app": True, "email": False},
    NotificationType.STUDIO_VERIFIED: {"in_app": True, "email": True},
    NotificationType.PAYMENT_SUCCESS: {"in_app": True, "email": True},
    NotificationType.PAYMENT_FAILED: {"in_app": True, "email": True},
    NotificationType.SUBSCRIPTION_EXPIRING: {"in_app": True, "email": True},
    # Moderation: admins see reports in-app (the badge); a warning is worth an email.
    NotificationType.REPORT_RECEIVED: {"in_app": True, "email": False},
    NotificationType.REPORT_OUTCOME: {"in_app": True, "email": False},
    NotificationType.MODERATION_WARNING: {"in_app": True, "email": True},
}


def notification_preferences(*, user_id: int) -> dict[str, dict[str, bool]]:
    """Every type with its effective choice (stored row or default). One query."""
    prefs = {t: dict(v) for t, v in DEFAULT_PREFERENCES.items()}
    for row in NotificationPreference.objects.filter(user_id=user_id):
        prefs[row.type] = {"in_app": row.in_app, "email": row.email}
    return prefs


def notification_preference_get(*, user_id: int, type: str) -> dict[str, bool]:
    row = (
        NotificationPreference.objects.filter(user_id=user_id, type=type)
        .values("in_app", "email")
        .first()
    )
    return row or dict(DEFAULT_PREFERENCES[NotificationType(type)])


def notification_preferences_many(*, user_ids: list[int], type: str) -> dict[int, dict[str, bool]]:
    """One type's effective choice for many users. One query."""
    default = DEFAULT_PREFERENCES[NotificationType(type)]
    prefs = {u: dict(default) for u in user_ids}
    for row in NotificationPreference.objects.filter(user_id__in=user_ids, type=type).values(
        "user_id", "in_app", "email"
    ):
        prefs[row["user_id"]] = {"in_app": row["in_app"], "email": row["email"]}
    return prefs


def notification_list(*, user_id: int, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user_id=user_id).order_by("-created_at", "-id")
    if unread_only:
        qs = qs.filter(read=False)
    return qs


def notification_unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(user_id=user_id, read=False).count()
