"""The city plan's vocabulary and index (directory/search/city.py). PostgreSQL only.

studio_search_city holds every city_key written into studio_search (a statement trigger
adds them, as studio_search_word's does for lexemes; the rebuild starts it afresh), so a
city filter — a substring of the city — is first asked as the few exact keys it is in.
studio_search_city_tier_idx then reads each key's studios tier by tier in name order
(the default sort): a page reads about its own rows, whatever the city's size; the other
sorts read the key's tier index-only (every column they need is in the index).
Nothing else: SQL-only, like studio_search_facet; embedded mode keeps the general plan.
"""

from django.db import migrations

PG_SQL = """
CREATE TABLE IF NOT EXISTS studio_search_city (city_key text PRIMARY KEY);

CREATE OR REPLACE FUNCTION studio_search_cities_add() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    -- In key order, so two writers that add the same new cities wait instead of deadlocking.
    INSERT INTO studio_search_city (city_key)
    SELECT DISTINCT city_key FROM new_rows ORDER BY city_key
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE TRIGGER studio_search_cities_insert AFTER INSERT ON studio_search
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION studio_search_cities_add();
CREATE OR REPLACE TRIGGER studio_search_cities_update AFTER UPDATE ON studio_search
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION studio_search_cities_add();

INSERT INTO studio_search_city (city_key)
SELECT DISTINCT city_key FROM studio_search ON CONFLICT DO NOTHING;
"""

PG_INDEXES = [
    # `city_key LIKE '%lond%'` over the few thousand keys.
    "CREATE INDEX IF NOT EXISTS studio_search_city_key_trgm_idx ON studio_search_city"
    " USING gin (city_key gin_trgm_ops)",
    # One key's studios, tier by tier, in name order; the other sorts' columns included.
    "CREATE INDEX IF NOT EXISTS studio_search_city_tier_idx ON studio_search"
    ' (city_key, is_premium, is_verified, has_images, name_key COLLATE "C", studio_id)'
    " INCLUDE (studio_created_at, rating_avg, review_count, type_mask, service_mask)",
]

PG_UNINSTALL = """
DROP INDEX IF EXISTS studio_search_city_tier_idx;
DROP TRIGGER IF EXISTS studio_search_cities_insert ON studio_search;
DROP TRIGGER IF EXISTS studio_search_cities_update ON studio_search;
DROP FUNCTION IF EXISTS studio_search_cities_add();
DROP TABLE IF EXISTS studio_search_city;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_SQL, None)
    for statement in PG_INDEXES:
        schema_editor.execute(statement, None)
    schema_editor.execute("ANALYZE studio_search_city", None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_UNINSTALL, None)


class Migration(migrations.Migration):
    dependencies = [("directory", "0004_search_knn_tier_indexes")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
