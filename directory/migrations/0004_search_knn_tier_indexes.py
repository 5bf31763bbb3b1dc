"""Partial GiST indexes for the nearest-first plan (directory/search/knn.py).

One per priority tier — premium; then not premium by (verified, has_images) — so a page
reads each tier's nearest studios straight off an index that holds only that tier, and one
over a fixed 1-in-16 sample of the studios (studio_id % 16 = 0) for the count estimate.
Every column the plan reads is in the index (latitude and longitude for the exact chord,
the sort columns for name, newest and rating),
so each is an index-only scan: no heap page per match. PostgreSQL only: embedded mode (SQLite) answers every search with the general plan.
"""

from django.db import migrations

SAMPLE_STRIDE = 16  # directory.search.knn.SAMPLE_STRIDE, frozen here

_COLUMNS = (
    "USING gist (ll_to_earth(latitude, longitude))"
    " INCLUDE (studio_id, latitude, longitude, type_mask, service_mask,"
    " name_key, studio_created_at, rating_avg, review_count)"
)

INDEXES = {
    "studio_search_knn_premium_idx": "is_premium",
    "studio_search_knn_vi_idx": "NOT is_premium AND is_verified AND has_images",
    "studio_search_knn_v_idx": "NOT is_premium AND is_verified AND NOT has_images",
    "studio_search_knn_i_idx": "NOT is_premium AND NOT is_verified AND has_images",
    "studio_search_knn_none_idx": "NOT is_premium AND NOT is_verified AND NOT has_images",
    "studio_search_sample_idx": f"studio_id % {SAMPLE_STRIDE} = 0",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, predicate in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON studio_search {_COLUMNS}"
            f" WHERE latitude IS NOT NULL AND {predicate}",
            None,  # no parameters: the % of the sample's predicate is SQL's modulo
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_search_words")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
