"""Poison events: a Stripe event whose apply kills the worker every time (OOM, segfault,
SIGKILL) is abandoned FAILED after `STRIPE_EVENT_MAX_LOST_RUNS` runs that never finished,
instead of being redelivered forever; the admin's Reprocess still applies it.

Before the apply, the take opens a run (`open_runs + 1`) in a statement committed on its
own; the apply's claim, or the recorded failure, closes it (0). A run that dies here is an
exception no `except Exception` catches (a BaseException, as SystemExit would be) raised
inside the apply: its transaction rolls back and nothing records a failure, as when the
process dies. A real worker killed with SIGKILL:
`tests/billing/test_worker.py::test_a_poison_event_that_kills_the_worker_is_abandoned`.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest

from billing.models import BillingNotice, StripeEvent, Subscription, WebhookEventStatus
from billing.services import stripe_event_process, stripe_event_reprocess
from billing.services.webhooks import HANDLERS, TransientStripeError, stripe_events_drain
from moderation.models import AuditLogEntry
from tests.factories import UserFactory
from tests.support.processes import wait_until

pytestmark = pytest.mark.django_db

ABANDONED_AFTER_3 = "abandoned after 3 runs that never finished (the worker died applying it)"


class WorkerDied(BaseException):
    """The process dying mid-apply: no handler catches it, the transaction rolls back."""


def _store(text: str, **fields) -> StripeEvent:
    """Stored as intake stores it, without enqueueing a drain."""
    payload = json.loads(text)
    return StripeEvent.objects.create(
        stripe_event_id=payload["id"],
        type=payload["type"],
        stripe_created=datetime.fromtimestamp(payload["created"], tz=UTC),
        payload=payload,
        **fields,
    )


def _expired(fake_stripe, session_id: str, **fields) -> StripeEvent:
    return _store(
        fake_stripe.event("checkout.session.expired", {"id": session_id, "mode": "payment"}),
        **fields,
    )


def _drain() -> tuple[int, bool]:
    return stripe_events_drain(max_events=100, max_seconds=30)


@pytest.fixture
def limit_3(settings):
    settings.STRIPE_EVENT_MAX_LOST_RUNS = 3


def test_an_event_whose_runs_reached_the_limit_is_abandoned_and_the_drain_goes_on(
    fake_stripe, limit_3, caplog
):
    poison = _expired(fake_stripe, "cs_poison", open_runs=3)
    after = _expired(fake_stripe, "cs_after")
    with caplog.at_level(logging.ERROR, logger="billing.services.webhooks"):
        assert _drain() == (2, False)
    poison.refresh_from_db()
    assert (poison.status, poison.error) == (WebhookEventStatus.FAILED, ABANDONED_AFTER_3)
    assert (poison.attempts, poison.open_runs) == (1, 3)  # the lost runs stay shown
    assert poison.processed_at is not None
    after.refresh_from_db()
    assert (after.status, after.attempts, after.open_runs) == ("PROCESSED", 1, 0)
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert poison.stripe_event_id in record.getMessage()
    assert "abandoned" in record.getMessage()


def test_below_the_limit_the_event_is_applied_and_its_runs_closed(fake_stripe, limit_3):
    event = _expired(fake_stripe, "cs_survivor", open_runs=2)  # two runs died, not three
    assert _drain() == (1, False)
    event.refresh_from_db()
    assert (event.status, event.error, event.open_runs) == ("PROCESSED", "", 0)


def test_the_event_task_abandons_it_too_without_calling_stripe(fake_stripe, checkout_paid, limit_3):
    """`process_event(pk)` (a retry, a redelivered task) takes it the same way."""
    _, _, sub, _ = checkout_paid()
    event = _store(fake_stripe.event("customer.subscription.created", sub), open_runs=3)
    assert stripe_event_process(event_pk=event.pk) == WebhookEventStatus.FAILED
    event.refresh_from_db()
    assert (event.status, event.error, event.open_runs) == ("FAILED", ABANDONED_AFTER_3, 3)
    assert not fake_stripe.calls_to("GET", "/v1/subscriptions/")
    assert not Subscription.objects.exists()


def test_a_run_that_raises_closes_its_run_and_fails_as_before(fake_stripe, checkout_paid):
    """An exception inside the apply is a run that finished (FAILED, the error, a retry
    for a transient one), not a lost one: open_runs is back to 0 each time."""
    _, _, sub, _ = checkout_paid()
    snapshot = fake_stripe.objects.pop(sub["id"])  # Stripe answers 404 for a while
    event = _store(fake_stripe.event("customer.subscription.created", sub))
    assert stripe_event_process(event_pk=event.pk) == WebhookEventStatus.FAILED
    event.refresh_from_db()
    assert (event.status, event.attempts, event.open_runs) == ("FAILED", 1, 0)
    assert "No such subscription" in event.error
    fake_stripe.objects[sub["id"]] = snapshot
    fake_stripe.fail("/v1/subscriptions/", times=3)  # one read fails, retries included
    with pytest.raises(TransientStripeError):  # the task retries it with backoff
        stripe_event_process(event_pk=event.pk)
    event.refresh_from_db()
    assert (event.status, event.attempts, event.open_runs) == ("FAILED", 2, 0)
    assert stripe_event_process(event_pk=event.pk) == WebhookEventStatus.PROCESSED
    event.refresh_from_db()
    assert (event.status, event.error, event.attempts, event.open_runs) == (
        "PROCESSED",
        "",
        3,
        0,
    )
    assert Subscription.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_runs_that_die_mid_apply_stay_counted_until_the_event_is_abandoned(
    fake_stripe, limit_3, monkeypatch
):
    """Real commits (no test transaction around): each dead run's apply is rolled back
    (the notice it wrote is gone) but its take was committed before it, so the count
    grows; the fourth drain abandons the event and applies the next one."""
    user = UserFactory()
    expired = HANDLERS["checkout.session.expired"]

    def dies_on_the_poison(obj, created):
        if obj["id"] == "cs_poison":
            BillingNotice.objects.create(key="written-by-the-dead-run", user=user)
            raise WorkerDied()
        expired(obj, created)

    monkeypatch.setitem(HANDLERS, "checkout.session.expired", dies_on_the_poison)
    poison = _expired(fake_stripe, "cs_poison")
    after = _expired(fake_stripe, "cs_after")
    for run in (1, 2, 3):
        with pytest.raises(WorkerDied):
            _drain()
        poison.refresh_from_db()
        assert (poison.status, poison.attempts, poison.open_runs) == ("RECEIVED", 0, run)
        assert not BillingNotice.objects.exists()
        assert StripeEvent.objects.get(pk=after.pk).status == WebhookEventStatus.RECEIVED
    assert _drain() == (2, False)
    poison.refresh_from_db()
    assert (poison.status, poison.error, poison.open_runs) == ("FAILED", ABANDONED_AFTER_3, 3)
    assert StripeEvent.objects.get(pk=after.pk).status == WebhookEventStatus.PROCESSED
    assert _drain() == (0, False)  # an abandoned event is not taken again

    # The admin's reprocess always applies: the count starts again at its own run (here it
    # dies too, and stays counted), and once the cause is gone it applies the event.
    with pytest.raises(WorkerDied):
        stripe_event_reprocess(event_pk=poison.pk)
    poison.refresh_from_db()
    assert (poison.status, poison.open_runs) == ("FAILED", 1)
    monkeypatch.setitem(HANDLERS, "checkout.session.expired", expired)
    assert stripe_event_reprocess(event_pk=poison.pk) == WebhookEventStatus.PROCESSED
    poison.refresh_from_db()
    assert (poison.status, poison.error, poison.open_runs) == ("PROCESSED", "", 0)


def test_the_admin_reprocess_applies_an_abandoned_event_once(
    fake_stripe, checkout_paid, limit_3, client, admin_reprocess
):
    studio, _, sub, _ = checkout_paid()
    event = _store(fake_stripe.event("customer.subscription.created", sub), open_runs=3)
    assert stripe_event_process(event_pk=event.pk) == WebhookEventStatus.FAILED  # abandoned
    admin = UserFactory(admin=True)
    client.force_login(admin)

    admin_reprocess(event.pk)
    event.refresh_from_db()
    assert (event.status, event.error, event.open_runs) == ("PROCESSED", "", 0)
    assert Subscription.objects.get().studio_id == studio.pk
    admin_reprocess(event.pk)  # done: skipped
    assert len(fake_stripe.calls_to("GET", "/v1/subscriptions/")) == 1
    [entry] = AuditLogEntry.objects.filter(action="stripe_event.reprocess")
    assert entry.actor_id == admin.pk
    assert (entry.before["status"], entry.before["error"]) == ("FAILED", ABANDONED_AFTER_3)
    assert entry.after["status"] == "PROCESSED"


def test_the_admin_reprocess_applies_an_event_at_the_limit_not_yet_abandoned(fake_stripe, limit_3):
    event = _expired(fake_stripe, "cs_at_the_limit", open_runs=3)
    assert stripe_event_reprocess(event_pk=event.pk) == WebhookEventStatus.PROCESSED
    event.refresh_from_db()
    assert (event.status, event.open_runs) == ("PROCESSED", 0)


def test_the_limit_is_a_setting(fake_stripe, settings):
    settings.STRIPE_EVENT_MAX_LOST_RUNS = 1
    event = _expired(fake_stripe, "cs_one_death", open_runs=1)
    assert _drain() == (1, False)
    event.refresh_from_db()
    assert event.status == WebhookEventStatus.FAILED
    assert event.error.startswith("abandoned after 1 run that never finished")


@pytest.mark.django_db(transaction=True)
def test_a_drain_whose_event_another_run_claimed_after_the_take_skips_it(fake_stripe, monkeypatch):
    """A drain's take commits before its claim locks the row, so another run may lock the
    event in between: the drain's claim skips it (SKIP LOCKED, as the take) instead of
    waiting, and that other run applies it, its open run closed."""
    import threading

    from django.db import connection, transaction

    from billing.services import webhooks

    event = _expired(fake_stripe, "cs_contended")
    locked, release = threading.Event(), threading.Event()
    real_take = webhooks._event_take
    others: list[threading.Thread] = []

    def other_run(pk: int) -> None:
        try:
            with transaction.atomic():
                assert webhooks._event_claim(pk) is not None
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    def take_then_another_run_claims(**kw):
        taken = real_take(**kw)
        if taken is not None:
            others.append(threading.Thread(target=other_run, args=(taken[0],)))
            others[-1].start()
            assert locked.wait(30)
        return taken

    monkeypatch.setattr(webhooks, "_event_take", take_then_another_run_claims)
    results = {}

    def drain() -> None:
        try:
            results["drain"] = _drain()
        finally:
            connection.close()

    drainer = threading.Thread(target=drain)
    drainer.start()
    drainer.join(10)
    assert not drainer.is_alive()  # it did not wait on the other run's lock
    assert results["drain"] == (1, False)
    assert StripeEvent.objects.get(pk=event.pk).open_runs == 1  # the drain's take
    release.set()
    wait_until(
        lambda: StripeEvent.objects.get(pk=event.pk).status == WebhookEventStatus.PROCESSED,
        timeout=30,
        what="the other run's commit",
    )
    others[0].join(30)
    event.refresh_from_db()
    assert (event.status, event.attempts, event.open_runs) == ("PROCESSED", 1, 0)
