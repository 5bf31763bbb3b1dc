import pytest

from tests.fakes.stripe import fake_stripe  # noqa: F401 - the fixture, for these tests


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
