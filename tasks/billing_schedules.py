"""Billing's daily jobs (settings.CELERY_BEAT_SCHEDULE): expiry reminders, premium sweep."""

from __future__ import annotations

from celery import shared_task

from billing.services import expiry_reminders_send, subscriptions_sweep


@shared_task(name="tasks.billing_schedules.send_expiry_reminders", time_limit=600)
def send_expiry_reminders() -> int:
    """SUBSCRIPTION_EXPIRING 14 and 3 days before the end, each once (a ledger key)."""
    return expiry_reminders_send()


@shared_task(name="tasks.billing_schedules.sweep_premium", time_limit=600)
def sweep_premium() -> list[int]:
    """The safety net behind webhooks: premium off where the subscription has ended."""
    return subscriptions_sweep()
