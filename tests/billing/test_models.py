"""The billing tables on PostgreSQL: subscriptions, pending subscriptions, refunds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import ProtectedError

from billing.models import PendingSubscription, Refund, Subscription
from tests.dbrules import (
    CHECK_VIOLATION,
    FOREIGN_KEY_VIOLATION,
    NOT_NULL_VIOLATION,
    UNIQUE_VIOLATION,
    db_clock,
    explain,
    raw_insert,
    refused,
)
from tests.factories import (
    PendingSubscriptionFactory,
    RefundFactory,
    StudioFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REQUIRED_COLUMNS = {
    "subscriptions": ("user_id", "status"),
    "pending_subscriptions": ("user_id", "studio_id", "payment_method"),
    "refunds": (
        "stripe_refund_id",
        "stripe_payment_intent_id",
        "amount",
        "currency",
        "status",
        "processed_by_id",
    ),
}
REQUIRED = {
    "subscriptions": lambda: {"user_id": UserFactory().pk, "status": "ACTIVE"},
    "pending_subscriptions": lambda: (
        lambda studio: {
            "user_id": studio.owner_id,
            "studio_id": studio.pk,
            "payment_method": "PAYPAL",
        }
    )(StudioFactory()),
    "refunds": lambda: {
        "stripe_refund_id": "re_raw",
        "stripe_payment_intent_id": "pi_raw",
        "amount": 29900,
        "currency": "usd",
        "status": "PENDING",
        "processed_by_id": UserFactory(admin=True).pk,
    },
}
DEFAULTS = [
    ("subscriptions", "payment_method", "STRIPE"),
    ("pending_subscriptions", "status", "PENDING_APPROVAL"),
]


@pytest.mark.parametrize("table", REQUIRED)
def test_a_row_of_only_the_required_columns_inserts(table):
    assert tuple(REQUIRED[table]()) == REQUIRED_COLUMNS[table]
    row = raw_insert(table, **REQUIRED[table]())
    began, now = db_clock()
    assert began <= row["created_at"] == row["updated_at"] <= now


@pytest.mark.parametrize(
    ("table", "column"), [(t, c) for t, columns in REQUIRED_COLUMNS.items() for c in columns]
)
def test_required_column_is_not_null(table, column):
    values = REQUIRED[table]()
    del values[column]
    with refused(NOT_NULL_VIOLATION, column=column):
        raw_insert(table, **values)


@pytest.mark.parametrize(("table", "column", "expected"), DEFAULTS)
def test_database_default(table, column, expected):
    assert raw_insert(table, **REQUIRED[table]())[column] == expected


# --- provider ids are unique where present ------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "field", "constraint"),
    [
        (
            SubscriptionFactory,
            "stripe_subscription_id",
            "subscriptions_stripe_subscription_id_key",
        ),
        (
            SubscriptionFactory,
            "paypal_subscription_id",
            "subscriptions_paypal_subscription_id_key",
        ),
        (
            PendingSubscriptionFactory,
            "stripe_session_id",
            "pending_subscriptions_stripe_session_id_key",
        ),
        (
            PendingSubscriptionFactory,
            "paypal_subscription_id",
            "pending_subscriptions_paypal_subscription_id_key",
        ),
        (RefundFactory, "stripe_refund_id", "refunds_stripe_refund_id_key"),
    ],
)
def test_a_provider_id_is_stored_once(factory, field, constraint):
    factory(**{field: "I-0123456789"})
    with refused(UNIQUE_VIOLATION, constraint=constraint):
        factory(**{field: "I-0123456789"})


@pytest.mark.parametrize(
    ("factory", "field"),
    [
        (SubscriptionFactory, "stripe_subscription_id"),
        (SubscriptionFactory, "paypal_subscription_id"),
        (PendingSubscriptionFactory, "stripe_session_id"),
        (PendingSubscriptionFactory, "paypal_subscription_id"),
    ],
)
def test_many_rows_may_lack_a_provider_id(factory, field):
    rows = [factory(**{field: None}), factory(**{field: None})]
    stored = type(rows[0]).objects.filter(pk__in=[row.pk for row in rows], **{field: None})
    assert stored.count() == 2


def test_a_payment_intent_may_be_refunded_in_parts():
    first = RefundFactory()
    RefundFactory(stripe_payment_intent_id=first.stripe_payment_intent_id)
    assert (
        Refund.objects.filter(stripe_payment_intent_id=first.stripe_payment_intent_id).count() == 2
    )


def test_a_refund_of_nothing_is_refused():
    refund = RefundFactory()
    with refused(CHECK_VIOLATION, constraint="refunds_amount_positive"):
        Refund.objects.filter(pk=refund.pk).update(amount=0)


def test_a_negative_refund_is_refused():
    refund = RefundFactory()
    with refused(CHECK_VIOLATION) as refusal:
        Refund.objects.filter(pk=refund.pk).update(amount=-100)
    # Both ours and PositiveIntegerField's own ">= 0" refuse it; PostgreSQL names one.
    assert refusal.constraint in {"refunds_amount_positive", "refunds_amount_check"}


# --- delete rules -------------------------------------------------------------------------


def test_a_subscription_protects_its_user():
    subscription = SubscriptionFactory()
    with pytest.raises(ProtectedError):
        subscription.user.delete()
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_the_database_refuses_deleting_a_subscriber_too():
    subscription = SubscriptionFactory(user=UserFactory(profile=None))
    with refused(FOREIGN_KEY_VIOLATION) as refusal, connection.cursor() as cursor:
        cursor.execute("DELETE FROM users WHERE id = %s", [subscription.user_id])
    assert refusal.constraint.startswith("subscriptions_user_id_")


def test_a_refund_protects_the_admin_who_made_it():
    refund = RefundFactory()
    with pytest.raises(ProtectedError):
        refund.processed_by.delete()
    assert Refund.objects.filter(pk=refund.pk).exists()


def test_deleting_a_user_deletes_their_pending_subscriptions():
    pending = PendingSubscriptionFactory(user=UserFactory())  # paid for someone's studio
    pending.user.delete()
    assert not PendingSubscription.objects.filter(pk=pending.pk).exists()


def test_deleting_a_studio_deletes_its_pending_subscriptions():
    pending = PendingSubscriptionFactory()
    pending.studio.delete()
    assert not PendingSubscription.objects.filter(pk=pending.pk).exists()


# --- indexes: each serves its query -------------------------------------------------------

INDEX_QUERIES = {
    # The daily "expiring soon" / "period over" sweep.
    "subs_expiry_idx": lambda: Subscription.objects.filter(
        status="ACTIVE", current_period_end__lt="2030-01-01T00:00:00Z"
    ),
    "subscriptions_stripe_customer_id": lambda: Subscription.objects.filter(
        stripe_customer_id="cus_1"
    ),
    # The admin's approval queue, oldest first.
    "pending_subs_queue_idx": lambda: PendingSubscription.objects.filter(
        status="PENDING_APPROVAL"
    ).order_by("created_at")[:50],
    "refunds_stripe_payment_intent_id": lambda: Refund.objects.filter(
        stripe_payment_intent_id="pi_1"
    ),
}


@pytest.mark.parametrize("index", INDEX_QUERIES)
def test_index_serves_its_query(index):
    assert index in explain(INDEX_QUERIES[index]())
