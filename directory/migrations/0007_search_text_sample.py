"""The text plan's count sample as a table of its own (directory/search/text_plan.py).

0006 sampled the count from a partial GIN over studio_search (studio_id % 256 = 0): the
index finds the sampled matches at once, but each is then a visit to its studio_search
heap page — 2,310 scattered pages for `booth`. studio_search_sample holds the sampled
studios' vectors, flags and masks, about 3,200 rows at a million studios on a few hundred
pages of their own. Row triggers on studio_search keep it (only for sampled ids: a WHEN
clause, no function call for the others); the rebuild truncates it before re-deriving
studio_search, whose inserts refill it. PostgreSQL only; embedded mode has no text plan.
"""

from django.db import migrations

TEXT_SAMPLE_STRIDE = 256  # directory.search.text_plan.TEXT_SAMPLE_STRIDE, frozen here

PG_SQL = f"""
DROP INDEX IF EXISTS studio_search_text_sample_idx;
CREATE TABLE IF NOT EXISTS studio_search_sample (
    studio_id bigint PRIMARY KEY,
    is_premium boolean NOT NULL,
    is_verified boolean NOT NULL,
    has_images boolean NOT NULL,
    type_mask smallint NOT NULL,
    service_mask smallint NOT NULL,
    search_vector tsvector
);

CREATE OR REPLACE FUNCTION studio_search_sample_put() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO studio_search_sample AS s (studio_id, is_premium, is_verified, has_images,
                                           type_mask, service_mask, search_vector)
    VALUES (NEW.studio_id, NEW.is_premium, NEW.is_verified, NEW.has_images,
            NEW.type_mask, NEW.service_mask, NEW.search_vector)
    ON CONFLICT (studio_id) DO UPDATE SET
        is_premium = EXCLUDED.is_premium, is_verified = EXCLUDED.is_verified,
        has_images = EXCLUDED.has_images, type_mask = EXCLUDED.type_mask,
        service_mask = EXCLUDED.service_mask, search_vector = EXCLUDED.search_vector;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION studio_search_sample_drop() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM studio_search_sample WHERE studio_id = OLD.studio_id;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE TRIGGER studio_search_sample_put AFTER INSERT OR UPDATE ON studio_search
    FOR EACH ROW WHEN (NEW.studio_id % {TEXT_SAMPLE_STRIDE} = 0)
    EXECUTE FUNCTION studio_search_sample_put();
CREATE OR REPLACE TRIGGER studio_search_sample_drop AFTER DELETE ON studio_search
    FOR EACH ROW WHEN (OLD.studio_id % {TEXT_SAMPLE_STRIDE} = 0)
    EXECUTE FUNCTION studio_search_sample_drop();

INSERT INTO studio_search_sample (studio_id, is_premium, is_verified, has_images,
                                  type_mask, service_mask, search_vector)
SELECT studio_id, is_premium, is_verified, has_images, type_mask, service_mask, search_vector
  FROM studio_search WHERE studio_id % {TEXT_SAMPLE_STRIDE} = 0
    ON CONFLICT DO NOTHING;

CREATE INDEX IF NOT EXISTS studio_search_sample_vector_idx ON studio_search_sample
    USING gin (search_vector);
ANALYZE studio_search_sample;
"""  # noqa: S608 - constants only

PG_UNINSTALL = f"""
DROP TRIGGER IF EXISTS studio_search_sample_put ON studio_search;
DROP TRIGGER IF EXISTS studio_search_sample_drop ON studio_search;
DROP FUNCTION IF EXISTS studio_search_sample_put();
DROP FUNCTION IF EXISTS studio_search_sample_drop();
DROP TABLE IF EXISTS studio_search_sample;
CREATE INDEX IF NOT EXISTS studio_search_text_sample_idx ON studio_search
    USING gin (search_vector) WHERE studio_id % {TEXT_SAMPLE_STRIDE} = 0;
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
    dependencies = [("directory", "0006_search_text_plan")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
