"""Billing settings: Stripe (docs/billing.md)."""

from __future__ import annotations

from celery.schedules import crontab

from .core import CELERY_BEAT_SCHEDULE, DEBUG, _config_error, env

# --- Billing: Stripe (docs/billing.md) ----------------------------------------------------

# stripe-python 16.x pins this API version; payloads and the fake in tests follow it.
STRIPE_API_VERSION = "2026-10-28.endive"
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_PRICE_ID = env.str("STRIPE_PRICE_ID", default="")
# Where stripe-python sends API calls: Stripe's own server unless a test or a proxy says so.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com").rstrip("/")
STRIPE_WEBHOOK_TOLERANCE = 300  # seconds a signed webhook stays valid
# A completed checkout waits for an admin's approval before the studio goes premium.
BILLING_REQUIRE_APPROVAL = env.bool("BILLING_REQUIRE_APPROVAL", default=False)
# A PAST_DUE subscription keeps premium this many days after its period started.
BILLING_PAST_DUE_GRACE_DAYS = env.int("BILLING_PAST_DUE_GRACE_DAYS", default=14)
# A webhook event whose apply was opened this many times and never finished (the worker
# died applying it: OOM, segfault, SIGKILL) is abandoned FAILED instead of redelivered
# forever; the admin's "Reprocess" still applies it (docs/billing.md, "Poison events").
STRIPE_EVENT_MAX_LOST_RUNS = env.int("STRIPE_EVENT_MAX_LOST_RUNS", default=3)
if not 1 <= STRIPE_EVENT_MAX_LOST_RUNS <= 1000:
    _config_error("STRIPE_EVENT_MAX_LOST_RUNS must be between 1 and 1000.")
BILLING_REMINDER_DAYS = (14, 3)
BILLING_DAILY_HOUR = env.int("BILLING_DAILY_HOUR", default=5)
CELERY_BEAT_SCHEDULE["billing-expiry-reminders"] = {
    "task": "tasks.billing_schedules.send_expiry_reminders",
    "schedule": crontab(hour=BILLING_DAILY_HOUR, minute=0),
}
CELERY_BEAT_SCHEDULE["billing-premium-sweep"] = {
    "task": "tasks.billing_schedules.sweep_premium",
    "schedule": crontab(hour=BILLING_DAILY_HOUR, minute=15),
}
# The safety net behind the webhook drain (docs/billing.md): RECEIVED events older than a
# minute get a drain.
CELERY_BEAT_SCHEDULE["billing-stripe-stuck-events"] = {
    "task": "tasks.stripe.drain_stuck_events",
    "schedule": 60.0,
}
if not DEBUG and STRIPE_SECRET_KEY and not STRIPE_WEBHOOK_SECRET:
    _config_error("STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set.")
