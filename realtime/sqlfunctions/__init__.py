"""PostgreSQL functions of the realtime app, one versioned `.sql` file each.

A file is never edited once a migration loads it: a change is `<name>.v<N+1>.sql` and a
new migration. SQLite (embedded mode) has no such functions: the ORM store does the same
write there (realtime/services/message_store.py).
"""

from __future__ import annotations

from pathlib import Path

from django.db import migrations

DIRECTORY = Path(__file__).resolve().parent


def read_sql(filename: str) -> str:
    return (DIRECTORY / filename).read_text(encoding="utf-8")


def load_sql_function(
    filename: str, *, reverse_sql: str | None = None, previous: str | None = None
) -> migrations.RunPython:
    """A migration operation that runs `filename` on PostgreSQL and nothing elsewhere.

    Unapplying runs `previous` (the file it replaced) or `reverse_sql`.
    """
    text = read_sql(filename)
    back = read_sql(previous) if previous else reverse_sql

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(text, params=None)

    def backwards(apps, schema_editor):
        if back and schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(back, params=None)

    return migrations.RunPython(forwards, backwards, elidable=False)
