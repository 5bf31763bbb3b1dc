"""The billing pages in Chromium, against a Daphne process pointed at the local fake Stripe:
"Go premium" on the owner's studio page → Checkout (the fake's URL) → the success page,
which turns "active" live as the webhooks are applied; the billing page (status, renewal
date, portal, invoices); the premium badge on search cards; the admin's pending approvals
and refunds screens. Each page is scanned by axe-core (no serious or critical violation)
and photographed under tests/frontend/screenshots/.

Webhooks are posted signed to Daphne's /api/stripe/webhook, as Stripe posts them; the
stored events are then applied by the worker's own service in this process (its commits
ring the browser through the channel layer, as a worker's would).
"""

from __future__ import annotations

import json
import re
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from billing.models import StripeCustomer, StripeEvent, WebhookEventStatus
from billing.services import stripe_event_process
from tests.factories import (
    PendingSubscriptionFactory,
    RefundFactory,
    StudioFactory,
    StudioTypeFactory,
    SubscriptionFactory,
    UserFactory,
)
from tests.fakes.stripe import PRICE_ID, SECRET_KEY, WEBHOOK_SECRET, FakeStripe, sign, start
from tests.frontend.accessibility import scan
from tests.frontend.browser import in_thread, sign_in_with_cookie
from tests.frontend.conftest import Servers
from tests.frontend.screenshots import shoot
from tests.support.processes import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def fake():
    fake = FakeStripe()
    server = start(fake)
    yield fake
    server.shutdown()
    server.server_close()


def _billing_daphne(tmp_path, api_base: str):
    """One Daphne process with the STRIPE_* settings, its Stripe at `api_base`, SITE_URL at
    itself; yields its base URL."""
    running = Servers(tmp_path, count=1)
    running.env.update(
        STRIPE_API_BASE=api_base,
        STRIPE_SECRET_KEY=SECRET_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_PRICE_ID=PRICE_ID,
        SITE_URL=running.base(0),
    )
    try:
        running.start(0)
        yield running.base(0)
    finally:
        running.stop()


@pytest.fixture(scope="module")
def billing_server(django_db_setup, django_db_blocker, tmp_path_factory, fake):
    """Daphne pointed at the fake Stripe."""
    yield from _billing_daphne(tmp_path_factory.mktemp("daphne-billing"), fake.url)


@pytest.fixture
def stripe_here(settings, fake):
    """This process (the "worker") reads the same fake Stripe."""
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_PRICE_ID = PRICE_ID
    return fake


@pytest.fixture
def context_of(browser, page_errors):
    contexts = []

    def open_as(user, base: str):
        # bypass_csp: axe-core is injected as a script (as in tests/frontend/accessibility.py).
        context = browser.new_context(bypass_csp=True)
        # Stripe's own pages are not reachable offline: answer them with a stub.
        context.route(
            re.compile(r"https://(checkout|billing|invoice)\.stripe\.com/.*"),
            lambda route: route.fulfill(
                status=200,
                content_type="text/html",
                body="<!doctype html><html lang=en><title>Stripe</title><h1>Stripe</h1></html>",
            ),
        )
        if user is not None:
            sign_in_with_cookie(context, user, base)
        contexts.append(context)
        return page_errors.watch(context.new_page())

    yield open_as
    for context in contexts:
        context.close()


