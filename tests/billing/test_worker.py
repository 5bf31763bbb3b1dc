"""A real Celery worker process killed while it applies an event: the event is applied
again by the redelivered task, with the same single effect (acks_late,
reject_on_worker_lost, one transaction per event)."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings

from billing.models import StripeEvent, Subscription, WebhookEventStatus
from directory.models import Studio
from realtime.models import Notification
from tests.factories import StudioFactory
from tests.fakes.stripe import PRICE_ID, SECRET_KEY, WEBHOOK_SECRET, sign
from tests.support.processes import Process, live_database_url, service_env, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _children(pid: int) -> list[int]:
    kids = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        kids += [int(k) for k in text]
    return kids


@pytest.fixture
def start_worker(fake_stripe, tmp_path):
    """Start a real worker (prefork, one child) when called, with extra environment
    variables if given; stopped after the test. Tasks enqueued before the call wait in the
    broker."""
    from celery import current_app

    current_app.conf.task_always_eager = False  # this test's tasks go to the broker
    started: list[Process] = []

    def start(**extra_env: str) -> Process:
        env = service_env(
            DATABASE_URL=live_database_url(),
            REDIS_URL=settings.REDIS_URL,
            STRIPE_API_BASE=fake_stripe.url,
            STRIPE_SECRET_KEY=SECRET_KEY,
            STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
            STRIPE_PRICE_ID=PRICE_ID,
            EMAIL_URL="consolemail://",
            LOG_LEVEL="WARNING",
            **extra_env,
        )
        proc = Process(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "project",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env=env,
            log=tmp_path / f"worker{len(started)}.log",
            killed_at_stop=True,
        )
        started.append(proc)
        wait_until(lambda: _children(proc.popen.pid), timeout=60, what="the pool's child")
        return proc

    try:
        yield start
    finally:
        fake_stripe.release()
        for proc in started:
            proc.stop()


@pytest.fixture
def real_worker(start_worker):
    return start_worker()


def test_worker_killed_mid_task_leaves_the_event_for_a_single_effect(
    fake_stripe, real_worker, client
):
    studio = StudioFactory()
    customer = fake_stripe.customer_create(email=studio.owner.email)
    meta = {"user_id": str(studio.owner_id), "studio_id": str(studio.pk)}
    sub = fake_stripe.subscription_create(customer=customer["id"], metadata=meta)
    invoice = fake_stripe.pay_invoice(sub["id"])
    payload = fake_stripe.event("invoice.paid", invoice)

    # The first read of the subscription hangs: the worker is in the middle of the event.
    fake_stripe.hold("/v1/subscriptions/", times=1)
    response = client.post(
        "/api/stripe/webhook",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload),
    )
    assert response.status_code == 200
    wait_until(lambda: fake_stripe.held, timeout=60, what="the worker to call Stripe")
    (child,) = _children(real_worker.popen.pid)
    os.kill(child, signal.SIGKILL)
    event = StripeEvent.objects.get()
    assert event.status == WebhookEventStatus.RECEIVED  # nothing of the run was committed
    assert not Subscription.objects.exists()

    # The pool replaces the child and the requeued task applies the event, once.
    wait_until(
        lambda: StripeEvent.objects.get().status == WebhookEventStatus.PROCESSED,
        timeout=90,
        what="the redelivered task\n" + real_worker.output(),
    )
    fake_stripe.release()
    assert child not in _children(real_worker.popen.pid)
    assert Subscription.objects.count() == 1
    assert Studio.objects.get(pk=studio.pk).is_premium
    assert Notification.objects.filter(user=studio.owner, type="PAYMENT_SUCCESS").count() == 1
    _wait_for_subscription_reads(fake_stripe, 2)  # the killed run's one included

    # A duplicate delivery afterwards, through the same worker: still one effect.
    again = client.post(
        "/api/stripe/webhook",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload),
    )
    assert again.json()["duplicate"] is True
    time.sleep(1)
    assert Notification.objects.filter(user=studio.owner, type="PAYMENT_SUCCESS").count() == 1


def _wait_for_subscription_reads(fake_stripe, count: int) -> None:
    """The fake records a held request once its handler leaves the hold: after the
    release, in the fake's own thread — so wait for it rather than assert at once."""
    wait_until(
        lambda: len(fake_stripe.calls_to("GET", "/v1/subscriptions/")) == count,
        timeout=10,
        what=f"{count} subscription reads recorded",
    )


def _post(client, payload: str):
    return client.post(
        "/api/stripe/webhook",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload),
    )


def _sessions_opened() -> int:
    """PostgreSQL's count of sessions ever established to the test database."""
    import psycopg

    with psycopg.connect(live_database_url().rsplit("/", 1)[0] + "/postgres") as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = %s",
            [settings.DATABASES["default"]["NAME"]],
        ).fetchone()
    return row[0]


