"""A Stripe subscription mirrored into ours: always from a fresh read, under a lock.

Events arrive duplicated and in any order, so no handler trusts the payload's copy of a
subscription: `subscription_sync` takes a per-subscription advisory lock, re-reads the
subscription from Stripe and writes what Stripe says now. Two workers on two events of one
subscription run one after the other, and the later writer holds the newer state, so a
late, older event never rolls the row back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from common.errors import ValidationFailed
from directory.models import Studio

from ..models import (
    PaymentMethod,
    PendingSubscription,
    StripeCustomer,
    Subscription,
    SubscriptionStatus,
)
from ..stripe_api import as_dict, client
from .premium import studio_premium_refresh, studios_of, subscription_entitles

STATUS_MAP = {
    "active": SubscriptionStatus.ACTIVE,
    "trialing": SubscriptionStatus.ACTIVE,
    "canceled": SubscriptionStatus.CANCELLED,
    "past_due": SubscriptionStatus.PAST_DUE,
    "unpaid": SubscriptionStatus.UNPAID,
    "incomplete": SubscriptionStatus.INCOMPLETE,
    "incomplete_expired": SubscriptionStatus.INCOMPLETE,
    "paused": SubscriptionStatus.SUSPENDED,
}


# An event is "already read" when our last read of its subscription from Stripe started at
# least this long after the event's `created` (whole seconds at Stripe): one second of
# truncation plus clocks apart by up to four.
READ_MARGIN = timedelta(seconds=5)


def _read_key(stripe_subscription_id: str) -> str:
    return f"billing:stripe-read:{stripe_subscription_id}"


def subscription_read_after(*, stripe_subscription_id: str, event_created: datetime) -> bool:
    """Did our last committed read of the subscription from Stripe start after the event
    happened (READ_MARGIN)? Then our row holds its effect or newer. A hint kept in the
    cache: missing or evicted, the answer is no and the caller reads Stripe again."""
    value = cache.get(_read_key(stripe_subscription_id))
    return bool(value) and event_created + READ_MARGIN <= datetime.fromtimestamp(value, tz=UTC)


def _ts(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


def _lock(key: str) -> None:
    """A transaction-scoped advisory lock on a Stripe id."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def _period(remote: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    """API 2026-10-28: the period lives on the items, not on the subscription."""
    items = (remote.get("items") or {}).get("data") or []
    starts = [i["current_period_start"] for i in items if i.get("current_period_start")]
    ends = [i["current_period_end"] for i in items if i.get("current_period_end")]
    return _ts(min(starts) if starts else None), _ts(max(ends) if ends else None)


def _owner_and_studio(remote: dict[str, Any], hint: dict[str, Any]) -> tuple[User, Studio | None]:
    meta = {**(hint or {}), **(remote.get("metadata") or {})}
    user = None
    if meta.get("user_id"):
        user = User.objects.filter(pk=meta["user_id"]).first()
    if user is None and remote.get("customer"):
        found = StripeCustomer.objects.filter(stripe_customer_id=remote["customer"]).first()
        user = found.user if found else None
    if user is None:
        raise ValidationFailed(f"Subscription {remote['id']} names no user of ours.")
    studio = None
    if meta.get("studio_id"):
        studio = Studio.objects.filter(pk=meta["studio_id"], owner=user).first()
    return user, studio


def _locked(stripe_subscription_id: str) -> Subscription | None:
    """Our row, locked, with its studio (read, not locked) in the same round trip."""
    return (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("studio")
        .filter(stripe_subscription_id=stripe_subscription_id)
        .first()
    )


def subscription_sync(
    *,
    stripe_subscription_id: str,
    hint: dict[str, Any] | None = None,
    event_created: datetime | None = None,
) -> Subscription:
    """Mirror the subscription as Stripe has it now; premium follows. Call in a transaction.

    `event_created`: the Stripe time of the event asking. When our row holds a read of
    Stripe made after that event happened (READ_MARGIN), the event can carry nothing newer
    and Stripe is not asked again: a backlog of one subscription's events costs one read.
    """
    assert connection.in_atomic_block, "subscription_sync runs inside the caller's transaction"
    # Lock our row before reading Stripe, so two events of one subscription apply in turn
    # and the later one writes what Stripe says last. Only a subscription new to us needs
    # the advisory lock (there is no row to lock yet): one round trip fewer per renewal.
    sub = _locked(stripe_subscription_id)
    if sub is None:
        _lock(stripe_subscription_id)
        sub = _locked(stripe_subscription_id)
    if (
        sub is not None
        and event_created is not None
        and subscription_read_after(
            stripe_subscription_id=stripe_subscription_id, event_created=event_created
        )
    ):
        return sub  # read after the event: nothing newer to write, premium already followed
    read_at = timezone.now()
    remote = as_dict(client().v1.subscriptions.retrieve(stripe_subscription_id))
    start, end = _period(remote)
    fields = {
        "status": STATUS_MAP.get(remote["status"], SubscriptionStatus.INCOMPLETE),
        "current_period_start": start,
        "current_period_end": end,
        "cancel_at_period_end": bool(remote.get("cancel_at_period_end") or remote.get("cancel_at")),
        "cancelled_at": _ts(remote.get("canceled_at")),
        "stripe_customer_id": remote.get("customer"),
    }
    if sub is None:
        user, studio = _owner_and_studio(remote, hint or {})
        sub = Subscription.objects.create(
            user=user,
            studio=studio,
            stripe_subscription_id=stripe_subscription_id,
            payment_method=PaymentMethod.STRIPE,
            awaiting_approval=settings.BILLING_REQUIRE_APPROVAL,
            **fields,
        )
        if sub.awaiting_approval and studio is not None:
            PendingSubscription.objects.get_or_create(
                subscription=sub,
                defaults={"user": user, "studio": studio, "payment_method": PaymentMethod.STRIPE},
            )
    else:
        changed = [k for k, v in fields.items() if getattr(sub, k) != v]
        if changed:
            for key in changed:
                setattr(sub, key, fields[key])
            sub.save(update_fields=[*changed, "updated_at"])
    _premium_follow(sub)
    # Only once this transaction commits does our row hold what Stripe said at read_at.
    key, stamp = _read_key(stripe_subscription_id), read_at.timestamp()
    transaction.on_commit(lambda: cache.set(key, stamp, timeout=7 * 24 * 3600))
    return sub


def _premium_follow(sub: Subscription) -> None:
    if sub.studio is not None and sub.studio.is_premium and subscription_entitles(sub):
        return  # the usual renewal: premium already on, and this subscription keeps it on
    studio_premium_refresh(studio_ids=studios_of(sub))


def subscription_set_latest_payment(*, sub: Subscription, payment_intent_id: str | None) -> None:
    if payment_intent_id and sub.latest_payment_intent_id != payment_intent_id:
        sub.latest_payment_intent_id = payment_intent_id
        sub.save(update_fields=["latest_payment_intent_id", "updated_at"])


def subscriptions_sweep(*, now: datetime | None = None) -> list[int]:
    """The daily safety net: premium off where every subscription has ended (and on where
    one entitles a studio a missed webhook left off). The ids of the studios changed."""
    premium = set(Studio.objects.filter(is_premium=True).values_list("pk", flat=True))
    subscribed = set(
        Subscription.objects.filter(studio__isnull=False).values_list("studio_id", flat=True)
    )
    owners = Subscription.objects.filter(studio__isnull=True).values_list("user_id", flat=True)
    legacy = set(Studio.objects.filter(owner_id__in=owners).values_list("pk", flat=True))
    changed = []
    for studio_id in sorted(premium | subscribed | legacy):
        with transaction.atomic():
            changed += studio_premium_refresh(studio_ids=[studio_id], now=now)
    return changed
