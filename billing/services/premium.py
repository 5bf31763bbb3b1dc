"""Premium follows the subscription: which studios are entitled, and the one refresh."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from directory.models import Studio
from directory.services.studios import studio_premium_set

from ..models import Subscription, SubscriptionStatus


def subscription_entitles(sub: Subscription, *, now: datetime | None = None) -> bool:
    """Premium while ACTIVE, PAST_DUE within the grace period, or CANCELLED until the end.

    ACTIVE with a period that ended (an imported legacy row nobody renews) is over once the
    grace period after its end has passed as well. Waiting for an admin's approval: off.
    """
    now = now or timezone.now()
    if sub.awaiting_approval:
        return False
    grace = timedelta(days=settings.BILLING_PAST_DUE_GRACE_DAYS)
    end = sub.current_period_end
    if sub.status == SubscriptionStatus.ACTIVE:
        return end is None or now < end + grace
    if sub.status == SubscriptionStatus.PAST_DUE:
        start = sub.current_period_start or end
        return start is not None and now < start + grace
    if sub.status == SubscriptionStatus.CANCELLED:
        return end is not None and now < end
    return False


def subscriptions_for_studio(studio: Studio):
    """Its own subscriptions, and its owner's imported ones that name no studio."""
    return Subscription.objects.filter(
        Q(studio_id=studio.pk) | Q(studio__isnull=True, user_id=studio.owner_id)
    )


def studio_premium_refresh(*, studio_ids: Iterable[int], now: datetime | None = None) -> list[int]:
    """Set each studio's is_premium from its subscriptions; the ids that changed."""
    changed = []
    for studio in Studio.objects.filter(pk__in=set(studio_ids)).order_by("pk"):
        entitled = any(subscription_entitles(s, now=now) for s in subscriptions_for_studio(studio))
        if studio.is_premium == entitled:
            continue  # the usual renewal: no write, no savepoint (three round trips saved)
        if studio_premium_set(studio_id=studio.pk, is_premium=entitled):
            changed.append(studio.pk)
    return changed


def studios_of(sub: Subscription) -> list[int]:
    if sub.studio_id:
        return [sub.studio_id]
    return list(Studio.objects.filter(owner_id=sub.user_id).values_list("pk", flat=True))
