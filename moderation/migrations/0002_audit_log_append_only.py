"""The audit log is append-only in the database itself: UPDATE and DELETE raise.

A trigger rather than REVOKE: the application may connect as the table's owner (or a
superuser in development), and REVOKE does not bind an owner; a trigger binds everyone
short of someone who drops it, which takes a migration, or a superuser who turns triggers
off (session_replication_role). TRUNCATE is not blocked: only a schema owner may truncate.
The test suite empties tables between tests with TRUNCATE or, as a superuser, with DELETE
under session_replication_role = replica (tests/support/fast_flush.py).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION moderation_audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'moderation_audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER moderation_audit_log_append_only
    BEFORE UPDATE OR DELETE ON moderation_audit_log
    FOR EACH ROW EXECUTE FUNCTION moderation_audit_log_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS moderation_audit_log_append_only ON moderation_audit_log;
DROP FUNCTION IF EXISTS moderation_audit_log_refuse_change();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
