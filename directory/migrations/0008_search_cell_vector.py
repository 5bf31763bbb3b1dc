"""Text around a centre off one index: each studio's lexemes tagged with its map cell.

The radius + text plan (directory/search/radius_text.py) used to AND two indexes for a
circle's text matches: the earth box's GiST (every studio in the box: 21,566 entries
around London at a million studios) and the GIN's matches of the words anywhere (18,034
for `quiet fox`), so its work grew with the studios around the centre. Here a GIN indexes
`studio_search_cell_vector()`: every lexeme of a located studio prefixed with its 0.25°
cell (`205/-1/fox`), and `studio_search_cell_queries()` turns a tsquery into one per cell
(the same query with every lexeme so prefixed). A circle's few cells asked of that index
give the studios there whose text matches — about the matches, whatever the studios
around them. A partial copy over the 1-in-16 sample (directory.search.knn.SAMPLE_STRIDE)
gives the plan's count sample the same way. Expression indexes: nothing to keep in step
but the index itself. PostgreSQL only; embedded mode has no radius + text plan.
"""

from django.db import migrations

CELLS_PER_DEGREE = 4  # directory.search.radius_text.CELLS_PER_DEGREE, frozen here
SAMPLE_STRIDE = 16  # directory.search.knn.SAMPLE_STRIDE, frozen here
# A lexeme may be 2,047 bytes: with its cell before it, too long for a tsvector. Both
# sides keep a lexeme's first 500 characters (at most 2,000 bytes), so a longer word
# matches every word it shares them with, and the plan tests such rows again
# (directory.search.radius_text.LEXEME_CHARS).
LEXEME_CHARS = 500
# A quoted lexeme of a tsquery's text, captured whole; and its first LEXEME_CHARS
# characters captured, an escaped quote ('') or backslash (\\) one character (a bound is
# at most 255). The latter costs about 0.4 ms a cell, so it is asked only of a text that
# can hold so long a lexeme.
LEXEME_RE = r"'((?:[^']|'')*)'"
_CHARACTER = r"(?:''|\\\\|[^'\\])"
_FIRST_HALF = f"{_CHARACTER}{{0,{LEXEME_CHARS // 2}}}"
LONG_LEXEME_RE = f"'({_FIRST_HALF}{_FIRST_HALF}){_CHARACTER}*'"

PG_SQL = f"""
CREATE OR REPLACE FUNCTION studio_search_cell_vector(lat double precision,
                                                     lng double precision, v tsvector)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL RESTRICTED AS $fn$
    SELECT array_to_tsvector(ARRAY(
        SELECT floor(lat * {CELLS_PER_DEGREE})::int::text || '/'
               || floor(lng * {CELLS_PER_DEGREE})::int::text || '/'
               || left(u.lexeme, {LEXEME_CHARS})
          FROM unnest(v) AS u))
$fn$;

CREATE OR REPLACE FUNCTION studio_search_cell_queries(q tsquery, cells text[])
RETURNS tsquery[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT ARRAY(
        SELECT regexp_replace(
                   q::text,
                   CASE WHEN length(q::text) < {LEXEME_CHARS} THEN $re${LEXEME_RE}$re$
                        ELSE $re${LONG_LEXEME_RE}$re$ END,
                   '''' || c || '/\\1''', 'g')::tsquery
          FROM unnest(cells) AS c)
$fn$;

CREATE INDEX IF NOT EXISTS studio_search_cell_vector_idx ON studio_search
    USING gin (studio_search_cell_vector(latitude, longitude, search_vector))
    WHERE latitude IS NOT NULL;
CREATE INDEX IF NOT EXISTS studio_search_cell_vector_sample_idx ON studio_search
    USING gin (studio_search_cell_vector(latitude, longitude, search_vector))
    WHERE latitude IS NOT NULL AND studio_id % {SAMPLE_STRIDE} = 0;
ANALYZE studio_search;
"""  # noqa: S608 - constants only

PG_UNINSTALL = """
DROP INDEX IF EXISTS studio_search_cell_vector_sample_idx;
DROP INDEX IF EXISTS studio_search_cell_vector_idx;
DROP FUNCTION IF EXISTS studio_search_cell_queries(tsquery, text[]);
DROP FUNCTION IF EXISTS studio_search_cell_vector(double precision, double precision, tsvector);
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
    dependencies = [("directory", "0007_search_text_sample")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
