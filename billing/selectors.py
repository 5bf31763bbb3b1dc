"""Billing reads: a user's subscriptions and invoices, the approvals queue."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypedDict

import stripe
from django.db.models import QuerySet

from accounts.models import User

from .models import PendingSubscription, PendingSubscriptionStatus, StripeCustomer, Subscription
from .stripe_api import PaymentProviderError, as_dict, client

INVOICES_SHOWN = 24


class Invoice(TypedDict):
    id: str
    number: str | None
    status: str | None
    amount_due: int
    amount_paid: int
    currency: str
    created: datetime
    period_start: datetime | None
    period_end: datetime | None
    hosted_invoice_url: str | None
    invoice_pdf: str | None


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


def stripe_customer_of(*, user: User) -> str | None:
    """The user's Stripe customer: the one checkout made, else an (imported) subscription's."""
    found = StripeCustomer.objects.filter(user=user).values_list("stripe_customer_id", flat=True)
    customer = found.first()
    if customer is None:
        customer = (
            Subscription.objects.filter(user=user, stripe_customer_id__isnull=False)
            .order_by("-created_at")
            .values_list("stripe_customer_id", flat=True)
            .first()
        )
    return customer


def _when(ts: int | None) -> datetime | None:
    return datetime.fromtimestamp(int(ts), tz=UTC) if ts else None


def _service_period(invoice: dict[str, Any]) -> tuple[int | None, int | None]:
    """What the invoice paid for: its lines' periods (the invoice's own period_start/end is
    when items could be added, which for a subscription's first invoice is one instant)."""
    lines = (invoice.get("lines") or {}).get("data") or []
    periods = [line["period"] for line in lines if line.get("period")]
    if not periods:
        return invoice.get("period_start"), invoice.get("period_end")
    return min(p["start"] for p in periods), max(p["end"] for p in periods)


def invoices_of(*, user: User) -> list[Invoice]:
    """The user's latest invoices, read from Stripe (we keep no copy); none without a
    customer. Stripe down or refusing → PaymentProviderError (502), not configured → 503."""
    customer = stripe_customer_of(user=user)
    if customer is None:
        return []
    try:
        page = client().v1.invoices.list(params={"customer": customer, "limit": INVOICES_SHOWN})
    except stripe.StripeError as exc:
        raise PaymentProviderError() from exc
    rows: list[Invoice] = []
    for obj in page.data:
        inv = as_dict(obj)
        start, end = _service_period(inv)
        rows.append(
            {
                "id": inv["id"],
                "number": inv.get("number"),
                "status": inv.get("status"),
                "amount_due": int(inv.get("amount_due") or 0),
                "amount_paid": int(inv.get("amount_paid") or 0),
                "currency": inv.get("currency") or "usd",
                "created": datetime.fromtimestamp(int(inv["created"]), tz=UTC),
                "period_start": _when(start),
                "period_end": _when(end),
                "hosted_invoice_url": inv.get("hosted_invoice_url"),
                "invoice_pdf": inv.get("invoice_pdf"),
            }
        )
    return rows
