"""Rebuilding the search index in one pass, for bulk loads made with its triggers off.

Day to day nothing calls this: triggers keep studio_search and studio_search_facet in
step with every write (migration 0002_search_index), studio_search_word holds every
lexeme written (0003_search_words) and studio_search_city every city key
(0005_search_city_plan). A bulk load that disables the triggers — seed_demo at scale, a
restore — calls `search_index_rebuild()` once at the end.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

from directory.search.parameters import rotation_seed

logger = logging.getLogger(__name__)

DERIVED_TABLES = (
    "studio_search",
    "studio_search_facet",
    "studio_search_word",
    "studio_search_city",  # migration 0005_search_city_plan: every city key, for the city plan
    "studio_search_sample",  # migration 0007: the text plan's count sample (row triggers)
)
# What a day's rotation rewrites: every premium row of studio_search (not in place — the
# key is indexed — so every index gets new entries), and the sampled ones' copies.
ROTATED_TABLES = ("studio_search", "studio_search_sample")
VACUUM_LOCK_TIMEOUT = "60s"  # the rotation's vacuum waits no longer for another's lock
# The tables whose triggers maintain the index (and bump the search data version).
SOURCE_TABLES = (
    "studios",
    "studio_studio_types",
    "studio_services",
    "studio_images",
    "reviews",
    "users",
    "user_profiles",
)


@contextmanager
def search_triggers_disabled(
    tables: Sequence[str], *, using: str = DEFAULT_DB_ALIAS
) -> Iterator[None]:
    """Turn off the user triggers of `tables` for a bulk load inside the caller's transaction.

    PostgreSQL only (SQLite loads keep their row triggers). Call search_index_rebuild()
    afterwards: what the load wrote is not in the index until then.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {qn(table)} DISABLE TRIGGER USER")
    yield
    with connection.cursor() as cursor:
        # ALTER TABLE refuses a table with pending deferred events (key checks of rows
        # written with the keys in place): run them now, then defer again as before.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in tables:
            cursor.execute(f"ALTER TABLE {qn(table)} ENABLE TRIGGER USER")


def search_index_rebuild(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """Re-derive the whole index from the source tables; returns the listed studios.

    studio_search is written in name order (text search visits fewer pages) and the
    vocabulary afresh, without the words no studio has any more.

    The derived tables' GiST/GIN indexes are dropped first and built once at the end: one
    sort per index instead of a million insertions into it.
    """
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("SELECT COUNT(*) FROM studio_search")
            return int(cursor.fetchone()[0])  # SQLite's row triggers never go off
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [list(DERIVED_TABLES)],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        cursor.execute("TRUNCATE studio_search_city")  # afresh, as the vocabulary
        # TRUNCATE fires no row trigger: the sample is emptied here, refilled by the inserts.
        cursor.execute("TRUNCATE studio_search_sample")
        cursor.execute("SELECT studio_search_rebuild()")
        listed = int(cursor.fetchone()[0])
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute(f"ANALYZE {', '.join(DERIVED_TABLES)}")
    return listed


def search_index_vacuum(
    *,
    using: str = DEFAULT_DB_ALIAS,
    tables: Sequence[str] = DERIVED_TABLES,
    lock_timeout: str | None = None,
) -> bool:
    """VACUUM ANALYZE the derived tables after a bulk rebuild (or `tables` after a day's
    rotation), if outside a transaction.

    Radius searches are index-only scans, and an index-only scan still visits the table
    for every page the visibility map does not yet mark all-visible — right after a bulk
    load, every page. Text searches read the GIN indexes, whose new entries wait in a
    pending list that every search scans in full until a vacuum merges it: after the
    premium rows are rewritten, about 450 pages per index. Autovacuum gets there
    eventually (for a rotation's updates alone, days later); this gets there now. Returns
    whether it ran (VACUUM cannot run inside a transaction, e.g. in a test). With
    `lock_timeout`, it waits at most that long for each table (another vacuum, an index
    being built) and raises DatabaseError past it.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        if lock_timeout:
            cursor.execute("SELECT set_config('lock_timeout', %s, false)", [lock_timeout])
        try:
            cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
        finally:
            if lock_timeout:
                cursor.execute("RESET lock_timeout")
    return True


def search_rotation_refresh(*, day: dt.date | None = None, using: str = DEFAULT_DB_ALIAS) -> int:
    """Store `day`'s premium rotation (default today, UTC) for the text plan and the tier
    plan's premium slices: the seed in studio_search_rotation and every premium row's
    rotation_key (migrations 0006_search_text_plan, 0012). Returns the rows rewritten —
    none when the day's seed is already stored, so a rerun costs one statement. The beat
    task runs it at midnight UTC; until it has, the text plan sees yesterday's seed and
    leaves text pages to the general plan, and the tier plan reads the whole premium tier.
    Then, outside a transaction, the rewritten tables are vacuumed: left to autovacuum,
    the rewrite kept text searches around a centre at a million studios at p50 121 / p95
    198 ms instead of 6 / 9 (docs/benchmarks.md).
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0  # embedded mode has no text plan
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT studio_search_rotate(%s)", [rotation_seed(day)])
        rewritten = int(cursor.fetchone()[0])
    if rewritten:
        try:
            search_index_vacuum(
                using=using, tables=ROTATED_TABLES, lock_timeout=VACUUM_LOCK_TIMEOUT
            )
        except DatabaseError:  # the rotation is stored; autovacuum will get there, later
            logger.warning(
                "search rotation stored (%d rows rewritten) but its vacuum failed",
                rewritten,
                exc_info=True,
            )
    return rewritten
