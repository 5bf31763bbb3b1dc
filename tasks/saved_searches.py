"""Saved-search alerts: the nightly fan-out (Celery beat) and one digest email per user."""

from __future__ import annotations

import datetime as dt
import smtplib

from celery import shared_task
from django.utils import timezone

from directory.services.saved_searches import (
    saved_search_alerts_enqueue,
    saved_search_digest_send,
)

# Studios published in the last minutes may still be in uncommitted transactions with an
# earlier published_at: the window stops short of now, and the next run starts there.
COMMIT_MARGIN = dt.timedelta(minutes=10)


@shared_task(name="tasks.saved_searches.send_saved_search_alerts", time_limit=600)
def send_saved_search_alerts() -> int:
    """Scheduled nightly (settings.CELERY_BEAT_SCHEDULE): one digest task per user."""
    return saved_search_alerts_enqueue(until=timezone.now() - COMMIT_MARGIN)


@shared_task(
    name="tasks.saved_searches.send_saved_search_digest",
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=6,
    soft_time_limit=120,
    time_limit=180,
)
def send_saved_search_digest(user_id: int, until: str) -> int:
    """Idempotent for (user, until): a rerun finds nothing new and sends nothing."""
    return saved_search_digest_send(user_id=user_id, until=dt.datetime.fromisoformat(until))
