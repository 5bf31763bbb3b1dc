"""Text among a city's studios without coordinates off one index: each one's lexemes tagged
with its city key's digest.

Around a centre the radius + text plan lists, after the located matches, the centre's
city's studios that have no coordinates and match the text (directory/search/
radius_text.py). It read all of that city's studios without coordinates off their city
index and tested each for the text — 598 around London at a million studios, for 21
matches of `quiet fox`, twice a page (the sample and the page): 1.8 ms where Berlin's 27
cost 0.1 ms. Here a GIN indexes `studio_search_city_vector()`: every lexeme of a studio
without coordinates prefixed with the first 16 hex digits of its city key's md5 (a city key
may hold any character; the digest none that a tsquery must escape), and the plan asks
the query with its lexemes so prefixed — migration 0008's studio_search_cell_queries() with
that digest as its one cell — so the index returns the city's matches. Lexemes keep their
first 500 characters, as in 0008, and the plan tests every row's text again. An
expression index: nothing to keep in step but the index itself. PostgreSQL only.
"""

from django.db import migrations

LEXEME_CHARS = 500  # directory.search.radius_text.LEXEME_CHARS, frozen here

PG_SQL = f"""
CREATE OR REPLACE FUNCTION studio_search_city_vector(city_key text, v tsvector)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT array_to_tsvector(ARRAY(
        SELECT left(md5(coalesce(city_key, '')), 16) || '/' || left(u.lexeme, {LEXEME_CHARS})
          FROM unnest(v) AS u))
$fn$;

CREATE INDEX IF NOT EXISTS studio_search_city_vector_idx ON studio_search
    USING gin (studio_search_city_vector(city_key, search_vector))
    WHERE latitude IS NULL;
ANALYZE studio_search;
"""  # noqa: S608 - constants only

PG_UNINSTALL = """
DROP INDEX IF EXISTS studio_search_city_vector_idx;
DROP FUNCTION IF EXISTS studio_search_city_vector(text, tsvector);
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
    dependencies = [("directory", "0009_search_word_trgm_gin")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
