"""Geocoding: a studio's full_address → latitude, longitude and city (Nominatim)."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from directory.geocoding import GeocoderRejected, GeocoderUnavailable
from directory.services.geocoding import studio_geocode

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="tasks.geocoding.geocode_studio",
    max_retries=settings.GEOCODER_MAX_RETRIES,
    soft_time_limit=60,
    time_limit=90,
)
def geocode_studio(self, studio_id: int) -> str:
    """Idempotent: it geocodes whatever address the studio has when it runs.

    On a geocoder error it retries with exponential backoff (GEOCODER_RETRY_BACKOFF s,
    doubling, full jitter, at most 600 s: below the broker's visibility timeout). Run
    eagerly (embedded mode) there is no later: the studio keeps its coordinates until
    its address changes again.
    """
    try:
        return str(studio_geocode(studio_id=studio_id))
    except GeocoderRejected:
        logger.exception("the geocoder refused our requests; studio %s not geocoded", studio_id)
        return "rejected"
    except GeocoderUnavailable as exc:
        if self.request.is_eager:
            logger.warning("studio %s not geocoded (geocoder unavailable): %s", studio_id, exc)
            return "unavailable"
        countdown = get_exponential_backoff_interval(
            factor=settings.GEOCODER_RETRY_BACKOFF,
            retries=self.request.retries,
            maximum=600,
            full_jitter=True,
        )
        raise self.retry(exc=exc, countdown=countdown) from exc
