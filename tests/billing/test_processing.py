"""Processing webhook events: exactly once in effect, in any order, premium following.

Events are posted signed to the real endpoint; the task runs in this process right after
the commit; stripe-python re-reads objects from the fake Stripe server.
"""

from __future__ import annotations

import itertools
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import (
    BillingNotice,
    StripeCustomer,
    StripeEvent,
    Subscription,
    SubscriptionStatus,
    WebhookEventStatus,
)
from billing.services import stripe_event_reprocess
from directory.models import Studio
from realtime.models import Notification
from tests.factories import StudioFactory
from tests.fakes.stripe import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(checkout_paid):
    """An owner's studio, a completed checkout at Stripe: (studio, session, sub, invoice)."""
    return checkout_paid()


def _premium(studio) -> bool:
    return Studio.objects.get(pk=studio.pk).is_premium


def _search_premium_ids(client) -> set[int]:
    body = client.get("/api/studios/search", {"premium": "true", "page_size": 100}).json()
    return {card["id"] for card in body["results"]}


def lifecycle_events(fake_stripe, paid):
    _, session, sub, invoice = paid
    return {
        "checkout": fake_stripe.event("checkout.session.completed", session),
        "created": fake_stripe.event("customer.subscription.created", sub),
        "paid": fake_stripe.event("invoice.paid", invoice),
    }


@pytest.mark.parametrize(
    "order", list(itertools.permutations(["checkout", "created", "paid"])), ids="-".join
)
def test_every_order_of_the_start_events_ends_in_one_state(
    fake_stripe, paid, deliver, order, client
):
    studio, _, sub, invoice = paid
    events = lifecycle_events(fake_stripe, paid)
    for name in order:
        deliver(events[name])
    row = Subscription.objects.get()
    assert row.stripe_subscription_id == sub["id"]
    assert (row.user_id, row.studio_id) == (studio.owner_id, studio.pk)
    assert row.status == SubscriptionStatus.ACTIVE
    end = sub["items"]["data"][0]["current_period_end"]
    assert int(row.current_period_end.timestamp()) == end
    assert (
        row.latest_payment_intent_id == invoice["payments"]["data"][0]["payment"]["payment_intent"]
    )
    assert _premium(studio)
    assert studio.pk in _search_premium_ids(client)
    assert StripeCustomer.objects.get(user=studio.owner).stripe_customer_id == sub["customer"]
    assert set(StripeEvent.objects.values_list("status", flat=True)) == {"PROCESSED"}
    # One receipt: the notification (live badge) and the email.
    assert Notification.objects.filter(user=studio.owner, type="PAYMENT_SUCCESS").count() == 1


def test_duplicates_of_every_event_have_a_single_effect(fake_stripe, paid, deliver, outbox):
    studio, *_ = paid
    events = lifecycle_events(fake_stripe, paid)
    for payload in [*events.values(), *events.values(), events["paid"]]:
        deliver(payload)
    assert StripeEvent.objects.count() == 3
    assert Subscription.objects.count() == 1
    assert Notification.objects.filter(type="PAYMENT_SUCCESS").count() == 1
    # One email: the notification's twin (the default preference emails PAYMENT_SUCCESS).
    receipts = [
        m for m in outbox if m.subject in ("Payment received", "Your Studio Finder receipt")
    ]
    assert len(receipts) == 1
    assert receipts[0].to == [studio.owner.email]


def test_the_same_invoice_in_two_distinct_events_sends_one_receipt(fake_stripe, paid, deliver):
    _, _, _, invoice = paid
    deliver(fake_stripe.event("invoice.paid", invoice))
    deliver(fake_stripe.event("invoice.paid", invoice))  # a new event id, same invoice
    assert StripeEvent.objects.count() == 2
    assert Notification.objects.filter(type="PAYMENT_SUCCESS").count() == 1
    assert BillingNotice.objects.filter(key=f"invoice.paid:{invoice['id']}").count() == 1


def test_late_older_update_does_not_overwrite_newer_state(fake_stripe, paid, deliver, client):
    studio, _, sub, _ = paid
    old_snapshot = fake_stripe.get(sub["id"])  # active, as Stripe sent it at the start
    old_update = fake_stripe.event("customer.subscription.updated", old_snapshot)
    deliver(fake_stripe.event("customer.subscription.created", old_snapshot))
    assert _premium(studio)
    # Later the subscription ends at once (unpaid, then deleted) ...
    deleted = fake_stripe.subscription_set(
        sub["id"], status="canceled", current_period_end=int(time.time()) - 60
    )
    deliver(fake_stripe.event("customer.subscription.deleted", deleted))
    assert Subscription.objects.get().status == SubscriptionStatus.CANCELLED
    assert not _premium(studio)
    # ... and only now does the older "active" update arrive: it changes nothing.
    deliver(old_update)
    assert Subscription.objects.get().status == SubscriptionStatus.CANCELLED
    assert not _premium(studio)
    assert studio.pk not in _search_premium_ids(client)


