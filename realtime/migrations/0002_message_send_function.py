"""realtime_message_send(): the hot write of `message_send` (PostgreSQL only).

The function's text lives in realtime/sqlfunctions/message_send.v1.sql; this migration
loads that file. A later change is a new file (message_send.v2.sql) and a new migration
that loads it with `load_sql_function("message_send.v2.sql", previous="message_send.v1.sql")`,
never a string patch of an earlier text.
"""

from django.db import migrations

from realtime.sqlfunctions import load_sql_function

# The signature, to drop the function when unapplying.
DROP = (
    "DROP FUNCTION IF EXISTS realtime_message_send(bigint, bigint, text, text, text, jsonb, "
    "timestamptz, jsonb, jsonb, jsonb, text, integer)"
)


class Migration(migrations.Migration):
    dependencies = [("realtime", "0001_initial")]

    operations = [load_sql_function("message_send.v1.sql", reverse_sql=DROP)]
