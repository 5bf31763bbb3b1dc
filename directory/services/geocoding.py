"""Store where a studio is: latitude, longitude and city from its full_address."""

from __future__ import annotations

import enum
import logging

from django.db import transaction

from directory.geocoding import geocode
from directory.models import Studio

logger = logging.getLogger(__name__)


class GeocodeOutcome(enum.StrEnum):
    LOCATED = "located"
    NO_MATCH = "no_match"  # coordinates emptied: the radius search falls back to the city
    NO_ADDRESS = "no_address"
    STALE = "stale"  # the address changed meanwhile; the task enqueued by that change wins
    MISSING = "missing"  # the studio is gone


def studio_geocode(*, studio_id: int) -> GeocodeOutcome:
    """Geocode the studio's current full_address and store the answer.

    The network call runs outside any transaction; the answer is stored only if the
    address is still the one that was geocoded, so a late task never overwrites the
    coordinates of a newer address. Raises directory.geocoding.GeocoderUnavailable when
    the geocoder cannot answer now (the task retries).
    """
    address = Studio.objects.filter(pk=studio_id).values_list("full_address", flat=True).first()
    if address is None and not Studio.objects.filter(pk=studio_id).exists():
        return GeocodeOutcome.MISSING
    address = (address or "").strip()
    result = geocode(address) if address else None

    with transaction.atomic(durable=True):
        studio = Studio.objects.select_for_update().filter(pk=studio_id).first()
        if studio is None:
            return GeocodeOutcome.MISSING
        if (studio.full_address or "").strip() != address:
            return GeocodeOutcome.STALE
        if result is None:
            outcome = GeocodeOutcome.NO_MATCH if address else GeocodeOutcome.NO_ADDRESS
            studio.latitude = studio.longitude = None
            fields = ["latitude", "longitude"]
        else:
            outcome = GeocodeOutcome.LOCATED
            studio.latitude, studio.longitude = result.latitude, result.longitude
            fields = ["latitude", "longitude"]
            if result.city:
                studio.city = result.city
                fields.append("city")
        studio.save(update_fields=[*fields, "updated_at"])
    logger.info("geocoded studio %s: %s", studio_id, outcome)
    return outcome
