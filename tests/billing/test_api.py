"""Checkout, portal and the subscriptions list, as each kind of user."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.fields import DateTimeField
from rest_framework.test import APIClient

from billing.models import StripeCustomer, SubscriptionStatus
from tests.factories import StudioFactory, SubscriptionFactory, UserFactory
from tests.fakes.stripe import PRICE_ID
from tests.support.api import assert_needs_login, error_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def _checkout(api, user, studio_id):
    api.force_login(user)
    return api.post("/api/stripe/checkout", {"studio_id": studio_id}, format="json")


def test_owner_gets_a_checkout_url_with_everything_stripe_needs(fake_stripe, api, settings):
    studio = StudioFactory()
    response = _checkout(api, studio.owner, studio.pk)
    assert response.status_code == 200, response.content
    assert response.json()["url"].startswith("https://checkout.stripe.com/")
    (call,) = fake_stripe.calls_to("POST", "/v1/checkout/sessions")
    params = call.params
    assert params["mode"] == "subscription"
    assert params["line_items"] == [{"price": PRICE_ID, "quantity": "1"}]
    meta = {"user_id": str(studio.owner_id), "studio_id": str(studio.pk), "plan": "PREMIUM_YEARLY"}
    assert params["metadata"] == meta
    assert params["subscription_data"]["metadata"] == meta
    assert params["success_url"].startswith(f"{settings.SITE_URL}/billing/checkout/success")
    assert "{CHECKOUT_SESSION_ID}" in params["success_url"]
    assert params["cancel_url"].startswith(f"{settings.SITE_URL}/billing/checkout/cancelled")
    assert call.stripe_version == settings.STRIPE_API_VERSION
    customer = StripeCustomer.objects.get(user=studio.owner)
    assert params["customer"] == customer.stripe_customer_id


def test_the_customer_is_created_once_and_reused(fake_stripe, api):
    studio = StudioFactory()
    other = StudioFactory(owner=studio.owner)
    assert _checkout(api, studio.owner, studio.pk).status_code == 200
    assert _checkout(api, studio.owner, other.pk).status_code == 200
    assert len(fake_stripe.calls_to("POST", "/v1/customers")) == 1
    customers = {c.params["customer"] for c in fake_stripe.calls_to("POST", "/v1/checkout/")}
    assert len(customers) == 1


def test_409_while_the_studio_has_an_active_subscription(fake_stripe, api):
    studio = StudioFactory()
    SubscriptionFactory(
        user=studio.owner,
        studio=studio,
        status=SubscriptionStatus.ACTIVE,
        current_period_end=timezone.now() + timedelta(days=100),
    )
    response = _checkout(api, studio.owner, studio.pk)
    assert response.status_code == 409
    assert error_of(response)["code"] == "subscription_active"
    assert not fake_stripe.calls_to("POST", "/v1/checkout/")


def test_an_ended_subscription_does_not_block_a_new_checkout(fake_stripe, api):
    studio = StudioFactory()
    SubscriptionFactory(
        user=studio.owner,
        studio=studio,
        status=SubscriptionStatus.CANCELLED,
        current_period_end=timezone.now() - timedelta(days=1),
    )
    assert _checkout(api, studio.owner, studio.pk).status_code == 200


@pytest.mark.parametrize("who", ["member", "other_owner", "admin"])
def test_only_the_owner_may_check_out_a_studio(fake_stripe, api, who):
    studio = StudioFactory()
    user = {
        "member": lambda: UserFactory(),
        "other_owner": lambda: StudioFactory().owner,
        "admin": lambda: UserFactory(admin=True),
    }[who]()
    response = _checkout(api, user, studio.pk)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert not fake_stripe.calls


def test_anonymous_and_suspended_are_refused(fake_stripe, api):
    studio = StudioFactory()
    assert_needs_login(api.post("/api/stripe/checkout", {"studio_id": studio.pk}, format="json"))
    studio.owner.is_suspended_indefinitely = True
    studio.owner.save()
    response = _checkout(api, studio.owner, studio.pk)
    assert response.status_code == 403
    assert error_of(response)["code"] == "suspended"


def test_unverified_owner_may_buy(fake_stripe, api):
    studio = StudioFactory(owner__email_verified=False)
    assert _checkout(api, studio.owner, studio.pk).status_code == 200


@pytest.mark.parametrize("body", [{}, {"studio_id": "x"}, {"studio_id": 0}])
def test_bad_input_is_400(fake_stripe, api, body):
    api.force_login(StudioFactory().owner)
    response = api.post("/api/stripe/checkout", body, format="json")
    assert response.status_code == 400
    assert "studio_id" in error_of(response)["fields"]


def test_stripe_down_is_502_json(fake_stripe, api, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens
    studio = StudioFactory()
    response = _checkout(api, studio.owner, studio.pk)
    assert response.status_code == 502
    assert error_of(response)["code"] == "payment_provider_error"


def test_not_configured_is_503_json(api, settings):
    settings.STRIPE_SECRET_KEY = ""
    studio = StudioFactory()
    response = _checkout(api, studio.owner, studio.pk)
    assert response.status_code == 503
    assert error_of(response)["code"] == "billing_unavailable"


def test_portal_answers_a_url_for_the_users_customer(fake_stripe, api, settings):
    studio = StudioFactory()
    _checkout(api, studio.owner, studio.pk)
    response = api.post("/api/stripe/portal")
    assert response.status_code == 200
    assert response.json()["url"].startswith("https://billing.stripe.com/")
    (call,) = fake_stripe.calls_to("POST", "/v1/billing_portal/sessions")
    assert call.params == {
        "customer": StripeCustomer.objects.get().stripe_customer_id,
        "return_url": f"{settings.SITE_URL}/billing",
    }


def test_portal_without_a_billing_account_is_404(fake_stripe, api):
    api.force_login(UserFactory())
    response = api.post("/api/stripe/portal")
    assert response.status_code == 404
    assert error_of(response)["code"] == "no_billing_account"
    assert_needs_login(APIClient().post("/api/stripe/portal"))


def test_subscriptions_list_shows_only_mine_with_status_end_and_renewal(api):
    studio = StudioFactory()
    end = timezone.now() + timedelta(days=200)
    SubscriptionFactory(
        user=studio.owner, studio=studio, current_period_end=end, cancel_at_period_end=False
    )
    SubscriptionFactory(
        user=studio.owner,
        studio=None,
        stripe_subscription_id=None,
        status=SubscriptionStatus.CANCELLED,
        current_period_end=timezone.now() - timedelta(days=3),
    )
    for _ in range(3):
        SubscriptionFactory()  # other people's
    api.force_login(studio.owner)
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/billing/subscriptions")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 2
    active = next(r for r in rows if r["status"] == "ACTIVE")
    assert active["studio_id"] == studio.pk
    assert active["renews"] is True
    assert active["premium"] is True
    assert active["current_period_end"] is not None
    legacy = next(r for r in rows if r["status"] == "CANCELLED")
    assert (legacy["renews"], legacy["premium"]) == (False, False)
    # session + user + the list (with its studios): a fixed number whatever the count.
    list_queries = [q for q in queries.captured_queries if "subscriptions" in q["sql"]]
    assert len(list_queries) == 1


def test_subscriptions_list_needs_login():
    assert_needs_login(APIClient().get("/api/billing/subscriptions"))


# --- invoices (read from Stripe) -----------------------------------------------------------


def test_invoices_list_mine_newest_first_in_stripes_shape(fake_stripe, api, checkout_paid):
    studio, _, sub, first = checkout_paid()
    StripeCustomer.objects.create(user=studio.owner, stripe_customer_id=sub["customer"])
    renewal = fake_stripe.pay_invoice(sub["id"], paid=False)
    checkout_paid()  # someone else's customer and invoice
    api.force_login(studio.owner)
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/billing/invoices")
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [renewal["id"], first["id"]]
    paid, due = rows[1], rows[0]
    assert paid["number"] == first["number"]
    assert paid["number"].endswith("-0001")
    assert (paid["status"], paid["amount_paid"], paid["currency"]) == ("paid", 29900, "usd")
    assert (due["status"], due["amount_paid"], due["amount_due"]) == ("open", 0, 29900)
    assert paid["hosted_invoice_url"] == first["hosted_invoice_url"]
    assert paid["invoice_pdf"] == first["invoice_pdf"]
    # The service period comes from the lines (a year), not the invoice's own instant.
    item = sub["items"]["data"][0]
    assert paid["period_start"] == _iso(item["current_period_start"])
    assert paid["period_end"] == _iso(item["current_period_end"])
    assert paid["created"] == _iso(first["created"])
    (call,) = fake_stripe.calls_to("GET", "/v1/invoices")
    assert call.params == {"customer": sub["customer"], "limit": "24"}
    # session, user, the customer lookup: Stripe is one HTTP call, the database barely used.
    assert len([q for q in queries.captured_queries if "billing_" in q["sql"]]) == 1


def _iso(ts: int) -> str:
    return DateTimeField().to_representation(datetime.fromtimestamp(ts, tz=UTC))


def test_invoices_of_an_imported_subscriptions_customer(fake_stripe, api):
    """No checkout made a StripeCustomer row: the subscription's customer id is used."""
    customer = fake_stripe.customer_create(email="legacy@example.com")
    remote = fake_stripe.subscription_create(customer=customer["id"])
    invoice = fake_stripe.pay_invoice(remote["id"])
    row = SubscriptionFactory(stripe_customer_id=customer["id"])
    api.force_login(row.user)
    response = api.get("/api/billing/invoices")
    assert [r["id"] for r in response.json()["results"]] == [invoice["id"]]


