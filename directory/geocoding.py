"""The geocoder: Nominatim (OpenStreetMap) through geopy, cached and rate limited.

`geocode(address)` is the one entry point. It answers from the Django cache when it can;
otherwise it waits for the shared Nominatim slot (a request starts GEOCODER_MIN_INTERVAL or
more after the last one ended, across every worker; see common.ratelimit.held_slot), asks
Nominatim and caches the answer — a match for GEOCODER_CACHE_SECONDS, "no match" for
GEOCODER_MISS_CACHE_SECONDS. Errors are not cached: they raise GeocoderUnavailable, which
callers retry later.

Two kinds of caller share the one slot (issue 8): studio geocoding tasks (`purpose="task"`,
the default) wait up to ~10 s and retry; place-name searches (`purpose="search"`) are
someone waiting on a page, so they wait at most GEOCODER_SEARCH_MAX_WAIT, time out after
GEOCODER_SEARCH_TIMEOUT, and must also take a search slot, held across the request and
opened again only once the search's share of the geocoder's time has passed (at 0.5, as
long again as the request and its interval took) — so searches, however many, use at most
GEOCODER_SEARCH_SHARE of the geocoder and tasks always keep the rest. A search's wait
includes a task's request in flight. (Which client may ask at all is the
search API's throttle, directory.api.search.PlaceLookupThrottle.)
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from geopy.adapters import URLLibAdapter
from geopy.exc import (
    GeocoderAuthenticationFailure,
    GeocoderInsufficientPrivileges,
    GeocoderQueryError,
    GeopyError,
)
from geopy.geocoders import Nominatim

from common.ratelimit import SlotUnavailable, held_slot

# Nominatim's address parts, most specific town-like first.
_CITY_KEYS = ("city", "town", "village", "municipality", "hamlet", "suburb", "county")
_LAT_STEP = Decimal("0.00000001")  # studios.latitude is Decimal(10, 8)
_CACHE_VERSION = 1


class GeocoderUnavailable(Exception):
    """The geocoder could not answer now (down, slow, rate limited): try again later."""


class GeocoderRejected(Exception):
    """The geocoder refused our requests (credentials, policy): retrying will not help."""


@dataclass(frozen=True)
class GeocodeResult:
    latitude: Decimal
    longitude: Decimal
    city: str | None
    display_name: str

    def as_cache(self) -> dict:
        data = asdict(self)
        data["latitude"], data["longitude"] = str(self.latitude), str(self.longitude)
        return data

    @classmethod
    def from_cache(cls, data: dict) -> GeocodeResult:
        return cls(
            latitude=Decimal(data["latitude"]),
            longitude=Decimal(data["longitude"]),
            city=data.get("city"),
            display_name=data.get("display_name", ""),
        )


@lru_cache(maxsize=4)
def _client(base_url: str, user_agent: str, timeout: float) -> Nominatim:
    parts = urlsplit(base_url)
    return Nominatim(
        domain=(parts.netloc + parts.path).rstrip("/"),
        scheme=parts.scheme or "https",
        user_agent=user_agent,
        timeout=timeout,
        # geopy's urllib adapter makes exactly one HTTP request per call. Its requests
        # adapter (picked when `requests` is installed) retries 429/503 and connection
        # errors on its own, outside our shared rate limit; our task retries instead.
        adapter_factory=URLLibAdapter,
    )


def _cache_key(query: str) -> str:
    digest = hashlib.sha256(query.encode()).hexdigest()
    return f"geocode:v{_CACHE_VERSION}:{digest}"


def normalise_query(address: str) -> str:
    """Addresses that differ only in spacing or case share one cache entry."""
    return " ".join(address.split()).casefold()


def _city_of(raw: dict) -> str | None:
    address = raw.get("address") or {}
    for key in _CITY_KEYS:
        value = (address.get(key) or "").strip()
        if value:
            return value[:200]
    return None


def is_cached(address: str) -> bool:
    """Whether geocode(address) would answer from the cache (a match or a known miss)."""
    query = normalise_query(address)
    return not query or cache.get(_cache_key(query)) is not None


@contextmanager
def _turn_at_nominatim(purpose: Literal["task", "search"]) -> Iterator[float]:
    """This caller's turn at Nominatim, as the HTTP timeout it may use; the next caller's
    turn starts GEOCODER_MIN_INTERVAL after this one's request has ended."""
    interval = settings.GEOCODER_MIN_INTERVAL
    if purpose == "search":
        timeout = min(settings.GEOCODER_SEARCH_TIMEOUT, settings.GEOCODER_TIMEOUT)
        # One wait for both slots; the search slot is held across the request too, and
        # opens again only after its share's worth of the geocoder's time has passed.
        deadline = time.monotonic() + settings.GEOCODER_SEARCH_MAX_WAIT
        share = min(max(settings.GEOCODER_SEARCH_SHARE, 0.01), 1.0)
        searches = held_slot(
            "nominatim:search", interval=interval, hold=timeout + 5, deadline=deadline, share=share
        )
    else:
        timeout = settings.GEOCODER_TIMEOUT
        deadline = time.monotonic() + max(5.0, interval * 10)
        searches = nullcontext()
    # The hold outlasts the HTTP timeout (urllib's applies to each socket operation), so a
    # worker killed mid-request blocks the others for about that long at most.
    with (
        searches,
        held_slot("nominatim", interval=interval, hold=timeout + 5, deadline=deadline),
    ):
        yield timeout


def geocode(address: str, *, purpose: Literal["task", "search"] = "task") -> GeocodeResult | None:
    """Coordinates and city of an address, or None when Nominatim finds no match."""
    query = normalise_query(address)
    if not query:
        return None
    key = _cache_key(query)
    cached = cache.get(key)
    if cached is not None:
        return None if cached.get("miss") else GeocodeResult.from_cache(cached)

    try:
        with _turn_at_nominatim(purpose) as timeout:
            client = _client(settings.GEOCODER_NOMINATIM_URL, settings.GEOCODER_USER_AGENT, timeout)
            location = client.geocode(
                " ".join(address.split()), exactly_one=True, addressdetails=True
            )
    except SlotUnavailable as exc:
        raise GeocoderUnavailable(str(exc)) from exc
    except GeocoderQueryError:
        # Nominatim rejected this query as malformed: as good as no match, and cached so.
        location = None
    except (GeocoderAuthenticationFailure, GeocoderInsufficientPrivileges) as exc:
        raise GeocoderRejected(str(exc)) from exc
    except GeopyError as exc:  # timeouts, 429/5xx, connection errors, bad payloads
        raise GeocoderUnavailable(f"{type(exc).__name__}: {exc}") from exc

    if location is None:
        cache.set(key, {"miss": True}, settings.GEOCODER_MISS_CACHE_SECONDS)
        return None
    result = GeocodeResult(
        latitude=Decimal(str(location.latitude)).quantize(_LAT_STEP),
        longitude=Decimal(str(location.longitude)).quantize(_LAT_STEP),
        city=_city_of(location.raw),
        display_name=str(location.raw.get("display_name") or location.address or ""),
    )
    cache.set(key, result.as_cache(), settings.GEOCODER_CACHE_SECONDS)
    return result
