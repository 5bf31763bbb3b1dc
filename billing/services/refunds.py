"""Refunds: one Stripe refund per request, whoever clicks and however often.

The Idempotency-Key is derived from the request itself (payment intent, amount, reason),
so a double click, a retry or two admins at once send the same key: Stripe makes one
refund and our unique key column keeps one row. Refunding the same amount again on
purpose takes another reason. The row starts PENDING; webhooks move it on.
"""

from __future__ import annotations

import hashlib

import stripe
from django.db import IntegrityError, transaction

from accounts.models import User
from common.errors import NotFound, ValidationFailed
from moderation.models import AuditTargetType
from moderation.services import audit_record

from ..models import Refund, RefundStatus, Subscription
from ..stripe_api import PaymentProviderError, as_dict, client
from .notices import notice_send_once

STATUS_MAP = {
    "pending": RefundStatus.PENDING,
    "requires_action": RefundStatus.PENDING,
    "succeeded": RefundStatus.SUCCEEDED,
    "failed": RefundStatus.FAILED,
    "canceled": RefundStatus.CANCELLED,
}


def refund_idempotency_key(*, payment_intent: str, amount: int | None, reason: str) -> str:
    basis = f"{payment_intent}|{amount if amount is not None else 'remaining'}|{reason.strip()}"
    return "sf-refund-" + hashlib.sha256(basis.encode()).hexdigest()[:40]


def _refundable(payment_intent: str) -> tuple[int, str]:
    """What is left to refund on the payment, as Stripe counts it; and its currency."""
    api = client().v1
    pi = as_dict(api.payment_intents.retrieve(payment_intent))
    refunds = as_dict(api.refunds.list(params={"payment_intent": payment_intent, "limit": 100}))
    taken = sum(
        r["amount"] for r in refunds.get("data", []) if r["status"] not in ("failed", "canceled")
    )
    return pi["amount_received"] - taken, pi["currency"]


def refund_create(
    *,
    actor: User,
    reason: str,
    subscription_id: int | None = None,
    payment_intent: str | None = None,
    amount: int | None = None,
) -> tuple[Refund, bool]:
    """Refund a payment (a subscription's latest, or a named one); (row, created now)."""
    subscription = None
    if subscription_id is not None:
        subscription = Subscription.objects.filter(pk=subscription_id).first()
        if subscription is None:
            raise NotFound("No such subscription.")
        payment_intent = payment_intent or subscription.latest_payment_intent_id
        if not payment_intent:
            raise ValidationFailed(
                "This subscription has no Stripe payment to refund.",
                fields={"subscription_id": ["No payment recorded."]},
            )
    elif payment_intent:
        subscription = Subscription.objects.filter(latest_payment_intent_id=payment_intent).first()
    if not payment_intent:
        raise ValidationFailed(
            fields={"subscription_id": ["Give subscription_id or payment_intent."]}
        )
    key = refund_idempotency_key(payment_intent=payment_intent, amount=amount, reason=reason)
    existing = Refund.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing, False
    try:
        remaining, currency = _refundable(payment_intent)
    except stripe.InvalidRequestError as exc:
        raise ValidationFailed(
            "Stripe knows no such payment.", fields={"payment_intent": [str(exc.user_message)]}
        ) from exc
    except stripe.StripeError as exc:
        raise PaymentProviderError() from exc
    wanted = remaining if amount is None else amount
    if wanted <= 0 or wanted > remaining:
        raise ValidationFailed(
            f"Only {remaining} (smallest currency unit) remains refundable.",
            code="amount_too_large",
            fields={"amount": [f"At most {remaining}."]},
        )
    try:
        remote = client().v1.refunds.create(
            params={
                "payment_intent": payment_intent,
                "amount": wanted,
                # Only what the key is derived from: another admin's identical request
                # must send identical parameters, or Stripe refuses the reused key.
                "metadata": {"reason": reason[:500]},
            },
            options={"idempotency_key": key},
        )
    except stripe.InvalidRequestError as exc:
        raise ValidationFailed(str(exc.user_message or "Stripe refused the refund.")) from exc
    except stripe.StripeError as exc:
        raise PaymentProviderError() from exc
    remote = as_dict(remote)
    try:
        with transaction.atomic():
            row = Refund.objects.create(
                stripe_refund_id=remote["id"],
                stripe_payment_intent_id=payment_intent,
                amount=remote["amount"],
                currency=remote.get("currency") or currency,
                reason=reason,
                status=STATUS_MAP.get(remote["status"], RefundStatus.PENDING),
                processed_by=actor,
                idempotency_key=key,
                subscription=subscription,
            )
            # Only a refund made now is audited: an idempotent repeat returned above.
            audit_record(
                actor=actor,
                action="refund.create",
                target_type=AuditTargetType.REFUND,
                target_id=row.pk,
                target_label=row.stripe_refund_id,
                before=None,
                after={
                    "stripe_refund_id": row.stripe_refund_id,
                    "payment_intent": payment_intent,
                    "amount": row.amount,
                    "currency": row.currency,
                    "status": row.status,
                    "subscription_id": row.subscription_id,
                },
                reason=reason,
            )
    except IntegrityError:  # the other click won the insert
        return Refund.objects.get(idempotency_key=key), False
    return row, True


def _customer(refund: Refund) -> User | None:
    sub = (
        refund.subscription
        or Subscription.objects.filter(
            latest_payment_intent_id=refund.stripe_payment_intent_id
        ).first()
    )
    return sub.user if sub else None


def refund_sync(*, stripe_refund_id: str) -> Refund | None:
    """The row follows Stripe's refund; the customer hears of the outcome once."""
    row = Refund.objects.select_for_update().filter(stripe_refund_id=stripe_refund_id).first()
    if row is None:
        return None  # made outside this site: nothing of ours to move
    remote = as_dict(client().v1.refunds.retrieve(stripe_refund_id))
    status = STATUS_MAP.get(remote["status"], RefundStatus.PENDING)
    if status != row.status:
        row.status = status
        row.save(update_fields=["status", "updated_at"])
    user = _customer(row)
    if user is not None and status != RefundStatus.PENDING:
        amount = f"{row.amount / 100:.2f} {row.currency.upper()}"
        words = {
            RefundStatus.SUCCEEDED: f"We refunded {amount} to your card.",
            RefundStatus.FAILED: f"Your refund of {amount} failed; we will contact you.",
            RefundStatus.CANCELLED: f"Your refund of {amount} was cancelled.",
        }[status]
        notice_send_once(
            key=f"refund:{row.stripe_refund_id}:{status}",
            user=user,
            type=None,
            title="Refund",
            message=words,
            email_subject="Your Studio Finder refund",
        )
    return row


def refunds_sync_for_payment_intent(*, payment_intent_id: str) -> None:
    for refund_id in Refund.objects.filter(stripe_payment_intent_id=payment_intent_id).values_list(
        "stripe_refund_id", flat=True
    ):
        refund_sync(stripe_refund_id=refund_id)