def test_a_worker_keeps_its_database_connection_across_tasks(fake_stripe, real_worker, client):
    """Celery's Django fixup closed the connection around every task (a new PostgreSQL
    session per event); the worker now keeps it (WORKER_DB_CONN_MAX_AGE)."""
    events = 20
    payloads = [
        fake_stripe.event("checkout.session.expired", {"id": f"cs_expired_{i}", "mode": "payment"})
        for i in range(events)
    ]
    # One event first, so the pool's child has connected before counting.
    assert _post(client, payloads.pop()).status_code == 200
    wait_until(
        lambda: StripeEvent.objects.filter(status=WebhookEventStatus.PROCESSED).exists(),
        timeout=60,
        what="the first event\n" + real_worker.output(),
    )
    time.sleep(1.5)  # the statistics collector's interval
    before = _sessions_opened()
    for payload in payloads:
        assert _post(client, payload).status_code == 200
    wait_until(
        lambda: StripeEvent.objects.filter(status=WebhookEventStatus.PROCESSED).count() == events,
        timeout=60,
        what="the events\n" + real_worker.output(),
    )
    time.sleep(1.5)
    assert _sessions_opened() - before <= 2, real_worker.output()


def test_two_runs_of_one_event_at_once_apply_it_once(fake_stripe, checkout_paid):
    """Two workers on one event (a redelivered task while the first still runs): the
    second's claim waits on the first's row lock, then finds the event done."""
    import threading

    from django.db import connection

    from billing.services import stripe_event_process

    studio, _, _, invoice = checkout_paid()
    payload = json.loads(fake_stripe.event("invoice.paid", invoice))
    pk = StripeEvent.objects.create(  # stored as intake does, without enqueueing a task
        stripe_event_id=payload["id"],
        type=payload["type"],
        stripe_created=datetime.fromtimestamp(payload["created"], tz=UTC),
        payload=payload,
    ).pk
    results: dict[str, str] = {}

    def run(name: str) -> None:
        try:
            results[name] = stripe_event_process(event_pk=pk)
        finally:
            connection.close()

    fake_stripe.hold("/v1/subscriptions/", times=1)
    first = threading.Thread(target=run, args=("first",))
    first.start()
    wait_until(lambda: fake_stripe.held, timeout=30, what="the first run to call Stripe")
    second = threading.Thread(target=run, args=("second",))
    second.start()
    second.join(1.0)
    assert second.is_alive()  # waiting on the first run's claim
    fake_stripe.release()
    first.join(30)
    second.join(30)
    assert results == {"first": "PROCESSED", "second": "PROCESSED"}
    event = StripeEvent.objects.get(pk=pk)
    assert (event.status, event.attempts) == (WebhookEventStatus.PROCESSED, 1)
    assert len(fake_stripe.calls_to("GET", "/v1/subscriptions/")) == 1
    assert Subscription.objects.count() == 1
    assert Notification.objects.filter(user=studio.owner, type="PAYMENT_SUCCESS").count() == 1
    assert Studio.objects.get(pk=studio.pk).is_premium


# --- the drain: one task applies every RECEIVED event, each in its own transaction -----


def _expired(fake_stripe, n: int, start: int = 0) -> list[str]:
    return [
        fake_stripe.event("checkout.session.expired", {"id": f"cs_expired_{i}", "mode": "payment"})
        for i in range(start, start + n)
    ]


def _drains(worker: Process) -> list[str]:
    """The worker's log lines of finished drains."""
    return [
        line
        for line in worker.output().splitlines()
        if "tasks.stripe.drain_events[" in line and "succeeded" in line
    ]


def _wait_drains(worker: Process, counts: list[int]) -> None:
    """The worker logs finished drains, which took these numbers of events."""
    expected = [str(n) for n in counts]
    wait_until(
        lambda: [d.rstrip().rsplit(" ", 1)[-1] for d in _drains(worker)] == expected,
        timeout=30,
        what=f"drains of {counts} events",
    )


def _done() -> int:
    return StripeEvent.objects.filter(status=WebhookEventStatus.PROCESSED).count()


def test_a_burst_of_events_is_applied_once_by_one_drain(fake_stripe, start_worker, client):
    events = 40
    for payload in _expired(fake_stripe, events):
        assert _post(client, payload).status_code == 200
    worker = start_worker()  # the burst waits for it: one drain was queued, not forty tasks
    wait_until(lambda: _done() == events, timeout=60, what="the events\n" + worker.output())
    _wait_drains(worker, [events])
    assert set(StripeEvent.objects.values_list("attempts", flat=True)) == {1}


