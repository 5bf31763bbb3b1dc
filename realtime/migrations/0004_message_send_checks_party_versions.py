"""realtime_message_send() version 2: writes only if the two users' rows are the versions
the rules were checked against (realtime/sqlfunctions/message_send.v2.sql).

Version 2 takes two more arguments, so version 1's signature is dropped first (one
function of that name, as before); unapplying drops version 2 and loads version 1 again.
"""

from django.db import migrations

from realtime.sqlfunctions import read_sql

V1_SIGNATURE = (
    "realtime_message_send(bigint, bigint, text, text, text, jsonb, "
    "timestamptz, jsonb, jsonb, jsonb, text, integer)"
)
V2_SIGNATURE = (
    "realtime_message_send(bigint, bigint, text, text, text, jsonb, "
    "timestamptz, jsonb, jsonb, jsonb, text, integer, bigint, bigint)"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {V1_SIGNATURE}", params=None)
        schema_editor.execute(read_sql("message_send.v2.sql"), params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {V2_SIGNATURE}", params=None)
        schema_editor.execute(read_sql("message_send.v1.sql"), params=None)


class Migration(migrations.Migration):
    dependencies = [("realtime", "0003_event_streams_for_existing_users")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
