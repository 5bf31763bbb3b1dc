"""The search page cache's key: normalised parameters, page, rotation day, data version.

The version is a database sequence the search triggers bump at the commit of any change
search shows (migration 0002_search_index), so a cached page is never stale.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import connection

from .parameters import SearchParams, rotation_seed


def search_cache_key(params: SearchParams, *, day: dt.date | None = None) -> str:
    """Normalised parameters + page + rotation day + the search data version."""
    payload = json.dumps(
        {"f": params.filters(), "p": params.page, "n": params.page_size, "s": rotation_seed(day)},
        sort_keys=True,
        separators=(",", ":"),
    )
    digest = hashlib.sha256(payload.encode()).hexdigest()[:32]
    return f"search:page:v{search_data_version()}:{digest}"


def search_data_version() -> int:
    """Bumped by database triggers at the commit of any change search shows (migration 0004)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT last_value FROM search_data_version")
        else:
            cursor.execute("SELECT version FROM search_data_state WHERE id = 1")
        return int(cursor.fetchone()[0])
