"""POST /api/stripe/webhook: signatures, storing once, enqueueing after commit."""

from __future__ import annotations

import json
import threading
import time

import pytest
import stripe
from django.db import connection

from billing.models import StripeEvent, WebhookEventStatus
from tests.fakes.stripe import WEBHOOK_SECRET, sign

pytestmark = pytest.mark.django_db


def _payload(event_id="evt_1", type="some.unknown_type"):
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


def test_our_signer_is_what_stripe_python_verifies():
    payload = _payload()
    header = sign(payload)
    assert stripe.WebhookSignature.verify_header(payload, header, WEBHOOK_SECRET, 300)
    event = stripe.Webhook.construct_event(payload, header, WEBHOOK_SECRET)
    assert event.id == "evt_1"


@pytest.mark.parametrize(
    "signature",
    [
        None,  # missing
        "",
        "t=1,v1=deadbeef",  # garbage
        "nonsense",
    ],
)
def test_missing_or_bad_signature_is_400_json(fake_stripe, post_event, signature):
    response = post_event(_payload(), signature=signature)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_signature"
    assert not StripeEvent.objects.exists()


def test_wrong_secret_is_400(fake_stripe, post_event):
    response = post_event(_payload(), secret="whsec_someone_else")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_signature"


def test_stale_signature_is_400_but_within_tolerance_is_accepted(
    fake_stripe, post_event, django_capture_on_commit_callbacks
):
    stale = post_event(_payload("evt_old"), timestamp=int(time.time()) - 301)
    assert stale.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        fresh = post_event(_payload("evt_recent"), timestamp=int(time.time()) - 290)
    assert fresh.status_code == 200
    assert list(StripeEvent.objects.values_list("stripe_event_id", flat=True)) == ["evt_recent"]


def test_tampered_body_is_400(fake_stripe, client):
    payload = _payload()
    header = sign(payload)
    response = client.post(
        "/api/stripe/webhook",
        data=payload.replace("evt_1", "evt_2"),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )
    assert response.status_code == 400


def test_signed_but_not_an_event_is_400(fake_stripe, post_event):
    response = post_event('{"hello": "world"}')
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_event"


def test_unknown_type_is_stored_and_marked_ignored(
    fake_stripe, post_event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_event(_payload("evt_unknown", "customer.tax_id.created"))
    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False, "id": "evt_unknown"}
    assert len(callbacks) == 1
    event = StripeEvent.objects.get(stripe_event_id="evt_unknown")
    assert event.status == WebhookEventStatus.IGNORED
    assert event.type == "customer.tax_id.created"
    assert event.attempts == 1


def test_duplicate_delivery_sequential_stores_and_enqueues_once(
    fake_stripe, post_event, django_capture_on_commit_callbacks
):
    payload = _payload("evt_dup")
    with django_capture_on_commit_callbacks(execute=False) as first:
        assert post_event(payload).status_code == 200
    with django_capture_on_commit_callbacks(execute=False) as second:
        again = post_event(payload)
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert (len(first), len(second)) == (1, 0)
    assert StripeEvent.objects.filter(stripe_event_id="evt_dup").count() == 1


def test_no_csrf_no_session_needed(fake_stripe, post_event, django_user_model):
    # Stripe has no cookie; a signed post is enough even with CSRF checks on.
    from django.test import Client

    payload = _payload("evt_csrf")
    response = Client(enforce_csrf_checks=True).post(
        "/api/stripe/webhook",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload),
    )
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_duplicate_delivery_concurrent_stores_once(fake_stripe, settings):
    """Eight threads post the same event at once: one row, one drain enqueued, all 2xx."""
    from celery import current_app
    from django.test import Client

    from common.jobs import load_task_modules

    load_task_modules()
    task = current_app.tasks["tasks.stripe.drain_events"]
    enqueued = []
    original = task.apply_async

    task.apply_async = lambda *a, **k: enqueued.append(a)  # count the enqueues, run none
    try:
        payload = _payload("evt_race")
        header = sign(payload)
        barrier = threading.Barrier(8)
        statuses = []

        def hit():
            barrier.wait()
            response = Client().post(
                "/api/stripe/webhook",
                data=payload,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=header,
            )
            statuses.append(response.status_code)
            connection.close()

        threads = [threading.Thread(target=hit) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        task.apply_async = original
    assert statuses == [200] * 8
    assert StripeEvent.objects.filter(stripe_event_id="evt_race").count() == 1
    assert len(enqueued) == 1


def test_intake_is_one_statement_whole_stack(
    fake_stripe, post_event, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """Through every middleware: the INSERT ... ON CONFLICT and nothing else (no session,
    no user, no suspension lookup, no BEGIN/SAVEPOINT), new or duplicate alike."""
    payload = _payload("evt_lean")
    for expected_enqueues in (1, 0):
        with (
            django_capture_on_commit_callbacks(execute=False) as enqueued,
            django_assert_num_queries(1) as captured,
        ):
            assert post_event(payload).status_code == 200
        assert captured.captured_queries[0]["sql"].startswith("INSERT INTO billing_stripe_events")
        assert len(enqueued) == expected_enqueues
