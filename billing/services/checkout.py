"""Checkout and the billing portal: the owner's way into Stripe."""

from __future__ import annotations

import stripe
from django.conf import settings
from django.db import transaction

from accounts.models import User
from common.errors import Conflict, NotFound
from directory.models import Studio

from ..models import StripeCustomer, Subscription
from ..selectors import stripe_customer_of
from ..stripe_api import PaymentProviderError, client
from .premium import subscription_entitles

PLAN = "PREMIUM_YEARLY"


def stripe_customer_get_or_create(*, user: User) -> str:
    """The user's Stripe customer id, created once (the key makes a retry create no other)."""
    found = StripeCustomer.objects.filter(user=user).first()
    if found:
        return found.stripe_customer_id
    try:
        customer = client().v1.customers.create(
            params={
                "email": user.email,
                "name": getattr(user, "display_name", None) or user.username,
                "metadata": {"user_id": str(user.pk)},
            },
            options={"idempotency_key": f"sf-customer-{user.pk}"},
        )
    except stripe.StripeError as exc:
        raise PaymentProviderError() from exc
    with transaction.atomic():
        row, _ = StripeCustomer.objects.get_or_create(
            user=user, defaults={"stripe_customer_id": customer.id}
        )
    return row.stripe_customer_id


def checkout_session_create(*, user: User, studio_id: int) -> str:
    """A Checkout Session for the studio's yearly premium listing; its URL."""
    studio = Studio.objects.filter(pk=studio_id, owner=user).first()
    if studio is None:
        raise NotFound("No such studio.")
    live = [
        s
        for s in Subscription.objects.filter(studio=studio)
        if subscription_entitles(s) or s.awaiting_approval
    ]
    if live:
        raise Conflict(
            "This studio already has an active premium subscription.",
            code="subscription_active",
        )
    customer = stripe_customer_get_or_create(user=user)
    metadata = {"user_id": str(user.pk), "studio_id": str(studio.pk), "plan": PLAN}
    back = f"{settings.SITE_URL}/billing/checkout"
    try:
        session = client().v1.checkout.sessions.create(
            params={
                "mode": "subscription",
                "customer": customer,
                "line_items": [{"price": settings.STRIPE_PRICE_ID, "quantity": 1}],
                "metadata": metadata,
                # The subscription carries them too: its own events may come first.
                "subscription_data": {"metadata": metadata},
                "client_reference_id": str(studio.pk),
                "success_url": f"{back}/success?session_id={{CHECKOUT_SESSION_ID}}"
                f"&studio_id={studio.pk}",
                "cancel_url": f"{back}/cancelled?studio_id={studio.pk}",
            }
        )
    except stripe.StripeError as exc:
        raise PaymentProviderError() from exc
    return session.url


def portal_session_create(*, user: User) -> str:
    """A Billing Portal session for the user's customer; its URL."""
    customer = stripe_customer_of(user=user)
    if customer is None:
        raise NotFound("You have no billing account yet.", code="no_billing_account")
    try:
        session = client().v1.billing_portal.sessions.create(
            params={"customer": customer, "return_url": f"{settings.SITE_URL}/billing"}
        )
    except stripe.StripeError as exc:
        raise PaymentProviderError() from exc
    return session.url
