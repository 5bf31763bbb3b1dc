"""Approvals (BILLING_REQUIRE_APPROVAL): an admin lets a paid subscription go premium, or
rejects it (refund, subscription cancelled). The API and the Django admin call these."""

from __future__ import annotations

import stripe
from django.db import transaction

from accounts.models import User
from common.errors import Conflict, NotFound
from moderation.models import AuditTargetType
from moderation.services import audit_record

from ..models import PendingSubscription, PendingSubscriptionStatus, Subscription
from ..stripe_api import PaymentProviderError, client
from .notices import notice_send_once
from .premium import studio_premium_refresh, studios_of
from .refunds import refund_create


def _pending(pending_id: int) -> PendingSubscription:
    row = (
        PendingSubscription.objects.select_for_update()
        .select_related("studio", "user")
        .filter(pk=pending_id)
        .first()
    )
    if row is None:
        raise NotFound("No such pending subscription.")
    if row.status != PendingSubscriptionStatus.PENDING_APPROVAL:
        raise Conflict(f"Already {row.status}.", code="already_decided")
    return row


def _audit(*, actor: User, row: PendingSubscription, action: str, reason: str = "") -> None:
    """One audit entry per decision, in the decision's transaction (issue 11)."""
    audit_record(
        actor=actor,
        action=action,
        target_type=AuditTargetType.SUBSCRIPTION,
        target_id=row.subscription_id if row.subscription_id else f"pending-{row.pk}",
        target_label=f"{row.studio.name} (pending #{row.pk})",
        before={"pending_id": row.pk, "status": PendingSubscriptionStatus.PENDING_APPROVAL},
        after={"pending_id": row.pk, "status": row.status, "subscription_id": row.subscription_id},
        reason=reason,
    )


def pending_subscription_approve(*, actor: User, pending_id: int) -> PendingSubscription:
    with transaction.atomic():
        row = _pending(pending_id)
        row.status, row.decided_by = PendingSubscriptionStatus.APPROVED, actor
        row.save(update_fields=["status", "decided_by", "updated_at"])
        if row.subscription_id:
            Subscription.objects.filter(pk=row.subscription_id).update(awaiting_approval=False)
            studio_premium_refresh(studio_ids=studios_of(row.subscription))
        _audit(actor=actor, row=row, action="subscription.approve")
        notice_send_once(
            key=f"approval:{row.pk}",
            user=row.user,
            type="PAYMENT_SUCCESS",
            title="Premium listing approved",
            message=f"{row.studio.name} is now a premium listing.",
            email_subject="Your premium listing is live",
            data={"studio_id": row.studio_id},
        )
    return row


def pending_subscription_reject(
    *, actor: User, pending_id: int, reason: str = "Rejected by an admin"
) -> PendingSubscription:
    """Reject: refund the payment, cancel the subscription at Stripe, tell the owner."""
    with transaction.atomic():
        row = _pending(pending_id)
        sub = row.subscription
        if sub is not None and sub.stripe_subscription_id:
            if sub.latest_payment_intent_id:
                refund_create(actor=actor, subscription_id=sub.pk, reason=reason)
            try:
                client().v1.subscriptions.cancel(sub.stripe_subscription_id)
            except stripe.StripeError as exc:
                raise PaymentProviderError() from exc
        row.status, row.decided_by = PendingSubscriptionStatus.REJECTED, actor
        row.save(update_fields=["status", "decided_by", "updated_at"])
        _audit(actor=actor, row=row, action="subscription.reject", reason=reason)
        notice_send_once(
            key=f"rejection:{row.pk}",
            user=row.user,
            type="PAYMENT_FAILED",
            title="Premium listing not approved",
            message=f"We could not approve premium for {row.studio.name}; you were refunded.",
            email_subject="Your premium listing was not approved",
            data={"studio_id": row.studio_id},
        )
    return row
