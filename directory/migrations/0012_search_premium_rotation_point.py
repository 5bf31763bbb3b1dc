"""The premium tier around a centre, read in the day's rotation by slices.

Every radius search lists the premium studios in the circle first, in the day's rotation
(md5(id || seed)). The tier plan read all of them and sorted them: around London at a
million studios, 1,195 premium studios for a page of 20, with the distance test and the
md5 on each (3–4 ms of the page, where Berlin's 56 take 0.2 ms). This GiST indexes each
located premium studio as a four-dimensional point: its place on the earth (the three
axes of ll_to_earth, as the other GiST indexes) and, as a fourth axis, its stored
rotation key's first 32 bits scaled by 2^-10 (exact in float8, and on the scale of the
earth's axes, 0 to about 4.2 million, so the index's splits weigh both). A box around the
circle with the fourth axis cut to a slice [0, k] returns the premium studios of the
circle whose rotation comes before k's: the first slice that holds a page is read and
sorted, not the tier (directory/search/knn.py). The key itself is included: an index-only
scan needs every column of the indexed expression. The key is stored per studio for one seed
(migration 0006); the plan reads the slices only while the stored seed is the day's.
PostgreSQL only.
"""

from django.db import migrations

# directory.search.knn.ROTATION_AXIS, frozen here: the rotation key's first 32 bits × 2^-10.
ROTATION_AXIS = "('x' || left(rotation_key, 8))::bit(32)::bigint::float8 * 0.0009765625"

PG_SQL = f"""
CREATE INDEX IF NOT EXISTS studio_search_premium_rotation_idx ON studio_search
    USING gist (cube(ll_to_earth(latitude, longitude), {ROTATION_AXIS}))
    INCLUDE (studio_id, latitude, longitude, rotation_key, is_verified, has_images,
             type_mask, service_mask)
    WHERE is_premium AND latitude IS NOT NULL;
ANALYZE studio_search;
"""

PG_UNINSTALL = "DROP INDEX IF EXISTS studio_search_premium_rotation_idx;"


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_SQL, None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_UNINSTALL, None)


class Migration(migrations.Migration):
    dependencies = [("directory", "0011_search_nocoord_tier")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
