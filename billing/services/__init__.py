"""Every write of the billing app: checkout, webhooks, subscriptions, refunds, approvals."""

from .approvals import pending_subscription_approve, pending_subscription_reject
from .checkout import checkout_session_create, portal_session_create, stripe_customer_get_or_create
from .expiry import expiry_reminders_send
from .premium import studio_premium_refresh, subscription_entitles
from .refunds import refund_create, refund_sync
from .subscriptions import subscription_sync, subscriptions_sweep
from .webhooks import stripe_event_process, stripe_event_reprocess, webhook_event_receive

__all__ = [
    "checkout_session_create",
    "expiry_reminders_send",
    "pending_subscription_approve",
    "pending_subscription_reject",
    "portal_session_create",
    "refund_create",
    "refund_sync",
    "stripe_customer_get_or_create",
    "stripe_event_process",
    "stripe_event_reprocess",
    "studio_premium_refresh",
    "subscription_entitles",
    "subscription_sync",
    "subscriptions_sweep",
    "webhook_event_receive",
]
