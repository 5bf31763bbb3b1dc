"""The centre's city's studios without coordinates, read off one index alone.

Every radius search lists, after the located studios of each tier, the studios of the
centre's city that have no coordinates (directory/search/knn.py, `_fallback_rows`). They
were read off `studio_search_nocoord_city_idx` (the city key alone), each row then visited
for its flags, masks and sort keys: around London at a million studios 598 rows, about
1 ms in the tier's statement and 0.9 ms more in the count, where Berlin's 27 cost 0.05 ms.
This index holds all of those columns: the same rows are read index-only (0.16 and 0.09
ms there). The B-tree on the key alone stays: embedded mode (SQLite) and a negated text
search (which needs the row's text) use it. PostgreSQL only.
"""

from django.db import migrations

PG_SQL = """
CREATE INDEX IF NOT EXISTS studio_search_nocoord_tier_idx ON studio_search
    (city_key, is_premium, is_verified, has_images, studio_id)
    INCLUDE (type_mask, service_mask, name_key, studio_created_at, rating_avg, review_count)
    WHERE latitude IS NULL;
ANALYZE studio_search;
"""

PG_UNINSTALL = "DROP INDEX IF EXISTS studio_search_nocoord_tier_idx;"


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_SQL, None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_UNINSTALL, None)


class Migration(migrations.Migration):
    dependencies = [("directory", "0010_search_city_vector")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
