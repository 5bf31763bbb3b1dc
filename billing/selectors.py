"""Billing reads: a user's subscriptions, the approvals queue, a studio's premium state."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User

from .models import PendingSubscription, PendingSubscriptionStatus, Subscription


def subscriptions_of(*, user: User) -> QuerySet[Subscription]:
    """Newest first, with the studio (one query for any number)."""
    return (
        Subscription.objects.filter(user=user)
        .select_related("studio")
        .order_by("-created_at", "-pk")
    )


def pending_subscriptions_queue(*, status: str | None = None) -> QuerySet[PendingSubscription]:
    return (
        PendingSubscription.objects.filter(
            status=status or PendingSubscriptionStatus.PENDING_APPROVAL
        )
        .select_related("user", "studio", "subscription")
        .order_by("created_at", "pk")
    )
