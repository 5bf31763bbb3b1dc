"""The bit of each studio type and service in studio_search's masks and facet codes.

Frozen: migration 0002_search_index writes the same numbers into its trigger SQL, and a
test checks the two agree. Add new enum members at the end.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..models import ServiceType, StudioType

TYPE_BITS: dict[str, int] = {
    StudioType.HOME: 0,
    StudioType.RECORDING: 1,
    StudioType.VO_COACH: 2,
    StudioType.EDITING: 3,
    StudioType.PODCAST: 4,
    StudioType.VOICEOVER: 5,
}
SERVICE_BITS: dict[str, int] = {
    ServiceType.ISDN: 0,
    ServiceType.SOURCE_CONNECT: 1,
    ServiceType.SOURCE_CONNECT_NOW: 2,
    ServiceType.CLEANFEED: 3,
    ServiceType.SESSION_LINK_PRO: 4,
    ServiceType.ZOOM: 5,
    ServiceType.SKYPE: 6,
    ServiceType.TEAMS: 7,
}
FACET_STRIDE = 16  # facet = type bit × 16 + service bit


def type_mask(values: Iterable[str]) -> int:
    return sum(1 << TYPE_BITS[v] for v in set(values))


def service_mask(values: Iterable[str]) -> int:
    return sum(1 << SERVICE_BITS[v] for v in set(values))


def types_of(mask: int) -> list[str]:
    return [str(v) for v, bit in TYPE_BITS.items() if mask & (1 << bit)]


def services_of(mask: int) -> list[str]:
    return [str(v) for v, bit in SERVICE_BITS.items() if mask & (1 << bit)]


def facets(studio_types: Iterable[str], services: Iterable[str]) -> list[int]:
    pairs = {(t, s) for t in studio_types for s in services}
    return sorted(TYPE_BITS[t] * FACET_STRIDE + SERVICE_BITS[s] for t, s in pairs)
