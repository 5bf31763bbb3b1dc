"""A transactional test's flush in a fraction of the time, with the same end state.

After each `django_db(transaction=True)` test Django runs `flush`: one TRUNCATE of every
table (0.3–0.6 s here: a new file for each of some 360 relations), then post_migrate,
which makes the content types and permissions again. Most such tests write to a handful
of tables, so this flush empties the tables with DELETE instead, in one transaction that
first locks them all as TRUNCATE does (so it waits for a server's request still writing,
and sees its rows), with triggers and foreign-key checks off for that transaction
(`session_replication_role = replica`: TRUNCATE fires no row trigger either, and the
append-only audit log's trigger would refuse the DELETE). It leaves post_migrate's own rows,
which post_migrate would only make again. Sequences are not reset, as before.

Django's statement runs instead when sequences are to be reset, when the flush may cascade
(`available_apps`: TRUNCATE … CASCADE reaches other apps' tables), inside an open
transaction (SET LOCAL would outlive the flush), and without the privilege to set the
replication role (a superuser's, or one granted SET on it).
"""

from __future__ import annotations

from functools import cache

from django.core.management.commands import flush
from django.core.management.sql import sql_flush as django_sql_flush
from django.db import connections

# post_migrate makes these rows again after any flush; keeping them saves that work.
POST_MIGRATE_TABLES = frozenset({"django_content_type", "auth_permission"})


def install() -> None:
    flush.sql_flush = sql_flush_rows


def sql_flush_rows(style, connection, reset_sequences=True, allow_cascade=False) -> list[str]:
    if (
        reset_sequences
        or allow_cascade
        or connection.vendor != "postgresql"
        or connection.in_atomic_block
        or not _may_skip_triggers(connection.alias)
    ):
        return django_sql_flush(
            style, connection, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    quote = connection.ops.quote_name
    tables = [
        quote(table)
        for table in connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        if table not in POST_MIGRATE_TABLES
    ]
    # The flush command runs the list in one transaction: the locks and SET LOCAL end with it.
    return [
        "SET LOCAL session_replication_role = replica",
        f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE",
        *(f"DELETE FROM {table}" for table in tables),  # noqa: S608 - quoted names
    ]


@cache
def _may_skip_triggers(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT has_parameter_privilege('session_replication_role', 'SET')"
            " OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
        )
        return bool(cursor.fetchone()[0])