def test_a_drain_killed_mid_way_leaves_the_rest_to_the_redelivered_drain(
    fake_stripe, start_worker, client
):
    studio = StudioFactory()
    customer = fake_stripe.customer_create(email=studio.owner.email)
    meta = {"user_id": str(studio.owner_id), "studio_id": str(studio.pk)}
    sub = fake_stripe.subscription_create(customer=customer["id"], metadata=meta)
    invoice = fake_stripe.pay_invoice(sub["id"])
    payloads = [
        *_expired(fake_stripe, 5),
        fake_stripe.event("invoice.paid", invoice),
        *_expired(fake_stripe, 5, start=5),
    ]
    for payload in payloads:
        assert _post(client, payload).status_code == 200
    fake_stripe.hold("/v1/subscriptions/", times=1)  # the drain stops in the sixth event
    worker = start_worker()
    wait_until(lambda: fake_stripe.held, timeout=60, what="the drain to call Stripe")
    (child,) = _children(worker.popen.pid)
    os.kill(child, signal.SIGKILL)
    assert _done() == 5  # the five before it were committed one by one
    assert StripeEvent.objects.filter(status=WebhookEventStatus.RECEIVED).count() == 6
    wait_until(lambda: _done() == 11, timeout=90, what="the redelivered drain\n" + worker.output())
    fake_stripe.release()
    assert set(StripeEvent.objects.values_list("attempts", flat=True)) == {1}
    assert Subscription.objects.count() == 1
    assert Notification.objects.filter(user=studio.owner, type="PAYMENT_SUCCESS").count() == 1
    _wait_for_subscription_reads(fake_stripe, 2)  # the killed drain's one included


def test_a_failing_event_does_not_stop_the_drain(fake_stripe, start_worker, client):
    missing = {"id": "sub_missing", "object": "subscription", "metadata": {}}
    payloads = [
        *_expired(fake_stripe, 3),
        fake_stripe.event("customer.subscription.created", missing),
    ]
    payloads += _expired(fake_stripe, 3, start=3)
    for payload in payloads:
        assert _post(client, payload).status_code == 200
    worker = start_worker()
    wait_until(lambda: _done() == 6, timeout=60, what="the events\n" + worker.output())
    failed = StripeEvent.objects.get(status=WebhookEventStatus.FAILED)
    assert (failed.type, failed.attempts) == ("customer.subscription.created", 1)
    assert "sub_missing" in failed.error
    _wait_drains(worker, [7])


def test_a_transient_failure_in_a_drain_is_retried_by_the_event_task(
    fake_stripe, start_worker, client
):
    """As before the drain: the event is FAILED, then `process_event` retries it."""
    studio = StudioFactory()
    customer = fake_stripe.customer_create(email=studio.owner.email)
    meta = {"user_id": str(studio.owner_id), "studio_id": str(studio.pk)}
    sub = fake_stripe.subscription_create(customer=customer["id"], metadata=meta)
    payloads = [
        *_expired(fake_stripe, 2),
        fake_stripe.event("customer.subscription.created", sub),
        *_expired(fake_stripe, 2, start=2),
    ]
    for payload in payloads:
        assert _post(client, payload).status_code == 200
    fake_stripe.fail("/v1/subscriptions/", times=3)  # one read fails, retries included
    worker = start_worker()
    wait_until(lambda: _done() == 5, timeout=60, what="the events\n" + worker.output())
    event = StripeEvent.objects.get(type="customer.subscription.created")
    assert (event.status, event.error, event.attempts) == ("PROCESSED", "", 2)
    assert Subscription.objects.count() == 1
    # The drain went on past it; the event's own task applied it later.
    retried = event.processed_at
    later = StripeEvent.objects.exclude(pk=event.pk).filter(pk__gt=event.pk)
    assert all(e.processed_at < retried for e in later)
    assert all(e.attempts == 1 for e in StripeEvent.objects.exclude(pk=event.pk))
    assert "tasks.stripe.process_event[" in worker.output()