@pytest.mark.parametrize(
    "order",
    list(itertools.permutations(["updated", "paid", "deleted"])),
    ids="-".join,
)
def test_every_order_of_the_ending_events_ends_cancelled(fake_stripe, paid, deliver, order):
    studio, session, sub, invoice = paid
    deliver(fake_stripe.event("checkout.session.completed", session))
    assert _premium(studio)
    updated = fake_stripe.subscription_set(sub["id"], cancel_at_period_end=True)
    events = {
        "updated": fake_stripe.event("customer.subscription.updated", updated),
        "paid": fake_stripe.event("invoice.paid", invoice),
    }
    deleted = fake_stripe.subscription_set(
        sub["id"], status="canceled", current_period_end=int(time.time()) - 60
    )
    events["deleted"] = fake_stripe.event("customer.subscription.deleted", deleted)
    for name in order:
        deliver(events[name])
    assert Subscription.objects.get().status == SubscriptionStatus.CANCELLED
    assert not _premium(studio)


@pytest.mark.parametrize(
    ("stripe_status", "ours", "premium"),
    [
        ("active", "ACTIVE", True),
        ("trialing", "ACTIVE", True),
        ("past_due", "PAST_DUE", True),  # within the grace period
        ("unpaid", "UNPAID", False),
        ("incomplete", "INCOMPLETE", False),
        ("incomplete_expired", "INCOMPLETE", False),
        ("paused", "SUSPENDED", False),
        ("canceled", "CANCELLED", True),  # until the period ends
    ],
)
def test_status_mapping_and_premium(fake_stripe, paid, deliver, stripe_status, ours, premium):
    studio, _, sub, _ = paid
    snapshot = fake_stripe.subscription_set(sub["id"], status=stripe_status)
    deliver(fake_stripe.event("customer.subscription.updated", snapshot))
    row = Subscription.objects.get()
    assert row.status == ours
    assert _premium(studio) is premium


def test_past_due_beyond_the_grace_period_is_not_premium(fake_stripe, paid, deliver, settings):
    studio, _, sub, _ = paid
    start = fake_stripe.now() - (settings.BILLING_PAST_DUE_GRACE_DAYS + 1) * 86400
    snapshot = fake_stripe.subscription_set(
        sub["id"], status="past_due", current_period_start=start, current_period_end=start + YEAR
    )
    deliver(fake_stripe.event("customer.subscription.updated", snapshot))
    assert Subscription.objects.get().status == SubscriptionStatus.PAST_DUE
    assert not _premium(studio)


def test_payment_failed_notifies_and_emails_once(fake_stripe, paid, deliver, outbox):
    studio, session, sub, _ = paid
    deliver(fake_stripe.event("checkout.session.completed", session))
    failed = fake_stripe.pay_invoice(sub["id"], paid=False)
    fake_stripe.subscription_set(sub["id"], status="past_due")
    payload = fake_stripe.event("invoice.payment_failed", failed)
    deliver(payload)
    deliver(payload)
    deliver(fake_stripe.event("invoice.payment_failed", failed))
    assert Notification.objects.filter(user=studio.owner, type="PAYMENT_FAILED").count() == 1
    assert len([m for m in outbox if "payment failed" in m.subject.lower()]) == 1
    assert Subscription.objects.get().status == SubscriptionStatus.PAST_DUE


def test_abandoned_checkout_is_processed_and_changes_nothing(fake_stripe, deliver):
    studio = StudioFactory()
    payload = fake_stripe.event(
        "checkout.session.expired",
        {"id": "cs_x", "object": "checkout.session", "status": "expired", "metadata": {}},
    )
    deliver(payload)
    assert StripeEvent.objects.get().status == WebhookEventStatus.PROCESSED
    assert not Subscription.objects.exists()
    assert not _premium(studio)


def test_failure_is_recorded_and_reprocess_applies_it_once(fake_stripe, paid, deliver):
    studio, _, sub, _ = paid
    snapshot = fake_stripe.get(sub["id"])
    fake_stripe.objects.pop(sub["id"])  # Stripe answers 404 for a while
    deliver(fake_stripe.event("customer.subscription.created", snapshot))
    event = StripeEvent.objects.get()
    assert event.status == WebhookEventStatus.FAILED
    assert "No such subscription" in event.error
    assert not Subscription.objects.exists()
    fake_stripe.objects[sub["id"]] = snapshot
    assert stripe_event_reprocess(event_pk=event.pk) == "PROCESSED"
    assert stripe_event_reprocess(event_pk=event.pk) == "PROCESSED"
    event.refresh_from_db()
    assert (event.status, event.error, event.attempts) == ("PROCESSED", "", 2)
    assert _premium(studio)


