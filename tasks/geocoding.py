"""Geocoding: a studio's full_address → latitude, longitude and city (Nominatim)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from directory.geocoding import GeocoderUnavailable
from directory.services.geocoding import studio_geocode


@shared_task(
    name="tasks.geocoding.geocode_studio",
    autoretry_for=(GeocoderUnavailable,),
    retry_backoff=settings.GEOCODER_RETRY_BACKOFF,  # 5 s, 10 s, 20 s, … (jitter), capped
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=settings.GEOCODER_MAX_RETRIES,
    soft_time_limit=60,
    time_limit=90,
)
def geocode_studio(studio_id: int) -> str:
    """Idempotent: it geocodes whatever address the studio has when it runs."""
    return str(studio_geocode(studio_id=studio_id))
