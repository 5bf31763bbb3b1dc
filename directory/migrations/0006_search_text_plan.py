"""The text plan (directory/search/text_plan.py): text search bounded by the page. PostgreSQL only.

- `studio_search.rotation_key`: the premium rotation stored per studio, md5(studio id ||
  seed) for a premium studio, NULL otherwise — the very key the other plans compute on the
  fly — so the premium tier's day order can be read off an index. A row trigger sets it
  from the seed in `studio_search_rotation` whenever a row is written (a new premium
  studio, a studio that becomes premium: whatever wrote it); `studio_search_rotate(seed)`
  rewrites the premium rows for a new day (the beat task `tasks.search.rotate_premium_order`
  at midnight UTC, directory.services.search_index.search_rotation_refresh).
- Per-tier B-trees in each text sort's order — studio id (relevance bands), name, newest,
  rating — led by the tier's flags, and the rotation's own partial B-tree for premium.
- A GIN over premium studios' vectors (rare words inside the premium tier), and a GIN over
  a fixed 1-in-256 sample of the studios (the count estimate).
SQL-only, like studio_search_facet: embedded mode (SQLite) keeps the general plan.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

TEXT_SAMPLE_STRIDE = 256  # directory.search.text_plan.TEXT_SAMPLE_STRIDE, frozen here

PG_SQL = """
ALTER TABLE studio_search ADD COLUMN IF NOT EXISTS rotation_key text;
CREATE TABLE IF NOT EXISTS studio_search_rotation (
    id integer PRIMARY KEY CHECK (id = 1),
    seed text NOT NULL
);

CREATE OR REPLACE FUNCTION studio_search_rotation_key() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF NEW.is_premium THEN
        NEW.rotation_key := md5(NEW.studio_id::text || (SELECT seed FROM studio_search_rotation));
    ELSE
        NEW.rotation_key := NULL;
    END IF;
    RETURN NEW;
END
$fn$;

CREATE OR REPLACE TRIGGER studio_search_rotation_key BEFORE INSERT OR UPDATE ON studio_search
    FOR EACH ROW EXECUTE FUNCTION studio_search_rotation_key();

-- A new day's seed: the premium rows rewritten (the trigger computes their keys). Returns
-- the rows rewritten; nothing when the seed is already the stored one.
CREATE OR REPLACE FUNCTION studio_search_rotate(new_seed text) RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
    rewritten bigint;
BEGIN
    UPDATE studio_search_rotation SET seed = new_seed WHERE id = 1 AND seed <> new_seed;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    UPDATE studio_search SET rotation_key = NULL WHERE is_premium;
    GET DIAGNOSTICS rewritten = ROW_COUNT;
    RETURN rewritten;
END
$fn$;
"""

PG_INDEXES = [
    # The premium tier in the day's rotation.
    "CREATE INDEX IF NOT EXISTS studio_search_rotation_idx ON studio_search"
    ' (rotation_key COLLATE "C", studio_id) WHERE is_premium',
    # Rare words inside the premium tier.
    "CREATE INDEX IF NOT EXISTS studio_search_premium_vector_idx ON studio_search"
    " USING gin (search_vector) WHERE is_premium",
    # The count's sample.
    "CREATE INDEX IF NOT EXISTS studio_search_text_sample_idx ON studio_search"
    f" USING gin (search_vector) WHERE studio_id % {TEXT_SAMPLE_STRIDE} = 0",
    # Each tier in each text sort's order.
    "CREATE INDEX IF NOT EXISTS studio_search_tier_id_idx ON studio_search"
    " (is_premium, is_verified, has_images, studio_id)",
    "CREATE INDEX IF NOT EXISTS studio_search_tier_name_idx ON studio_search"
    ' (is_premium, is_verified, has_images, name_key COLLATE "C", studio_id)',
    "CREATE INDEX IF NOT EXISTS studio_search_tier_newest_idx ON studio_search"
    " (is_premium, is_verified, has_images, studio_created_at DESC, studio_id)",
    "CREATE INDEX IF NOT EXISTS studio_search_tier_rating_idx ON studio_search"
    " (is_premium, is_verified, has_images, rating_avg DESC NULLS LAST, review_count DESC,"
    " studio_id)",
]

PG_UNINSTALL = """
DROP INDEX IF EXISTS studio_search_rotation_idx;
DROP INDEX IF EXISTS studio_search_premium_vector_idx;
DROP INDEX IF EXISTS studio_search_text_sample_idx;
DROP INDEX IF EXISTS studio_search_tier_id_idx;
DROP INDEX IF EXISTS studio_search_tier_name_idx;
DROP INDEX IF EXISTS studio_search_tier_newest_idx;
DROP INDEX IF EXISTS studio_search_tier_rating_idx;
DROP TRIGGER IF EXISTS studio_search_rotation_key ON studio_search;
DROP FUNCTION IF EXISTS studio_search_rotation_key();
DROP FUNCTION IF EXISTS studio_search_rotate(text);
DROP TABLE IF EXISTS studio_search_rotation;
ALTER TABLE studio_search DROP COLUMN IF EXISTS rotation_key;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # directory.search.parameters.rotation_seed(), frozen here: today's seed.
    seed = f"{settings.SEARCH_ROTATION_SALT}:{timezone.now().date().isoformat()}"
    schema_editor.execute(PG_SQL, None)
    schema_editor.execute(
        "INSERT INTO studio_search_rotation (id, seed) VALUES (1, %s) ON CONFLICT (id) DO NOTHING",
        [seed],
    )
    schema_editor.execute("UPDATE studio_search SET rotation_key = NULL WHERE is_premium", None)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for statement in PG_INDEXES:
        schema_editor.execute(statement, None)
    schema_editor.execute("ANALYZE studio_search", None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_UNINSTALL, None)


class Migration(migrations.Migration):
    dependencies = [("directory", "0005_search_city_plan")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
