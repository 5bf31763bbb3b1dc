"""Drop studio_search_name_trgm_idx: since 0005 the typo fallback reads the vocabulary
(studio_search_word), so no query uses it, and every studio write paid for it."""

from django.db import migrations


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS studio_search_name_trgm_idx")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS studio_search_name_trgm_idx"
            " ON studio_search USING gin (name_key gin_trgm_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("directory", "0005_search_words")]

    operations = [migrations.RunPython(drop, create, elidable=False)]
