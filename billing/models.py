"""Subscriptions, pending subscriptions and refunds: the billing tables of the old site."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from common.models import LegacyIdModel, TimestampedModel, choices_check, legacy_id_unique


class PaymentMethod(models.TextChoices):
    STRIPE = "STRIPE", "Stripe"
    PAYPAL = "PAYPAL", "PayPal"


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "Active"
    CANCELLED = "CANCELLED", "Cancelled"
    PAST_DUE = "PAST_DUE", "Past due"
    UNPAID = "UNPAID", "Unpaid"
    INCOMPLETE = "INCOMPLETE", "Incomplete"
    SUSPENDED = "SUSPENDED", "Suspended"


class PendingSubscriptionStatus(models.TextChoices):
    """A plain string column in the legacy schema; these are the values it documents."""

    PENDING_APPROVAL = "PENDING_APPROVAL", "Pending approval"
    APPROVED = "APPROVED", "Approved"
    REJECTED = "REJECTED", "Rejected"
    CANCELLED = "CANCELLED", "Cancelled"


class RefundStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    SUCCEEDED = "SUCCEEDED", "Succeeded"
    FAILED = "FAILED", "Failed"
    CANCELLED = "CANCELLED", "Cancelled"


class Subscription(LegacyIdModel, TimestampedModel):
    """The legacy `subscriptions` table. Billing history keeps its user (deletion refused)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="subscriptions"
    )
    stripe_subscription_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_customer_id = models.CharField(max_length=255, null=True, blank=True, db_index=True)
    paypal_subscription_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    payment_method = models.CharField(
        max_length=16,
        choices=PaymentMethod.choices,
        default=PaymentMethod.STRIPE,
        db_default=PaymentMethod.STRIPE,
    )
    status = models.CharField(max_length=16, choices=SubscriptionStatus.choices)
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Not in the legacy table: the studio the premium listing is for (imported rows have
    # none and cover their user's studios), whether Stripe renews it, whether an admin
    # still has to approve it, and the last payment (what a refund refunds).
    studio = models.ForeignKey(
        "directory.Studio",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    cancel_at_period_end = models.BooleanField(default=False, db_default=False)
    awaiting_approval = models.BooleanField(default=False, db_default=False)
    latest_payment_intent_id = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        db_table = "subscriptions"
        constraints = [
            legacy_id_unique(),
            choices_check("payment_method", PaymentMethod),
            choices_check("status", SubscriptionStatus),
        ]
        indexes = [models.Index(fields=["status", "current_period_end"], name="subs_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.payment_method} {self.status} for {self.user_id}"


class PendingSubscription(LegacyIdModel, TimestampedModel):
    """The legacy `pending_subscriptions` table: payments an admin approves before premium."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_subscriptions"
    )
    studio = models.ForeignKey(
        "directory.Studio", on_delete=models.CASCADE, related_name="pending_subscriptions"
    )
    paypal_subscription_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    status = models.CharField(
        max_length=32,
        choices=PendingSubscriptionStatus.choices,
        default=PendingSubscriptionStatus.PENDING_APPROVAL,
        db_default=PendingSubscriptionStatus.PENDING_APPROVAL,
    )
    payment_method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    # Not in the legacy table: the subscription waiting for the decision.
    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pending_approvals",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        db_table = "pending_subscriptions"
        constraints = [
            legacy_id_unique(),
            choices_check("status", PendingSubscriptionStatus),
            choices_check("payment_method", PaymentMethod),
            models.UniqueConstraint(
                fields=["subscription"], name="pending_subs_one_per_subscription"
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(status="PENDING_APPROVAL"),
                name="pending_subs_queue_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.payment_method} {self.status} for studio {self.studio_id}"


class Refund(LegacyIdModel, TimestampedModel):
    """The legacy `refunds` table: an audit trail, so the admin who refunded is kept."""

    stripe_refund_id = models.CharField(max_length=255, unique=True)
    stripe_payment_intent_id = models.CharField(max_length=255, db_index=True)
    amount = models.PositiveIntegerField(help_text="In the currency's smallest unit (cents).")
    currency = models.CharField(max_length=3)
    reason = models.TextField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=RefundStatus.choices)
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="refunds_processed"
    )
    # Not in the legacy table: the key sent to Stripe (one refund per identical request)
    # and the subscription refunded, when known.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="refunds"
    )

    class Meta:
        db_table = "refunds"
        constraints = [
            legacy_id_unique(),
            models.UniqueConstraint(
                fields=["idempotency_key"], name="refunds_idempotency_key_uniq"
            ),
            choices_check("status", RefundStatus),
            models.CheckConstraint(condition=Q(amount__gt=0), name="refunds_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.stripe_refund_id} {self.amount} {self.currency}"


class StripeCustomer(TimestampedModel):
    """The Stripe customer of a user, created once and reused by every checkout."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stripe_customer"
    )
    stripe_customer_id = models.CharField(max_length=255, unique=True)

    class Meta:
        db_table = "billing_stripe_customers"

    def __str__(self) -> str:
        return self.stripe_customer_id


class WebhookEventStatus(models.TextChoices):
    RECEIVED = "RECEIVED", "Received"
    PROCESSED = "PROCESSED", "Processed"
    FAILED = "FAILED", "Failed"
    IGNORED = "IGNORED", "Ignored"


class StripeEvent(models.Model):
    """A webhook event, stored once by Stripe's id before anything else happens."""

    stripe_event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    api_version = models.CharField(max_length=64, blank=True, default="", db_default="")
    stripe_created = models.DateTimeField(help_text="When Stripe created the event.")
    payload = models.JSONField()
    status = models.CharField(
        max_length=16,
        choices=WebhookEventStatus.choices,
        default=WebhookEventStatus.RECEIVED,
        db_default=WebhookEventStatus.RECEIVED,
    )
    error = models.TextField(blank=True, default="", db_default="")
    attempts = models.PositiveIntegerField(default=0, db_default=0)
    # Runs opened (committed before applying) and not finished: the apply's transaction
    # sets it back to 0; a worker that died applying the event leaves it counted, and at
    # STRIPE_EVENT_MAX_LOST_RUNS the event is abandoned FAILED instead of applied again.
    open_runs = models.PositiveSmallIntegerField(default=0, db_default=0)
    received_at = models.DateTimeField(auto_now_add=True, db_default=Now())
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "billing_stripe_events"
        constraints = [choices_check("status", WebhookEventStatus)]
        indexes = [models.Index(fields=["status", "received_at"], name="stripe_events_status_idx")]

    def __str__(self) -> str:
        return f"{self.stripe_event_id} {self.type} {self.status}"


class BillingNotice(models.Model):
    """A ledger of notices sent (receipts, failures, reminders, refund emails): one per key."""

    key = models.CharField(max_length=255, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_default=Now())

    class Meta:
        db_table = "billing_notices"

    def __str__(self) -> str:
        return self.key