def test_two_drains_at_once_apply_each_event_once(fake_stripe, checkout_paid):
    """A drain skips the event another holds (SKIP LOCKED) instead of waiting on it."""
    import threading

    from django.db import connection

    from billing.services.webhooks import stripe_events_drain

    studio, _, _, invoice = checkout_paid()
    payloads = [fake_stripe.event("invoice.paid", invoice), *_expired(fake_stripe, 5)]
    for text in payloads:
        payload = json.loads(text)
        StripeEvent.objects.create(  # stored as intake does, without enqueueing a drain
            stripe_event_id=payload["id"],
            type=payload["type"],
            stripe_created=datetime.fromtimestamp(payload["created"], tz=UTC),
            payload=payload,
        )
    results: dict[str, tuple[int, bool]] = {}

    def run(name: str) -> None:
        try:
            results[name] = stripe_events_drain(max_events=100, max_seconds=30)
        finally:
            connection.close()

    fake_stripe.hold("/v1/subscriptions/", times=1)
    first = threading.Thread(target=run, args=("first",))
    first.start()
    wait_until(lambda: fake_stripe.held, timeout=30, what="the first drain to call Stripe")
    second = threading.Thread(target=run, args=("second",))
    second.start()
    second.join(10)
    assert not second.is_alive()  # it did not wait on the first drain's event
    assert results["second"] == (5, False)
    assert first.is_alive()
    fake_stripe.release()
    first.join(30)
    assert results["first"] == (1, False)
    assert _done() == 6
    assert set(StripeEvent.objects.values_list("attempts", flat=True)) == {1}
    assert Notification.objects.filter(user=studio.owner, type="PAYMENT_SUCCESS").count() == 1


def test_the_sweeper_drains_events_received_over_a_minute_ago(fake_stripe):
    """The beat's safety net (a lost flag or drain): RECEIVED over a minute ago → a drain
    (eager here: it runs at once); a fresh RECEIVED event is left to its own drain."""
    from datetime import timedelta

    from django.utils import timezone

    from billing.services.webhooks import stripe_events_stuck_drain

    payload = json.loads(_expired(fake_stripe, 1)[0])
    event = StripeEvent.objects.create(
        stripe_event_id=payload["id"],
        type=payload["type"],
        stripe_created=datetime.fromtimestamp(payload["created"], tz=UTC),
        payload=payload,
    )
    assert stripe_events_stuck_drain() is False
    assert StripeEvent.objects.get().status == WebhookEventStatus.RECEIVED
    StripeEvent.objects.filter(pk=event.pk).update(
        received_at=timezone.now() - timedelta(seconds=61)
    )
    assert stripe_events_stuck_drain() is True
    assert StripeEvent.objects.get().status == WebhookEventStatus.PROCESSED


def test_a_poison_event_that_kills_the_worker_is_abandoned(fake_stripe, start_worker, client):
    """An event whose apply kills the worker every time (here: Stripe never answers and
    the child is SIGKILLed each time it waits) is redelivered only until
    STRIPE_EVENT_MAX_LOST_RUNS runs of it died; then the drain marks it FAILED and goes on
    with the next event. The admin's Reprocess applies it once."""
    from billing.services import stripe_event_reprocess

    studio = StudioFactory()
    customer = fake_stripe.customer_create(email=studio.owner.email)
    meta = {"user_id": str(studio.owner_id), "studio_id": str(studio.pk)}
    sub = fake_stripe.subscription_create(customer=customer["id"], metadata=meta)
    invoice = fake_stripe.pay_invoice(sub["id"])
    for payload in [fake_stripe.event("invoice.paid", invoice), *_expired(fake_stripe, 1)]:
        assert _post(client, payload).status_code == 200
    poison = StripeEvent.objects.get(type="invoice.paid")
    fake_stripe.hold("/v1/subscriptions/", times=100)  # every read of it hangs
    worker = start_worker(STRIPE_EVENT_MAX_LOST_RUNS="2")
    killed = []
    for run in (1, 2):
        wait_until(
            lambda run=run: len(fake_stripe.held) == run,
            timeout=90,
            what=f"run {run} to call Stripe\n" + worker.output(),
        )
        (child,) = _children(worker.popen.pid)
        os.kill(child, signal.SIGKILL)
        killed.append(child)
        poison.refresh_from_db()
        assert (poison.status, poison.open_runs) == (WebhookEventStatus.RECEIVED, run)
    # The third drain (redelivered after the second death) abandons it and goes on.
    wait_until(
        lambda: _done() == 1,
        timeout=90,
        what="the redelivered drain past the poison event\n" + worker.output(),
    )
    poison.refresh_from_db()
    assert (poison.status, poison.open_runs, poison.attempts) == ("FAILED", 2, 1)
    assert poison.error == (
        "abandoned after 2 runs that never finished (the worker died applying it)"
    )
    assert len(fake_stripe.held) == 2  # Stripe was not asked a third time
    assert not set(killed) & set(_children(worker.popen.pid))
    assert "abandoned" in worker.output()
    assert not Subscription.objects.exists()

    # Once Stripe answers again, the admin's Reprocess applies it.
    fake_stripe.release()
    assert stripe_event_reprocess(event_pk=poison.pk) == WebhookEventStatus.PROCESSED
    poison.refresh_from_db()
    assert (poison.status, poison.error, poison.open_runs) == ("PROCESSED", "", 0)
    assert Studio.objects.get(pk=studio.pk).is_premium
    assert Notification.objects.filter(user=studio.owner, type="PAYMENT_SUCCESS").count() == 1
