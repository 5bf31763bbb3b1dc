"""realtime_message_send() finds the receiver through the username index.

0004 matched `lower(username) = lower(p_to)`, which no index serves: every message read
the whole users table twice (the lock statement and the receiver lookup), a cost that
grows with the number of members. The case-insensitive unique index on users is on
`upper(username)` (the same expression Django's `username__iexact` uses), so the function
now matches on `upper()`: an index lookup, and the same "one member per name, whatever
the case" rule the unique index enforces. Otherwise the function is unchanged.
"""

from importlib import import_module

from django.db import migrations

# 0004's function body, with its two receiver lookups moved from lower() to upper().
PREVIOUS = import_module("realtime.migrations.0004_message_send_function").CREATE
LOOKUPS = {
    "WHERE lower(u.username) = lower(p_to)": "WHERE upper(u.username) = upper(p_to)",
    "WHERE lower(username) = lower(p_to)": "WHERE upper(username) = upper(p_to)",
}
CREATE = PREVIOUS
for old, new in LOOKUPS.items():
    assert CREATE.count(old) == 1, old
    CREATE = CREATE.replace(old, new)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS)


class Migration(migrations.Migration):
    dependencies = [("realtime", "0005_db_defaults_connection_fk_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