def test_events_use_the_pinned_api_shapes(fake_stripe, paid):
    """The invoice names its subscription under parent.subscription_details (2026-10-28)."""
    from billing.services.webhooks import _invoice_payment_intent, _invoice_subscription

    _, _, sub, invoice = paid
    assert "subscription" not in invoice
    assert _invoice_subscription(invoice) == sub["id"]
    assert _invoice_payment_intent(invoice).startswith("pi_")
    assert "current_period_end" not in sub
    call = fake_stripe.calls[-1] if fake_stripe.calls else None
    assert call is None or call.stripe_version == "2026-10-28.endive"


def test_api_calls_carry_the_pinned_version(fake_stripe, paid, deliver):
    _, session, _, _ = paid
    deliver(fake_stripe.event("checkout.session.completed", session))
    retrieves = fake_stripe.calls_to("GET", "/v1/subscriptions/")
    assert retrieves
    assert {c.stripe_version for c in retrieves} == {"2026-10-28.endive"}


def test_premium_expires_with_a_cancelled_period(fake_stripe, paid, deliver):
    """CANCELLED keeps premium until the period ends; the sweeper removes it after."""
    from billing.services import subscriptions_sweep

    studio, _, sub, _ = paid
    snapshot = fake_stripe.subscription_set(sub["id"], status="canceled")
    deliver(fake_stripe.event("customer.subscription.deleted", snapshot))
    assert _premium(studio)
    end = Subscription.objects.get().current_period_end
    assert subscriptions_sweep(now=end - timedelta(hours=1)) == []
    assert _premium(studio)
    assert subscriptions_sweep(now=end + timedelta(seconds=1)) == [studio.pk]
    assert not _premium(studio)


def test_receipt_email_is_ours_when_the_user_turned_payment_emails_off(
    fake_stripe, paid, deliver, outbox
):
    from realtime.models import NotificationPreference

    studio, _, _, invoice = paid
    NotificationPreference.objects.create(
        user=studio.owner, type="PAYMENT_SUCCESS", in_app=True, email=False
    )
    deliver(fake_stripe.event("invoice.paid", invoice))
    deliver(fake_stripe.event("invoice.paid", invoice))
    assert [m.subject for m in outbox if m.to == [studio.owner.email]] == [
        "Your Studio Finder receipt"
    ]
    assert invoice["id"] in outbox[0].body


def test_a_renewal_update_costs_few_round_trips(
    fake_stripe, paid, deliver, django_assert_num_queries
):
    """An update of a subscription we have, premium on and kept on: the take (a run
    opened, committed on its own before the apply, so a worker killed mid-apply leaves it
    counted: docs/billing.md, "Poison events"), then the transaction, the event's claim
    (lock, check, status and the runs closed in one UPDATE), row lock (with its studio),
    commit (5; 4 before the take, 5, 9 and 13 before that) — no savepoint, no advisory
    lock, no premium read or write, no separate read of the event."""
    from billing.services import stripe_event_process

    studio, session, sub, _ = paid
    deliver(fake_stripe.event("checkout.session.completed", session))
    assert _premium(studio)
    payload = fake_stripe.event("customer.subscription.updated", fake_stripe.get(sub["id"]))
    from billing.services import webhook_event_receive
    from tests.fakes.stripe import sign

    _, event_id = webhook_event_receive(payload=payload.encode(), signature=sign(payload))
    event = StripeEvent.objects.get(stripe_event_id=event_id)
    with django_assert_num_queries(5) as captured:
        assert stripe_event_process(event_pk=event.pk) == "PROCESSED"
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert sql.count("UPDATE billing_stripe_events") == 2  # the take, the claim; no other
    assert "open_runs = 0" in captured.captured_queries[2]["sql"]  # the claim closes the run
    assert 'FROM "billing_stripe_events"' not in sql  # nor a read of the event
    assert "pg_advisory_xact_lock" not in sql
    assert 'UPDATE "directory_studio"' not in sql
    assert _premium(studio)


