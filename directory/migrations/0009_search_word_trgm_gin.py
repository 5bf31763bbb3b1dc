"""The typo correction's vocabulary index: GIN trigrams instead of GiST.

`word % 'nightingle' ORDER BY word <-> 'nightingle'` (directory.search.text.
typo_text_query) read 265 pages of the GiST trigram index over 32,552 words at a million
studios, 3.3–3.9 ms a word, the largest statement of a misspelt search; the GIN index
answers the same `%` in 0.08–0.5 ms, and the few similar words are then sorted by
distance (docs/benchmarks.md). PostgreSQL only, as 0003_search_words.
"""

from django.db import migrations

PG_SQL = """
CREATE INDEX studio_search_word_trgm_gin_idx ON studio_search_word USING gin (word gin_trgm_ops);
DROP INDEX studio_search_word_trgm_idx;
ANALYZE studio_search_word;
"""

PG_UNINSTALL = """
CREATE INDEX studio_search_word_trgm_idx ON studio_search_word USING gist (word gist_trgm_ops);
DROP INDEX studio_search_word_trgm_gin_idx;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_SQL, None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_UNINSTALL, None)


class Migration(migrations.Migration):
    dependencies = [("directory", "0008_search_cell_vector")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
