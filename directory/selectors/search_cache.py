"""The data version of the search cache: search pages are cached under it.

Any change that a search result could show (a studio, its images, types or services, an
approved review) calls `bump_search_version()` after commit, so the next search misses the
cache and reads fresh rows. Bumping before commit would let a concurrent search cache the
old rows under the new version.
"""

from __future__ import annotations

import time

from django.core.cache import cache

SEARCH_VERSION_KEY = "search:data-version"


def search_version() -> int:
    version = cache.get(SEARCH_VERSION_KEY)
    if version is None:
        # Start from the clock, not 1: after an eviction, old page keys are never reused.
        cache.add(SEARCH_VERSION_KEY, time.time_ns() // 1000, timeout=None)
        version = cache.get(SEARCH_VERSION_KEY)
    return int(version)


def bump_search_version() -> None:
    try:
        cache.incr(SEARCH_VERSION_KEY)
    except ValueError:  # no version yet (or evicted): any fresh one invalidates old pages
        cache.add(SEARCH_VERSION_KEY, time.time_ns() // 1000, timeout=None)
