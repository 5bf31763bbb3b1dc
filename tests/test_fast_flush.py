"""tests/support/fast_flush.py: the flush after a transactional test empties every table
Django's would (the append-only audit log and the search tables included), keeps
post_migrate's rows, leaves the triggers on for what follows, and falls back to Django's
TRUNCATE when sequences are to be reset."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction

from moderation.models import AuditLogEntry
from tests.factories import (
    AuditLogEntryFactory,
    MessageFactory,
    ReviewFactory,
    StudioFactory,
    UserFactory,
)
from tests.support.fast_flush import POST_MIGRATE_TABLES, sql_flush_rows
from tests.support.processes import live_database_url

pytestmark = pytest.mark.django_db(transaction=True)


def _counts() -> dict[str, int]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with connection.cursor() as cursor:
        return {
            table: cursor.execute(
                f"SELECT count(*) FROM {connection.ops.quote_name(table)}"  # noqa: S608
            ).fetchone()[0]
            for table in tables
        }


def test_the_flush_empties_every_table_but_post_migrates():
    owner = UserFactory()
    studio = StudioFactory(owner=owner)
    ReviewFactory(studio=studio)
    MessageFactory(sender=owner, receiver=UserFactory())
    AuditLogEntryFactory()
    before = _counts()
    assert before["studios"]
    assert before["studio_search"]
    assert before["moderation_audit_log"]

    call_command("flush", verbosity=0, interactive=False, reset_sequences=False)

    after = _counts()
    assert {t: n for t, n in after.items() if n and t not in POST_MIGRATE_TABLES} == {}
    assert all(after[t] for t in POST_MIGRATE_TABLES)
    # The replication role was the flush's transaction's only: the audit log refuses again.
    entry = AuditLogEntryFactory()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLogEntry.objects.filter(pk=entry.pk).delete()
    # And the search triggers run again: a new studio is indexed.
    StudioFactory(owner=UserFactory())
    assert _counts()["studio_search"] == 1


def test_the_flush_waits_for_a_write_in_flight_and_empties_it_too():
    """As TRUNCATE does: a server's transaction still writing when the test ends holds its
    rows until it commits; the flush waits for it and removes them."""
    other = psycopg.connect(live_database_url())
    other.execute(
        "INSERT INTO moderation_audit_log (action, target_type, target_id)"
        " VALUES ('in flight', 'USER', '1')"
    )
    committer = threading.Timer(0.5, other.commit)
    committer.start()
    try:
        started = time.monotonic()
        call_command("flush", verbosity=0, interactive=False, reset_sequences=False)
        waited = time.monotonic() - started
    finally:
        committer.join()
        other.close()
    assert waited >= 0.4
    assert AuditLogEntry.objects.count() == 0


def test_the_statements_and_when_djangos_truncate_runs_instead():
    set_role, lock, *deletes = sql_flush_rows(no_style(), connection, reset_sequences=False)
    tables = set(connection.introspection.django_table_names(only_existing=True))
    assert set_role == "SET LOCAL session_replication_role = replica"
    assert lock.startswith("LOCK TABLE ")
    assert lock.endswith(" IN ACCESS EXCLUSIVE MODE")
    assert {d.removeprefix("DELETE FROM ").strip('"') for d in deletes} == (
        tables - POST_MIGRATE_TABLES
    )
    for kwargs in ({"reset_sequences": True}, {"reset_sequences": False, "allow_cascade": True}):
        (statement,) = sql_flush_rows(no_style(), connection, **kwargs)
        assert statement.startswith("TRUNCATE "), kwargs
    with transaction.atomic():  # SET LOCAL would outlive a flush inside a transaction
        (statement,) = sql_flush_rows(no_style(), connection, reset_sequences=False)
    assert statement.startswith("TRUNCATE ")
