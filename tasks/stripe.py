"""Stripe webhook processing: load the stored event by id, apply it through the service."""

from __future__ import annotations

from celery import shared_task

from billing.services import stripe_event_process
from billing.services.webhooks import TransientStripeError


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
    """Idempotent: a done event is skipped; a killed run leaves it to the redelivery."""
    return stripe_event_process(event_pk=event_pk)