def test_invoices_without_a_customer_are_none_and_ask_stripe_nothing(fake_stripe, api):
    api.force_login(UserFactory())
    response = api.get("/api/billing/invoices")
    assert response.status_code == 200
    assert response.json() == {"results": []}
    assert not fake_stripe.calls


def test_invoices_stripe_down_is_502_and_unconfigured_503(fake_stripe, api, settings):
    user = UserFactory()
    StripeCustomer.objects.create(user=user, stripe_customer_id="cus_x")
    api.force_login(user)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens
    response = api.get("/api/billing/invoices")
    assert response.status_code == 502
    assert error_of(response)["code"] == "payment_provider_error"
    settings.STRIPE_SECRET_KEY = ""
    response = api.get("/api/billing/invoices")
    assert response.status_code == 503
    assert error_of(response)["code"] == "billing_unavailable"


def test_invoices_stripe_refusing_is_502(fake_stripe, api, settings):
    user = UserFactory()
    StripeCustomer.objects.create(user=user, stripe_customer_id="cus_x")
    api.force_login(user)
    settings.STRIPE_SECRET_KEY = "sk_test_revoked"  # the fake answers 401
    response = api.get("/api/billing/invoices")
    assert response.status_code == 502
    assert error_of(response)["code"] == "payment_provider_error"


def test_invoices_need_login_and_refuse_the_suspended(fake_stripe, api):
    assert_needs_login(APIClient().get("/api/billing/invoices"))
    user = UserFactory(is_suspended_indefinitely=True)
    api.force_login(user)
    response = api.get("/api/billing/invoices")
    assert response.status_code == 403
    assert error_of(response)["code"] == "suspended"
