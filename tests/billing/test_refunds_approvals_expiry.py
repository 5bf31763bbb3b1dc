"""Refunds (idempotent), approvals and rejections, expiry reminders, the premium sweeper."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import (
    PendingSubscription,
    PendingSubscriptionStatus,
    Refund,
    RefundStatus,
    Subscription,
    SubscriptionStatus,
)
from billing.services import expiry_reminders_send, subscriptions_sweep
from directory.models import Studio
from realtime.models import Notification
from tests.factories import StudioFactory, SubscriptionFactory, UserFactory
from tests.support.api import error_of

pytestmark = pytest.mark.django_db


def _admin_api():
    api = APIClient()
    api.force_login(UserFactory(admin=True))
    return api


def _premium(studio) -> bool:
    return Studio.objects.get(pk=studio.pk).is_premium


# --- refunds -----------------------------------------------------------------------------


def test_refund_starts_pending_and_webhooks_move_it(fake_stripe, bought, deliver, outbox):
    studio, sub, _ = bought()
    response = _admin_api().post(
        "/api/admin/refunds", {"subscription_id": sub.pk, "reason": "Asked"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["amount"], body["currency"]) == ("PENDING", 29900, "usd")
    (call,) = fake_stripe.calls_to("POST", "/v1/refunds")
    assert call.idempotency_key.startswith("sf-refund-")
    refund = Refund.objects.get()
    assert refund.idempotency_key == call.idempotency_key
    succeeded = fake_stripe.refund_set(refund.stripe_refund_id, "succeeded")
    deliver(fake_stripe.event("refund.updated", succeeded))
    deliver(fake_stripe.event("refund.updated", succeeded))
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    emails = [m for m in outbox if m.subject == "Your Studio Finder refund"]
    assert len(emails) == 1
    assert emails[0].to == [studio.owner.email]


@pytest.mark.parametrize(
    ("stripe_status", "ours"), [("failed", "FAILED"), ("canceled", "CANCELLED")]
)
def test_refund_failure_and_cancellation(fake_stripe, bought, deliver, stripe_status, ours):
    _, sub, _ = bought()
    _admin_api().post(
        "/api/admin/refunds", {"subscription_id": sub.pk, "reason": "x"}, format="json"
    )
    refund = Refund.objects.get()
    event = "refund.failed" if stripe_status == "failed" else "refund.updated"
    deliver(
        fake_stripe.event(event, fake_stripe.refund_set(refund.stripe_refund_id, stripe_status))
    )
    refund.refresh_from_db()
    assert refund.status == ours


def test_charge_refunded_moves_our_refunds_too(fake_stripe, bought, deliver):
    _, sub, _ = bought()
    _admin_api().post(
        "/api/admin/refunds", {"subscription_id": sub.pk, "reason": "x"}, format="json"
    )
    refund = Refund.objects.get()
    fake_stripe.refund_set(refund.stripe_refund_id, "succeeded")
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": refund.stripe_payment_intent_id,
        "refunded": True,
    }
    deliver(fake_stripe.event("charge.refunded", charge))
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED


def test_double_click_makes_one_stripe_refund(fake_stripe, bought):
    _, sub, _ = bought()
    api = _admin_api()
    body = {"subscription_id": sub.pk, "amount": 1000, "reason": "Goodwill"}
    first = api.post("/api/admin/refunds", body, format="json")
    second = api.post("/api/admin/refunds", body, format="json")
    other_admin = _admin_api().post("/api/admin/refunds", body, format="json")
    assert (first.status_code, second.status_code, other_admin.status_code) == (201, 200, 200)
    assert first.json()["id"] == second.json()["id"] == other_admin.json()["id"]
    assert Refund.objects.count() == 1
    refunds = [o for o in fake_stripe.objects.values() if o["object"] == "refund"]
    assert len(refunds) == 1


@pytest.mark.django_db(transaction=True)
def test_two_admins_at_once_make_one_stripe_refund(fake_stripe, bought):
    _, sub, _ = bought()
    admins = [UserFactory(admin=True) for _ in range(4)]
    barrier = threading.Barrier(len(admins))
    statuses = []

    def click(admin):
        api = APIClient()
        api.force_login(admin)
        barrier.wait()
        response = api.post(
            "/api/admin/refunds",
            {"subscription_id": sub.pk, "amount": 500, "reason": "Same ticket"},
            format="json",
        )
        statuses.append(response.status_code)
        connection.close()

    threads = [threading.Thread(target=click, args=(a,)) for a in admins]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses)[-1] in (200, 201)
    assert set(statuses) <= {200, 201}
    assert Refund.objects.count() == 1
    assert len([o for o in fake_stripe.objects.values() if o["object"] == "refund"]) == 1
    keys = {c.idempotency_key for c in fake_stripe.calls_to("POST", "/v1/refunds")}
    assert len(keys) == 1


def test_over_refund_is_400_and_reaches_no_refund(fake_stripe, bought):
    _, sub, _ = bought()
    api = _admin_api()
    ok = api.post(
        "/api/admin/refunds",
        {"subscription_id": sub.pk, "amount": 29000, "reason": "Most"},
        format="json",
    )
    assert ok.status_code == 201
    too_much = api.post(
        "/api/admin/refunds",
        {"subscription_id": sub.pk, "amount": 901, "reason": "More"},
        format="json",
    )
    assert too_much.status_code == 400
    assert error_of(too_much)["code"] == "amount_too_large"
    assert "amount" in error_of(too_much)["fields"]
    assert len(fake_stripe.calls_to("POST", "/v1/refunds")) == 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"reason": "x"},
        {"subscription_id": 1, "payment_intent": "pi_1", "reason": "x"},
        {"payment_intent": "pi_1", "amount": 0, "reason": "x"},
    ],
)
def test_bad_refund_requests_are_400(fake_stripe, body):
    response = _admin_api().post("/api/admin/refunds", body, format="json")
    assert response.status_code == 400
    error_of(response)


def test_unknown_payment_intent_is_400(fake_stripe):
    response = _admin_api().post(
        "/api/admin/refunds", {"payment_intent": "pi_nope", "reason": "x"}, format="json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("who", ["anonymous", "member", "owner"])
def test_only_admins_refund(fake_stripe, bought, who):
    studio, sub, _ = bought()
    api = APIClient()
    if who != "anonymous":
        api.force_login(studio.owner if who == "owner" else UserFactory())
    response = api.post("/api/admin/refunds", {"subscription_id": sub.pk, "reason": "x"})
    assert response.status_code == (401 if who == "anonymous" else 403)
    assert not fake_stripe.calls_to("POST", "/v1/refunds")


# --- approvals ---------------------------------------------------------------------------


def test_approval_flow(fake_stripe, bought, settings):
    settings.BILLING_REQUIRE_APPROVAL = True
    studio, sub, _ = bought()
    assert sub.awaiting_approval
    assert not _premium(studio)
    pending = PendingSubscription.objects.get()
    assert pending.status == PendingSubscriptionStatus.PENDING_APPROVAL
    assert pending.stripe_session_id.startswith("cs_test")
    api = _admin_api()
    queue = api.get("/api/admin/pending-subscriptions").json()["results"]
    assert [row["id"] for row in queue] == [pending.pk]
    response = api.post(f"/api/admin/pending-subscriptions/{pending.pk}/approve")
    assert response.status_code == 200
    assert response.json()["status"] == "APPROVED"
    assert _premium(studio)
    assert Notification.objects.filter(user=studio.owner, title="Premium listing approved").exists()
    again = api.post(f"/api/admin/pending-subscriptions/{pending.pk}/approve")
    assert again.status_code == 409
    assert api.get("/api/admin/pending-subscriptions").json()["results"] == []


def test_rejection_refunds_cancels_and_notifies(fake_stripe, bought, settings, deliver):
    settings.BILLING_REQUIRE_APPROVAL = True
    studio, _, remote = bought()
    pending = PendingSubscription.objects.get()
    response = _admin_api().post(
        f"/api/admin/pending-subscriptions/{pending.pk}/reject", {"reason": "Not a studio"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "REJECTED"
    refund = Refund.objects.get()
    assert (refund.amount, refund.status, refund.reason) == (29900, "PENDING", "Not a studio")
    assert fake_stripe.get(remote["id"])["status"] == "canceled"
    deliver(fake_stripe.event("customer.subscription.deleted", fake_stripe.get(remote["id"])))
    assert Subscription.objects.get().status == SubscriptionStatus.CANCELLED
    assert not _premium(studio)
    assert Notification.objects.filter(
        user=studio.owner, title="Premium listing not approved"
    ).exists()


def test_approval_off_by_default(fake_stripe, bought):
    studio, sub, _ = bought()
    assert not sub.awaiting_approval
    assert _premium(studio)
    assert not PendingSubscription.objects.exists()


def test_admin_actions_call_the_same_services(fake_stripe, bought, settings, client):
    settings.BILLING_REQUIRE_APPROVAL = True
    studio, _, _ = bought()
    pending = PendingSubscription.objects.get()
    admin = UserFactory(admin=True)
    client.force_login(admin)
    response = client.post(
        "/admin/billing/pendingsubscription/",
        {"action": "approve_pending", "_selected_action": [pending.pk]},
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.decided_by_id) == ("APPROVED", admin.pk)
    assert _premium(studio)


# --- expiry reminders and the sweeper ----------------------------------------------------


def _ending(days: float, **kw) -> Subscription:
    studio = StudioFactory()
    return SubscriptionFactory(
        user=studio.owner,
        studio=studio,
        current_period_end=timezone.now() + timedelta(days=days),
        **kw,
    )


def test_reminders_14_and_3_days_before_each_once(outbox):
    sub = _ending(20, cancel_at_period_end=True)
    renews = _ending(10, cancel_at_period_end=False)  # Stripe renews it: no reminder
    legacy = _ending(10, stripe_subscription_id=None, payment_method="PAYPAL")
    end = sub.current_period_end
    assert expiry_reminders_send(now=end - timedelta(days=15)) == 1  # only legacy
    assert expiry_reminders_send(now=end - timedelta(days=14)) == 1  # sub: 14 days
    assert expiry_reminders_send(now=end - timedelta(days=13)) == 0  # not twice
    assert expiry_reminders_send(now=end - timedelta(days=13)) == 0
    sent_3 = expiry_reminders_send(now=end - timedelta(days=3))
    assert sent_3 == 1  # sub's 3-day (legacy's period already ended by then)
    assert expiry_reminders_send(now=end - timedelta(days=2)) == 0
    for s, n in [(sub, 2), (legacy, 1), (renews, 0)]:
        assert Notification.objects.filter(user=s.user, type="SUBSCRIPTION_EXPIRING").count() == n
    assert len([m for m in outbox if m.subject == "Your premium listing ends soon"]) == 3


def test_sweeper_removes_premium_from_ended_subscriptions_legacy_included(client):
    now = timezone.now()
    live = _ending(30)
    ended = _ending(-1, status=SubscriptionStatus.CANCELLED)
    legacy_owner_studio = StudioFactory(is_premium=True)
    SubscriptionFactory(
        user=legacy_owner_studio.owner,
        studio=None,
        stripe_subscription_id=None,
        payment_method="PAYPAL",
        status=SubscriptionStatus.ACTIVE,
        current_period_end=now - timedelta(days=60),
    )
    typed = StudioFactory(is_premium=True)  # an admin typed it: no subscription behind it
    Studio.objects.filter(pk__in=[live.studio_id, ended.studio_id]).update(is_premium=True)
    changed = subscriptions_sweep(now=now)
    assert sorted(changed) == sorted([ended.studio_id, legacy_owner_studio.pk, typed.pk])
    premium = set(Studio.objects.filter(is_premium=True).values_list("pk", flat=True))
    assert premium == {live.studio_id}
    body = client.get("/api/studios/search", {"premium": "true"}).json()
    assert {c["id"] for c in body["results"]} <= {live.studio_id}
    assert subscriptions_sweep(now=now) == []


def test_sweeper_turns_on_a_studio_a_missed_webhook_left_off():
    sub = _ending(100)
    Studio.objects.filter(pk=sub.studio_id).update(is_premium=False)
    assert subscriptions_sweep() == [sub.studio_id]
    assert Studio.objects.get(pk=sub.studio_id).is_premium
