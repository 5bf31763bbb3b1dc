import pytest

from tests.factories import StudioFactory
from tests.fakes.stripe import PRICE_ID, fake_stripe  # noqa: F401 - the fixture, for these tests


@pytest.fixture
def post_event(client):
    """POST a payload to the webhook with a signature (stripe-python's own signer)."""
    from tests.fakes.stripe import sign

    def post(payload: str, *, signature: str | None = "sign", **kw):
        headers = {}
        if signature == "sign":
            signature = sign(payload, **kw)
        if signature is not None:
            headers["HTTP_STRIPE_SIGNATURE"] = signature
        return client.post(
            "/api/stripe/webhook", data=payload, content_type="application/json", **headers
        )

    return post


@pytest.fixture(autouse=True)
def eager_tasks():
    """Tasks enqueued on commit run in this process (the worker tests start real workers)."""
    from celery import current_app

    conf = current_app.conf
    previous = conf.task_always_eager
    conf.task_always_eager = True
    try:
        yield
    finally:
        conf.task_always_eager = previous


@pytest.fixture
def deliver(post_event, django_capture_on_commit_callbacks):
    """Post a signed event and run the tasks its commit enqueued; the 200 answer's JSON."""

    def deliver(payload: str):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_event(payload)
        assert response.status_code == 200, response.content
        return response.json()

    return deliver


@pytest.fixture
def checkout_paid(fake_stripe):  # noqa: F811 - the fixture imported above
    """At Stripe only (no event delivered yet): an owner's studio bought premium through
    Checkout and paid the first invoice. Call it: (studio, session, sub, invoice)."""

    def pay(studio=None):
        studio = studio or StudioFactory()
        customer = fake_stripe.customer_create(email=studio.owner.email)
        meta = {
            "user_id": str(studio.owner_id),
            "studio_id": str(studio.pk),
            "plan": "PREMIUM_YEARLY",
        }
        session = fake_stripe.checkout_session_create(
            {
                "mode": "subscription",
                "customer": customer["id"],
                "line_items": [{"price": PRICE_ID, "quantity": "1"}],
                "metadata": meta,
                "subscription_data": {"metadata": meta},
                "success_url": "http://x/ok",
            }
        )
        session, sub = fake_stripe.complete_checkout(session["id"])
        return studio, session, sub, fake_stripe.pay_invoice(sub["id"])

    return pay


@pytest.fixture
def bought(fake_stripe, checkout_paid, deliver):  # noqa: F811 - the fixture imported above
    """A studio whose owner paid, the events delivered, so our rows exist. Call it:
    (studio, our Subscription, Stripe's subscription)."""
    from billing.models import Subscription

    def buy(studio=None):
        studio, session, sub, invoice = checkout_paid(studio)
        deliver(fake_stripe.event("checkout.session.completed", session))
        deliver(fake_stripe.event("invoice.paid", invoice))
        return studio, Subscription.objects.get(stripe_subscription_id=sub["id"]), sub

    return buy


@pytest.fixture
def admin_reprocess(client):
    """The Django admin's "Reprocess" action on one event, as the logged-in user."""

    def reprocess(event_pk: int) -> None:
        response = client.post(
            "/admin/billing/stripeevent/",
            {"action": "reprocess_events", "_selected_action": [event_pk]},
        )
        assert response.status_code == 302

    return reprocess
