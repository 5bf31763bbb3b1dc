# ruff: noqa: S608 - DDL assembled from constants in this file and 0002, no input
"""The search vocabulary, name-ordered rebuilds (docs/search.md, "Text").

studio_search_word (created in 0001_initial) holds every lexeme written into studio_search.search_vector (a
statement trigger on studio_search adds them; the rebuild starts it afresh). Text search
reads it to ask a prefix (`nightin`) as the exact words it begins — a GIN partial match
gathers every posting of every such word into a bitmap before the other words can narrow
it, exact words let the GIN scan skip — and to correct a word that matches nothing.

studio_search_rebuild() now writes studio_search in name order: the studios a name word
finds share heap pages, so a text page visits hundreds of pages instead of thousands.
Triggers append later rows wherever there is room; `manage.py search_reindex` restores
the order. Applying this migration does not re-order an existing table (run
search_reindex for that); it fills the vocabulary from the rows there.
"""

import importlib

from django.db import migrations

_0002 = importlib.import_module("directory.migrations.0002_search_index")

PG_SQL = f"""
CREATE OR REPLACE FUNCTION studio_search_words_add() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    -- In word order, so two writers that add the same new words wait instead of deadlocking.
    INSERT INTO studio_search_word (word)
    SELECT DISTINCT w FROM new_rows n, unnest(tsvector_to_array(n.search_vector)) AS w
     ORDER BY w
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE TRIGGER studio_search_words_insert AFTER INSERT ON studio_search
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION studio_search_words_add();
CREATE OR REPLACE TRIGGER studio_search_words_update AFTER UPDATE ON studio_search
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION studio_search_words_add();

-- A lexeme as a tsquery operand, as the tsquery parser reads it back (no text parser, no
-- dictionary: exactly this lexeme).
CREATE OR REPLACE FUNCTION studio_search_quote(word text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT '''' || replace(replace(word, '\\', '\\\\'), '''', '''''') || ''''
$fn$;

-- `word:*` asked as the words of the vocabulary that begin with it: the same matches (the
-- vocabulary holds every lexeme of every vector), but exact GIN entries, which the GIN scan
-- can skip through (counting `nightingale & booth:*` at a million studios: 17 ms as a
-- prefix match, 2.4 ms as exact words). Up to 16 words: every word more makes each candidate's consistency
-- check longer (`copper & wi:*` 7 ms, as its 116 words 35 ms). Past 16, or for a word the
-- simple parser would split, the prefix match itself.
CREATE OR REPLACE FUNCTION studio_search_prefix(stem text) RETURNS tsquery
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    prefix tsquery := to_tsquery('simple', studio_search_quote(stem) || ':*');
    words text[];
BEGIN
    IF prefix::text IS DISTINCT FROM studio_search_quote(stem) || ':*' THEN
        RETURN prefix;
    END IF;
    -- Planned with the pattern as a constant (a generic plan could not use the index).
    EXECUTE format(
        'SELECT ARRAY(SELECT word FROM studio_search_word WHERE word LIKE %L LIMIT 17)',
        replace(replace(replace(stem, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')
    INTO words;
    IF cardinality(words) BETWEEN 1 AND 16 THEN
        RETURN array_to_string(ARRAY(SELECT studio_search_quote(w) FROM unnest(words) w), ' | ')::tsquery;
    END IF;
    RETURN prefix;
END
$fn$;

CREATE OR REPLACE FUNCTION studio_search_rebuild() RETURNS bigint LANGUAGE plpgsql
SET work_mem = '256MB' AS $fn$
DECLARE
    listed bigint;
BEGIN
    TRUNCATE studio_search_facet, studio_search, studio_search_word;
    -- In name order (see the module docstring); the words trigger fills the vocabulary.
    INSERT INTO studio_search (studio_id, {_0002.SEARCH_COLUMNS})
    SELECT s.id, lower(s.name), lower(trim(s.city)),
           CAST(s.latitude AS DOUBLE PRECISION), CAST(s.longitude AS DOUBLE PRECISION),
           s.is_premium, s.is_verified, i.studio_id IS NOT NULL,
           COALESCE(t.mask, 0), COALESCE(v.mask, 0), COALESCE(r.n, 0), r.average,
           s.created_at, NULL, {_0002.PG_VECTOR}
      FROM studios s
      JOIN users u ON u.id = s.owner_id
      LEFT JOIN (SELECT studio_id, SUM({_0002._cases("studio_type", _0002.TYPE_BITS)}) AS mask
                   FROM studio_studio_types GROUP BY studio_id) t ON t.studio_id = s.id
      LEFT JOIN (SELECT studio_id, SUM({_0002._cases("service", _0002.SERVICE_BITS)}) AS mask
                   FROM studio_services GROUP BY studio_id) v ON v.studio_id = s.id
      LEFT JOIN (SELECT DISTINCT studio_id FROM studio_images) i ON i.studio_id = s.id
      LEFT JOIN (SELECT studio_id, COUNT(*) AS n, CAST(AVG(rating) AS DOUBLE PRECISION) AS average
                   FROM reviews WHERE status = 'APPROVED' GROUP BY studio_id) r ON r.studio_id = s.id
     WHERE s.status = 'ACTIVE' AND s.is_profile_visible
     ORDER BY lower(s.name) COLLATE "C", s.id;
    GET DIAGNOSTICS listed = ROW_COUNT;
    INSERT INTO studio_search_facet (studio_id, facet, {_0002.FACET_COLUMNS})
    SELECT ss.studio_id, (t.b * 16 + v.b)::smallint, ss.latitude, ss.longitude,
           ss.is_premium, ss.is_verified, ss.has_images
      FROM studio_search ss
           CROSS JOIN generate_series(0, 5) AS t(b)
           CROSS JOIN generate_series(0, 7) AS v(b)
     WHERE ss.latitude IS NOT NULL
       AND (ss.type_mask & (1 << t.b)) <> 0 AND (ss.service_mask & (1 << v.b)) <> 0;
    PERFORM nextval('search_data_version');
    RETURN listed;
END
$fn$;
"""

# `word LIKE 'nightin%'` uses the primary key's text_pattern_ops index that Django adds.
PG_INDEXES = [
    # `word % 'nightingle' ORDER BY word <-> 'nightingle'`: the typo correction, nearest first.
    "CREATE INDEX studio_search_word_trgm_idx ON studio_search_word USING gist (word gist_trgm_ops)",
]

PG_UNINSTALL = """
DROP TRIGGER studio_search_words_insert ON studio_search;
DROP TRIGGER studio_search_words_update ON studio_search;
DROP FUNCTION studio_search_words_add();
DROP FUNCTION studio_search_prefix(text);
DROP FUNCTION studio_search_quote(text);
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # embedded mode's text search reads search_text, not lexemes
    schema_editor.execute(PG_SQL, None)
    schema_editor.execute(
        "INSERT INTO studio_search_word (word)"
        " SELECT DISTINCT unnest(tsvector_to_array(search_vector)) FROM studio_search",
        None,
    )
    for statement in PG_INDEXES:
        schema_editor.execute(statement, None)
    schema_editor.execute("ANALYZE studio_search_word", None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_UNINSTALL, None)
    schema_editor.execute(_0002.PG_REFRESH, None)  # the rebuild as it was


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0002_search_index"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
