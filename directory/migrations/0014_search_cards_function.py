"""studio_search_cards(ids): a search page's result cards, with the plan kept per connection.

The cards statement (directory/search/cards.py) was sent as text with its ids written in,
so PostgreSQL parsed and planned it for every page: at a million studios 1.1–1.5 ms of
planning for 0.9 ms of execution (EXPLAIN ANALYZE, warm). Its plan does not depend on
which ids it gets (primary-key probes, a nested loop of 20 rows), so here it is planned
once per connection: PL/pgSQL caches the plan of its statement, kept generic by the
function's own `plan_cache_mode`, and the pooled connections keep it between requests.
The first image is read once per card (a LATERAL row of url and alt text), not twice.

The columns are cast to plain types (text, float8, integer) so that a column's length or
width changing in a later migration does not break the declared result. PostgreSQL only:
SQLite runs the text statement.
"""

from django.db import migrations

PG_SQL = """
CREATE OR REPLACE FUNCTION studio_search_cards(p_ids bigint[])
RETURNS TABLE (
    id bigint, name text, city text, abbreviated_address text,
    latitude float8, longitude float8, is_premium boolean, is_verified boolean,
    username text, display_name text, avatar_url text,
    short_about text, show_address boolean, use_coordinates_for_map boolean,
    type_mask integer, service_mask integer, review_count integer, rating_avg float8,
    image_url text, image_alt text
)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $fn$
BEGIN
    RETURN QUERY
    SELECT s.id, s.name::text, s.city::text, s.abbreviated_address::text,
           s.latitude::float8, s.longitude::float8, s.is_premium, s.is_verified,
           u.username::text, u.display_name::text, u.avatar_url::text,
           p.short_about::text, p.show_address, p.use_coordinates_for_map,
           ss.type_mask::integer, ss.service_mask::integer, ss.review_count::integer,
           ss.rating_avg::float8, first_image.image_url::text, first_image.alt_text::text
      FROM studios s
      JOIN users u ON u.id = s.owner_id
      LEFT JOIN user_profiles p ON p.user_id = u.id
      LEFT JOIN studio_search ss ON ss.studio_id = s.id
      LEFT JOIN LATERAL (
           SELECT i.image_url, i.alt_text
             FROM studio_images i
            WHERE i.studio_id = s.id
            ORDER BY i.sort_order, i.id
            LIMIT 1) first_image ON true
     WHERE s.id = ANY (p_ids);
END
$fn$;
"""

PG_UNINSTALL = "DROP FUNCTION IF EXISTS studio_search_cards(bigint[]);"


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_SQL, None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_UNINSTALL, None)


class Migration(migrations.Migration):
    dependencies = [("directory", "0013_search_cell_queries_template")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