def _deliver(base: str, fake: FakeStripe, type: str, obj: dict) -> None:
    """Post a signed event to Daphne as Stripe would, then apply it as the worker would."""
    payload = fake.event(type, obj)
    request = urllib.request.Request(
        f"{base}/api/stripe/webhook",
        data=payload.encode(),
        headers={"Content-Type": "application/json", "Stripe-Signature": sign(payload)},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    pk = StripeEvent.objects.get(stripe_event_id=json.loads(payload)["id"]).pk
    assert in_thread(stripe_event_process, event_pk=pk) == WebhookEventStatus.PROCESSED


def _no_serious_violations(page, name: str, *, django_admin: bool = False) -> None:
    violations = scan(page)
    if django_admin:
        # Django's own admin stylesheet colours the breadcrumb links without underlining
        # them (axe: link-in-text-block). Its templates are Django's, not ours (no admin
        # template is overridden); anything else on the admin pages still fails the test.
        violations = [
            v
            for v in violations
            if not (
                v["id"] == "link-in-text-block"
                and all(n.startswith(".breadcrumbs") for n in v["nodes"])
            )
        ]
    assert not violations, f"{name}: {violations}"
    shoot(page, name)


def test_go_premium_checkout_success_page_turns_active_live(
    billing_server, stripe_here, context_of
):
    fake = stripe_here
    studio = StudioFactory(name="Quiet Booth", owner__username="olive")
    StudioTypeFactory(studio=studio)
    page = context_of(studio.owner, billing_server)

    page.goto(f"{billing_server}/studios/{studio.pk}")
    section = page.locator("#premium-section")
    expect(section).to_be_visible()
    _no_serious_violations(page, "billing-studio-go-premium")
    with page.expect_navigation(url=re.compile(r"https://checkout\.stripe\.com/c/pay/cs_test_")):
        page.locator("#go-premium").click()
    session_id = page.url.rsplit("/", 1)[1]
    (call,) = fake.calls_to("POST", "/v1/checkout/sessions")
    assert call.params["metadata"]["studio_id"] == str(studio.pk)

    # The customer pays at Stripe, which sends them back to the success URL.
    session, sub = fake.complete_checkout(session_id)
    back = call.params["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
    assert back.startswith(f"{billing_server}/billing/checkout/success")
    assert parse_qs(urlsplit(back).query)["studio_id"] == [str(studio.pk)]
    page.goto(back)
    state = page.locator("#checkout-state")
    expect(state).to_have_attribute("data-state", "waiting")
    _no_serious_violations(page, "billing-checkout-waiting")

    # The webhooks arrive after the customer is back: the page follows, without a reload.
    invoice = fake.pay_invoice(sub["id"])
    _deliver(billing_server, fake, "checkout.session.completed", session)
    _deliver(billing_server, fake, "invoice.paid", invoice)
    expect(state).to_have_attribute("data-state", "active", timeout=15_000)
    expect(state).to_contain_text("premium listing")
    _no_serious_violations(page, "billing-checkout-active")

    # The studio page no longer offers premium, and shows the badge.
    page.goto(f"{billing_server}/studios/{studio.pk}")
    expect(page.locator("#studio h1 .tag.premium")).to_have_text("Premium")
    expect(page.locator("#premium-section")).to_be_hidden()


def test_cancelled_checkout_page(billing_server, context_of):
    studio = StudioFactory()
    page = context_of(studio.owner, billing_server)
    page.goto(f"{billing_server}/billing/checkout/cancelled?studio_id={studio.pk}")
    expect(page.locator("#checkout-state")).to_have_attribute("data-state", "cancelled")
    _no_serious_violations(page, "billing-checkout-cancelled")


def test_billing_page_without_a_subscription_says_so_without_an_empty_table(
    billing_server, context_of
):
    studio = StudioFactory()
    page = context_of(studio.owner, billing_server)
    page.goto(f"{billing_server}/billing")
    expect(page.locator("#no-subscriptions")).to_be_visible()
    expect(page.locator("#subscriptions")).to_be_hidden()
    expect(page.locator("#no-subscriptions a")).to_have_attribute("href", "/dashboard")


def test_billing_page_status_renewal_portal_and_invoices(billing_server, stripe_here, context_of):
    fake = stripe_here
    studio = StudioFactory(name="Quiet Booth")
    customer = fake.customer_create(email=studio.owner.email)
    meta = {"user_id": str(studio.owner_id), "studio_id": str(studio.pk)}
    sub = fake.subscription_create(customer=customer["id"], metadata=meta)
    first = fake.pay_invoice(sub["id"])
    _deliver(billing_server, fake, "customer.subscription.created", sub)
    failed = fake.pay_invoice(sub["id"], paid=False)
    StripeCustomer.objects.create(user=studio.owner, stripe_customer_id=customer["id"])
    page = context_of(studio.owner, billing_server)

    page.goto(f"{billing_server}/billing")
    row = page.locator("#subscriptions tr[data-status='ACTIVE']")
    expect(row).to_contain_text("Quiet Booth")
    expect(row).to_contain_text("Active")
    expect(row.locator("td").nth(3)).not_to_have_text("—")  # the renewal date
    expect(row.locator("td").nth(4)).to_have_text("Yes")  # renews
    invoices = page.locator("#invoices tbody tr")
    expect(invoices).to_have_count(2)
    paid_row = page.locator(f"#invoices tr[data-invoice='{first['id']}']")
    expect(paid_row).to_contain_text("Paid")
    expect(paid_row).to_contain_text("299.00")
    link = paid_row.get_by_role("link", name=f"View invoice {first['number']}")
    expect(link).to_have_attribute("href", first["hosted_invoice_url"])
    expect(page.locator(f"#invoices tr[data-invoice='{failed['id']}']")).to_contain_text("Due")
    _no_serious_violations(page, "billing-page")

    with page.expect_navigation(url=re.compile(r"https://billing\.stripe\.com/p/session/")):
        page.locator("#open-portal").click()


def test_premium_badge_on_search_cards(billing_server, context_of):
    premium = StudioFactory(name="Gold Booth", is_premium=True)
    plain = StudioFactory(name="Plain Booth")
    for studio in (premium, plain):
        StudioTypeFactory(studio=studio)
    page = context_of(None, billing_server)
    page.goto(f"{billing_server}/search")
    gold = page.locator("#results .studio-card", has_text="Gold Booth")
    expect(gold.locator(".tag.premium")).to_have_text("Premium")
    expect(
        page.locator("#results .studio-card", has_text="Plain Booth").locator(".tag.premium")
    ).to_have_count(0)
    shoot(page, "billing-search-premium-badge")


def test_admin_pending_approvals_and_refunds_screens(billing_server, context_of):
    admin = UserFactory(admin=True, username="ada")
    studio = StudioFactory(name="Waiting Booth")
    sub = SubscriptionFactory(user=studio.owner, studio=studio, awaiting_approval=True)
    PendingSubscriptionFactory(studio=studio, subscription=sub)
    refund = RefundFactory(subscription=sub, reason="Asked for it", processed_by=admin)
    page = context_of(admin, billing_server)

    page.goto(f"{billing_server}/admin/billing/pendingsubscription/")
    expect(page.locator("#result_list")).to_contain_text("Waiting Booth")
    actions = page.locator("select[name='action'] option")
    labels = " ".join(actions.all_inner_texts()).lower()
    assert "approve" in labels
    assert "reject" in labels
    _no_serious_violations(page, "billing-admin-pending", django_admin=True)

    page.goto(f"{billing_server}/admin/billing/refund/")
    expect(page.locator("#result_list")).to_contain_text(refund.stripe_refund_id)
    _no_serious_violations(page, "billing-admin-refunds", django_admin=True)


@pytest.fixture(scope="module")
def unreachable_server(django_db_setup, django_db_blocker, tmp_path_factory):
    """A Daphne process whose STRIPE_API_BASE is a closed port: every Stripe call fails to
    connect (after stripe-python's own retries)."""
    closed = f"http://127.0.0.1:{free_port()}"
    yield from _billing_daphne(tmp_path_factory.mktemp("daphne-billing-down"), closed)


def test_billing_page_says_stripe_is_unreachable_without_a_500(unreachable_server, context_of):
    studio = StudioFactory(name="Quiet Booth")
    SubscriptionFactory(user=studio.owner, studio=studio)
    StripeCustomer.objects.create(user=studio.owner, stripe_customer_id="cus_down")
    page = context_of(studio.owner, unreachable_server)
    answers: list[tuple[str, int]] = []
    page.on("response", lambda r: answers.append((urlsplit(r.url).path, r.status)))

    page.goto(f"{unreachable_server}/billing")
    # Our own rows still show (they are ours, not Stripe's) ...
    expect(page.locator("#subscriptions tr[data-status='ACTIVE']")).to_contain_text("Quiet Booth")
    # ... and the invoices, which are Stripe's, say that Stripe could not be reached.
    status = page.locator("#invoices-status .error")
    expect(status).to_have_text(
        "Stripe could not be reached; try again in a moment.", timeout=30_000
    )
    expect(page.locator("#invoices")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator("#invoices tbody tr")).to_have_count(0)
    expect(page.locator("#no-invoices")).to_be_hidden()
    assert ("/api/billing/invoices", 502) in answers
    assert not [a for a in answers if a[1] >= 500 and a != ("/api/billing/invoices", 502)]
    _no_serious_violations(page, "billing-page-stripe-unreachable")
