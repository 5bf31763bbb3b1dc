"""The webhook as Daphne serves it: billing/asgi.py, beside Django's middleware stack.

The same contract as the DRF view (test_webhook_intake.py): signed events stored once and
enqueued, every refusal a JSON error; plus what the stack used to give it (host check,
body limit, method). The service runs in pool threads with their own connections, so the
rows are committed for real (transactional tests).
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from channels.testing import HttpCommunicator

from billing.models import StripeEvent, WebhookEventStatus
from project.asgi import application
from tests.fakes.stripe import sign

pytestmark = pytest.mark.django_db(transaction=True)


def _payload(event_id: str, type: str = "some.unknown_type") -> str:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "data": {"object": {"id": "obj_1", "object": "thing"}},
            "type": type,
        }
    )


def _post(body: str, *, signature: str | None = "sign", method="POST", host="127.0.0.1"):
    headers = [(b"host", host.encode()), (b"content-type", b"application/json")]
    if signature == "sign":
        signature = sign(body)
    if signature is not None:
        headers.append((b"stripe-signature", signature.encode()))
    communicator = HttpCommunicator(
        application, method, "/api/stripe/webhook", body=body.encode(), headers=headers
    )
    response = asyncio.run(communicator.get_response(timeout=10))
    assert dict(response["headers"])[b"content-type"] == b"application/json"
    return response["status"], json.loads(response["body"])


@pytest.fixture(autouse=True)
def webhook_secret(fake_stripe):
    """The STRIPE_* settings of the fake (the pool threads read the same settings)."""
    return fake_stripe


def test_a_signed_event_is_stored_once_and_enqueued():
    payload = _payload("evt_asgi_1")
    assert _post(payload) == (200, {"received": True, "duplicate": False, "id": "evt_asgi_1"})
    assert _post(payload) == (200, {"received": True, "duplicate": True, "id": "evt_asgi_1"})
    (event,) = StripeEvent.objects.filter(stripe_event_id="evt_asgi_1")
    # The task ran (eagerly, after the INSERT's commit): an unknown type is IGNORED.
    assert event.status == WebhookEventStatus.IGNORED


@pytest.mark.parametrize(
    ("signature", "code"),
    [(None, "bad_signature"), ("t=1,v1=deadbeef", "bad_signature")],
)
def test_bad_or_missing_signature_is_a_400_json_error(signature, code):
    status, body = _post(_payload("evt_asgi_2"), signature=signature)
    assert status == 400
    assert body["error"]["code"] == code
    assert not StripeEvent.objects.exists()


def test_a_signed_body_that_is_not_an_event_is_400():
    status, body = _post("[1, 2]")
    assert status == 400
    assert body["error"]["code"] == "bad_event"


def test_a_signed_nul_that_postgresql_cannot_store_is_400():
    status, body = _post(_payload("evt_asgi_nul", type="x\u0000y"))
    assert status == 400
    assert body["error"]["code"] == "bad_event"


def test_other_methods_and_hosts_are_refused_as_json():
    payload = _payload("evt_asgi_3")
    assert _post(payload, method="GET")[0] == 405
    status, body = _post(payload, host="evil.example")
    assert (status, body["error"]["code"]) == (400, "bad_host")
    assert not StripeEvent.objects.exists()


def test_a_body_over_the_upload_limit_is_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    status, body = _post(_payload("evt_asgi_4") + " " * 1000)
    assert (status, body["error"]["code"]) == (413, "payload_too_large")


def test_other_paths_still_go_through_django():
    communicator = HttpCommunicator(
        application, "GET", "/healthz", headers=[(b"host", b"127.0.0.1")]
    )
    response = asyncio.run(communicator.get_response(timeout=10))
    assert response["status"] == 200
