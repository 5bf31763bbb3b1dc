"""Search upkeep: the premium rotation the text plan reads off an index (docs/search.md)."""

from __future__ import annotations

from celery import shared_task

from directory.services.search_index import search_rotation_refresh


@shared_task(name="tasks.search.rotate_premium_order", time_limit=600)
def rotate_premium_order() -> int:
    """Scheduled at midnight UTC (settings.CELERY_BEAT_SCHEDULE): the day's rotation stored."""
    return search_rotation_refresh()
