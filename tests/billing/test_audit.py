"""Issue 11's audit log for billing: every admin action on subscriptions and refunds leaves
one append-only entry (actor, action, before/after), whichever door it came through, and
only when something really changed."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from billing.models import PendingSubscription, Refund, StripeEvent, WebhookEventStatus
from moderation.models import AuditLogEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _admin_api(admin=None) -> tuple[APIClient, object]:
    admin = admin or UserFactory(admin=True)
    api = APIClient()
    api.force_login(admin)
    return api, admin


def _entries(action: str) -> list[AuditLogEntry]:
    return list(AuditLogEntry.objects.filter(action=action).order_by("pk"))


# --- the API door ------------------------------------------------------------------------


def test_refund_through_the_api_is_audited_once(fake_stripe, bought):
    _, sub, _ = bought()
    api, admin = _admin_api()
    body = {"subscription_id": sub.pk, "reason": "Duplicate charge"}
    first = api.post("/api/admin/refunds", body, format="json")
    assert first.status_code == 201, first.content
    again = api.post("/api/admin/refunds", body, format="json")  # the idempotent repeat
    assert again.status_code == 200, again.content
    refund = Refund.objects.get()
    [entry] = _entries("refund.create")
    assert (entry.actor_id, entry.actor_label) == (admin.pk, admin.username)
    assert (entry.target_type, entry.target_id) == ("REFUND", str(refund.pk))
    assert entry.before is None
    assert entry.after == {
        "stripe_refund_id": refund.stripe_refund_id,
        "payment_intent": sub.latest_payment_intent_id,
        "amount": 29900,
        "currency": refund.currency,
        "status": "PENDING",
        "subscription_id": sub.pk,
    }
    assert entry.reason == "Duplicate charge"


def test_refused_refund_leaves_no_entry(fake_stripe, bought):
    _, sub, _ = bought()
    api, _ = _admin_api()
    response = api.post(
        "/api/admin/refunds",
        {"subscription_id": sub.pk, "reason": "x", "amount": 10**9},
        format="json",
    )
    assert response.status_code == 400
    assert not AuditLogEntry.objects.exists()


def test_approval_through_the_api_is_audited(fake_stripe, bought, settings):
    settings.BILLING_REQUIRE_APPROVAL = True
    _, sub, _ = bought()
    pending = PendingSubscription.objects.get()
    api, admin = _admin_api()
    assert api.post(f"/api/admin/pending-subscriptions/{pending.pk}/approve").status_code == 200
    assert api.post(f"/api/admin/pending-subscriptions/{pending.pk}/approve").status_code == 409
    [entry] = _entries("subscription.approve")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        admin.pk,
        "SUBSCRIPTION",
        str(sub.pk),
    )
    assert entry.before == {"pending_id": pending.pk, "status": "PENDING_APPROVAL"}
    assert entry.after == {
        "pending_id": pending.pk,
        "status": "APPROVED",
        "subscription_id": sub.pk,
    }


def test_rejection_through_the_api_audits_decision_and_refund(fake_stripe, bought, settings):
    settings.BILLING_REQUIRE_APPROVAL = True
    _, sub, _ = bought()
    pending = PendingSubscription.objects.get()
    api, admin = _admin_api()
    response = api.post(
        f"/api/admin/pending-subscriptions/{pending.pk}/reject", {"reason": "Not a studio"}
    )
    assert response.status_code == 200, response.content
    [reject] = _entries("subscription.reject")
    [refund] = _entries("refund.create")
    assert reject.actor_id == refund.actor_id == admin.pk
    assert (reject.target_id, reject.reason) == (str(sub.pk), "Not a studio")
    assert reject.after["status"] == "REJECTED"
    assert refund.target_id == str(Refund.objects.get().pk)


def test_non_admins_leave_no_entry(fake_stripe, bought, settings):
    settings.BILLING_REQUIRE_APPROVAL = True
    studio, sub, _ = bought()
    pending = PendingSubscription.objects.get()
    for user in (None, UserFactory(), studio.owner):
        api = APIClient()
        if user is not None:
            api.force_login(user)
        assert api.post(f"/api/admin/pending-subscriptions/{pending.pk}/approve").status_code in (
            401,
            403,
        )
        body = {"subscription_id": sub.pk, "reason": "x"}
        assert api.post("/api/admin/refunds", body, format="json").status_code in (401, 403)
    assert not AuditLogEntry.objects.exists()


# --- the Django admin door ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "audited", "status"),
    [
        ("approve_pending", "subscription.approve", "APPROVED"),
        ("reject_pending", "subscription.reject", "REJECTED"),
    ],
)
def test_admin_actions_are_audited(fake_stripe, bought, settings, client, action, audited, status):
    settings.BILLING_REQUIRE_APPROVAL = True
    _, sub, _ = bought()
    pending = PendingSubscription.objects.get()
    admin = UserFactory(admin=True)
    client.force_login(admin)
    response = client.post(
        "/admin/billing/pendingsubscription/",
        {"action": action, "_selected_action": [pending.pk]},
    )
    assert response.status_code == 302
    [entry] = _entries(audited)
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        admin.pk,
        "SUBSCRIPTION",
        str(sub.pk),
    )
    assert (entry.before["status"], entry.after["status"]) == ("PENDING_APPROVAL", status)


def test_admin_reprocess_is_audited_only_when_it_changes_the_event(
    fake_stripe,
    bought,
    deliver,
    client,
    admin_reprocess,
):
    _, _, remote = bought()
    snapshot = fake_stripe.get(remote["id"])
    fake_stripe.objects.pop(remote["id"])  # Stripe answers 404 for a while
    deliver(fake_stripe.event("customer.subscription.updated", snapshot))
    event = StripeEvent.objects.get(type="customer.subscription.updated")
    assert event.status == WebhookEventStatus.FAILED
    admin = UserFactory(admin=True)
    client.force_login(admin)

    admin_reprocess(event.pk)  # still failing the same way: nothing changed, nothing audited
    assert not _entries("stripe_event.reprocess")
    fake_stripe.objects[remote["id"]] = snapshot
    admin_reprocess(event.pk)
    admin_reprocess(event.pk)  # already PROCESSED: skipped, not audited again
    [entry] = _entries("stripe_event.reprocess")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        admin.pk,
        "SUBSCRIPTION",
        remote["id"],
    )
    assert entry.before["status"] == "FAILED"
    assert entry.after == {"status": "PROCESSED", "error": "", "attempts": 3}
    assert event.stripe_event_id in entry.target_label
