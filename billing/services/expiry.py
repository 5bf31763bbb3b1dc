"""Expiry: SUBSCRIPTION_EXPIRING 14 and 3 days before a subscription that will not renew."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import Subscription, SubscriptionStatus
from .notices import notice_send_once


def expiry_reminders_send(*, now: datetime | None = None) -> int:
    """One reminder per subscription, period end and threshold; how many were sent now.

    "Will not renew": cancelled at Stripe, set to cancel at the period end, or an
    imported legacy subscription with no Stripe subscription behind it.
    """
    now = now or timezone.now()
    horizon = now + timedelta(days=max(settings.BILLING_REMINDER_DAYS))
    subs = (
        Subscription.objects.filter(current_period_end__gt=now, current_period_end__lte=horizon)
        .filter(
            Q(cancel_at_period_end=True)
            | Q(status=SubscriptionStatus.CANCELLED)
            | Q(stripe_subscription_id__isnull=True)
        )
        .filter(status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.CANCELLED])
        .select_related("user", "studio")
        .order_by("pk")
    )
    sent = 0
    for sub in subs:
        left = sub.current_period_end - now
        # The nearest threshold not yet passed: 3 when 3 days or fewer remain, else 14.
        days = min(d for d in settings.BILLING_REMINDER_DAYS if left <= timedelta(days=d))
        end = sub.current_period_end
        with transaction.atomic():
            sent += notice_send_once(
                key=f"expiring:{sub.pk}:{end.isoformat()}:{days}",
                user=sub.user,
                type="SUBSCRIPTION_EXPIRING",
                title="Your premium listing ends soon",
                message=f"Your premium listing ends on {end:%d %B %Y}; renew to stay on top.",
                email_subject="Your premium listing ends soon",
                data={"subscription_id": sub.pk, "days": days},
            )
    return sent
