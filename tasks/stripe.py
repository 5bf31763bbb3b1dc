"""Stripe webhook processing: load the stored event by id, apply it through the service."""

from __future__ import annotations

from celery import shared_task

from billing.services import stripe_event_process
from billing.services.webhooks import (
    TransientStripeError,
    stripe_events_drain,
    stripe_events_stuck_drain,
)

# One drain's budget: then it re-enqueues itself if events remain (other tasks get a turn).
DRAIN_MAX_EVENTS = 1000
DRAIN_MAX_SECONDS = 20.0


@shared_task(
    name="tasks.stripe.process_event",
    acks_late=True,
    reject_on_worker_lost=True,
    # Nobody reads the result: no result-channel subscription per enqueue at intake, no
    # result write per event in the worker (two Redis round trips saved).
    ignore_result=True,
    autoretry_for=(TransientStripeError,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=10,
    soft_time_limit=60,
    time_limit=90,
)
def process_event(event_pk: int) -> str:
    """Idempotent: a done event is skipped; a killed run leaves it to the redelivery (until
    STRIPE_EVENT_MAX_LOST_RUNS runs of it died: then it is abandoned FAILED)."""
    return stripe_event_process(event_pk=event_pk)


@shared_task(
    name="tasks.stripe.drain_events",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=DRAIN_MAX_SECONDS + 60,
    time_limit=DRAIN_MAX_SECONDS + 90,
)
def drain_events() -> int:
    """RECEIVED events, each in its own transaction, until none is left or the budget is
    spent (then again, as a new task). Killed mid-way: the uncommitted event stays RECEIVED
    and the redelivered drain takes it (or abandons it FAILED, a poison event, once
    STRIPE_EVENT_MAX_LOST_RUNS runs of it died)."""
    taken, more = stripe_events_drain(max_events=DRAIN_MAX_EVENTS, max_seconds=DRAIN_MAX_SECONDS)
    if more:
        drain_events.delay()
    return taken


@shared_task(name="tasks.stripe.drain_stuck_events", ignore_result=True, time_limit=60)
def drain_stuck_events() -> bool:
    """Every minute (beat): a drain when RECEIVED events are older than a minute."""
    return stripe_events_stuck_drain()