def test_an_event_older_than_our_last_read_asks_stripe_nothing(fake_stripe, paid, deliver):
    """A backlog of one subscription's events costs one read: an event that happened
    before our committed read of Stripe (with READ_MARGIN for clocks) carries nothing
    newer; one that happened after it is read again."""
    studio, session, sub, _ = paid
    deliver(fake_stripe.event("checkout.session.completed", session))
    reads = len(fake_stripe.calls_to("GET", f"/v1/subscriptions/{sub['id']}"))
    assert reads == 1
    # Stripe changed it after our read, but this event is from before: we hold newer.
    fake_stripe.subscription_set(sub["id"], cancel_at_period_end=True)
    before = int(time.time()) - 60
    older = fake_stripe.event("customer.subscription.updated", sub, created=before)
    assert deliver(older)["duplicate"] is False
    assert StripeEvent.objects.get(stripe_created__lt=timezone.now() - timedelta(seconds=30))
    assert len(fake_stripe.calls_to("GET", f"/v1/subscriptions/{sub['id']}")) == reads
    assert Subscription.objects.get().cancel_at_period_end is False
    # The event of that change (after our read) is read again and applied.
    newer = fake_stripe.event("customer.subscription.updated", fake_stripe.get(sub["id"]))
    deliver(newer)
    assert len(fake_stripe.calls_to("GET", f"/v1/subscriptions/{sub['id']}")) == reads + 1
    assert Subscription.objects.get().cancel_at_period_end is True
    assert _premium(studio)
    assert StripeEvent.objects.filter(status=WebhookEventStatus.PROCESSED).count() == 3


def test_without_the_read_hint_every_event_reads_stripe(fake_stripe, paid, deliver):
    """The hint lives in the cache: evicted (or never committed), Stripe is read again."""
    from django.core.cache import cache

    _, session, sub, _ = paid
    deliver(fake_stripe.event("checkout.session.completed", session))
    cache.clear()
    older = fake_stripe.event("customer.subscription.updated", sub, created=int(time.time()) - 60)
    deliver(older)
    assert len(fake_stripe.calls_to("GET", f"/v1/subscriptions/{sub['id']}")) == 2


def test_an_event_our_last_read_covers_is_claim_and_commit(
    fake_stripe, paid, deliver, django_assert_num_queries
):
    """The backlog's common case: the take (a run opened, committed on its own), the claim
    (which writes PROCESSED and closes the run) and the commit."""
    from billing.services import stripe_event_process, webhook_event_receive
    from tests.fakes.stripe import sign

    _, session, sub, _ = paid
    deliver(fake_stripe.event("checkout.session.completed", session))
    payload = fake_stripe.event("customer.subscription.updated", sub, created=int(time.time()) - 60)
    _, event_id = webhook_event_receive(payload=payload.encode(), signature=sign(payload))
    event = StripeEvent.objects.get(stripe_event_id=event_id)
    reads = len(fake_stripe.calls_to("GET", f"/v1/subscriptions/{sub['id']}"))
    with django_assert_num_queries(4):
        assert stripe_event_process(event_pk=event.pk) == "PROCESSED"
    assert len(fake_stripe.calls_to("GET", f"/v1/subscriptions/{sub['id']}")) == reads
    event.refresh_from_db()
    assert (event.status, event.error, event.attempts, event.open_runs) == ("PROCESSED", "", 1, 0)
    assert event.processed_at is not None
    # Done: a duplicate task is the take (no row: nothing opened) and a read of the status,
    # no transaction and no claim.
    with django_assert_num_queries(2):
        assert stripe_event_process(event_pk=event.pk) == "PROCESSED"
    event.refresh_from_db()
    assert event.attempts == 1


def test_a_claim_rolled_back_leaves_the_event_as_it_was(fake_stripe, paid, deliver):
    """The claim writes PROCESSED inside the transaction that applies the event: a crash
    (here, an exception) before the commit leaves it RECEIVED, attempts unchanged."""
    from django.db import transaction

    from billing.services import webhook_event_receive
    from billing.services.webhooks import _event_claim
    from tests.fakes.stripe import sign

    _, _, sub, _ = paid
    payload = fake_stripe.event("customer.subscription.created", sub)
    _, event_id = webhook_event_receive(payload=payload.encode(), signature=sign(payload))
    pk = StripeEvent.objects.get(stripe_event_id=event_id).pk
    seen = {}

    def claim_then_crash():
        with transaction.atomic():
            seen["claim"] = _event_claim(pk)
            raise RuntimeError("killed mid-event")

    with pytest.raises(RuntimeError):
        claim_then_crash()
    event, before = seen["claim"]
    assert (event.status, event.attempts, event.stripe_event_id) == ("PROCESSED", 1, event_id)
    assert event.payload["data"]["object"]["id"] == sub["id"]
    assert before == {"status": "RECEIVED", "error": "", "attempts": 0}
    row = StripeEvent.objects.get(pk=pk)
    assert (row.status, row.attempts, row.processed_at) == ("RECEIVED", 0, None)
    assert not Subscription.objects.exists()
