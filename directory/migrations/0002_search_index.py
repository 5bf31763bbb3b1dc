# ruff: noqa: S608 - DDL assembled from constants in this file, no input
"""The search index: derived tables kept by database triggers (docs/search.md).

studio_search holds one row per listed studio; studio_search_facet (PostgreSQL only) one
row per (type, service) pair of a studio with coordinates. Triggers on every source table
refresh them in the same transaction as the change. A second set of triggers bumps the
search data version (the cache key of search pages) once per committing transaction.

The tables themselves are in 0001_initial (the models in directory/models/search.py);
this migration installs what keeps them filled. (No trigram index on name_key: the typo
fallback reads the vocabulary of 0003_search_words.)

The trigger SQL is written once and rendered for PostgreSQL (statement-level triggers
with transition tables, so a bulk insert refreshes in one pass) and for SQLite (row-level
triggers). The bit numbers below are frozen copies of directory/search/bits.py.
"""

from django.contrib.postgres.operations import BtreeGistExtension, CreateExtension, TrigramExtension
from django.db import migrations

TYPE_BITS = {"HOME": 0, "RECORDING": 1, "VO_COACH": 2, "EDITING": 3, "PODCAST": 4, "VOICEOVER": 5}
SERVICE_BITS = {
    "ISDN": 0,
    "SOURCE_CONNECT": 1,
    "SOURCE_CONNECT_NOW": 2,
    "CLEANFEED": 3,
    "SESSION_LINK_PRO": 4,
    "ZOOM": 5,
    "SKYPE": 6,
    "TEAMS": 7,
}
SEARCH_COLUMNS = (
    "name_key, city_key, latitude, longitude, is_premium, is_verified, has_images, type_mask, "
    "service_mask, review_count, rating_avg, studio_created_at, search_text, search_vector"
)
FACET_COLUMNS = "latitude, longitude, is_premium, is_verified, has_images"


def _cases(column, bits):
    whens = " ".join(f"WHEN '{value}' THEN {1 << bit}" for value, bit in bits.items())
    return f"CASE {column} {whens} ELSE 0 END"


PG_VECTOR = (
    "setweight(to_tsvector('simple', s.name), 'A')"
    " || setweight(to_tsvector('simple', u.display_name), 'B')"
    " || setweight(to_tsvector('simple', s.city), 'B')"
    " || setweight(to_tsvector('english', COALESCE(s.description, '')), 'C')"
)


def _row_select(id_match, *, postgres):
    """The studio_search row of each listed studio whose id matches."""
    if postgres:
        search_text = "NULL"
        search_vector = PG_VECTOR
    else:
        search_text = (
            "lower(s.name || ' ' || s.city || ' ' || u.display_name || ' '"
            " || COALESCE(s.description, ''))"
        )
        search_vector = "NULL"
    return f"""
        SELECT s.id, lower(s.name), lower(trim(s.city)),
               CAST(s.latitude AS DOUBLE PRECISION), CAST(s.longitude AS DOUBLE PRECISION),
               s.is_premium, s.is_verified,
               EXISTS (SELECT 1 FROM studio_images i WHERE i.studio_id = s.id),
               COALESCE((SELECT SUM({_cases("t.studio_type", TYPE_BITS)})
                           FROM studio_studio_types t WHERE t.studio_id = s.id), 0),
               COALESCE((SELECT SUM({_cases("v.service", SERVICE_BITS)})
                           FROM studio_services v WHERE v.studio_id = s.id), 0),
               (SELECT COUNT(*) FROM reviews r WHERE r.studio_id = s.id AND r.status = 'APPROVED'),
               (SELECT CAST(AVG(r.rating) AS DOUBLE PRECISION)
                  FROM reviews r WHERE r.studio_id = s.id AND r.status = 'APPROVED'),
               s.created_at, {search_text}, {search_vector}
          FROM studios s JOIN users u ON u.id = s.owner_id
         WHERE {id_match("s.id")} AND s.status = 'ACTIVE' AND s.is_profile_visible"""


# --- PostgreSQL -------------------------------------------------------------------------

_pg_ids = lambda column: f"{column} = ANY(ids)"  # noqa: E731

PG_REFRESH = f"""
CREATE OR REPLACE FUNCTION studio_search_refresh(ids bigint[], with_facets boolean)
RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    DELETE FROM studio_search ss
     WHERE ss.studio_id = ANY(ids)
       AND NOT EXISTS (SELECT 1 FROM studios s WHERE s.id = ss.studio_id
                          AND s.status = 'ACTIVE' AND s.is_profile_visible);
    INSERT INTO studio_search AS ss (studio_id, {SEARCH_COLUMNS})
    {_row_select(_pg_ids, postgres=True)}
    ON CONFLICT (studio_id) DO UPDATE
       SET ({SEARCH_COLUMNS}) = ROW({", ".join("excluded." + c.strip() for c in SEARCH_COLUMNS.split(","))})
     WHERE ({", ".join("ss." + c.strip() for c in SEARCH_COLUMNS.split(","))})
           IS DISTINCT FROM ({", ".join("excluded." + c.strip() for c in SEARCH_COLUMNS.split(","))});
    IF NOT with_facets THEN
        RETURN;
    END IF;
    DELETE FROM studio_search_facet f
     WHERE f.studio_id = ANY(ids)
       AND NOT EXISTS (SELECT 1 FROM studio_search ss
                        WHERE ss.studio_id = f.studio_id AND ss.latitude IS NOT NULL
                          AND (ss.type_mask & (1 << (f.facet / 16))) <> 0
                          AND (ss.service_mask & (1 << (f.facet % 16))) <> 0);
    INSERT INTO studio_search_facet AS f (studio_id, facet, {FACET_COLUMNS})
    SELECT ss.studio_id, (t.b * 16 + v.b)::smallint, ss.latitude, ss.longitude,
           ss.is_premium, ss.is_verified, ss.has_images
      FROM studio_search ss
           CROSS JOIN generate_series(0, 5) AS t(b)
           CROSS JOIN generate_series(0, 7) AS v(b)
     WHERE ss.studio_id = ANY(ids) AND ss.latitude IS NOT NULL
       AND (ss.type_mask & (1 << t.b)) <> 0 AND (ss.service_mask & (1 << v.b)) <> 0
    ON CONFLICT (studio_id, facet) DO UPDATE
       SET ({FACET_COLUMNS}) = ROW({", ".join("excluded." + c.strip() for c in FACET_COLUMNS.split(","))})
     WHERE ({", ".join("f." + c.strip() for c in FACET_COLUMNS.split(","))})
           IS DISTINCT FROM ({", ".join("excluded." + c.strip() for c in FACET_COLUMNS.split(","))});
END
$fn$;

CREATE OR REPLACE FUNCTION studio_search_on_studios() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM studio_search_refresh(ARRAY(SELECT id FROM old_rows), true);
    ELSE
        PERFORM studio_search_refresh(ARRAY(SELECT id FROM new_rows), true);
    END IF;
    RETURN NULL;
END
$fn$;

-- TG_ARGV[0]: whether the change can touch the facet rows (types, services, images: yes).
CREATE OR REPLACE FUNCTION studio_search_on_child() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM studio_search_refresh(ARRAY(SELECT DISTINCT studio_id FROM new_rows), TG_ARGV[0]::boolean);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM studio_search_refresh(ARRAY(SELECT DISTINCT studio_id FROM old_rows), TG_ARGV[0]::boolean);
    ELSE
        PERFORM studio_search_refresh(
            ARRAY(SELECT studio_id FROM new_rows UNION SELECT studio_id FROM old_rows),
            TG_ARGV[0]::boolean);
    END IF;
    RETURN NULL;
END
$fn$;

-- An owner's display name is part of their studios' text search.
CREATE OR REPLACE FUNCTION studio_search_on_users() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM studio_search_refresh(ARRAY(
        SELECT s.id FROM studios s
          JOIN new_rows n ON n.id = s.owner_id JOIN old_rows o ON o.id = n.id
         WHERE n.display_name IS DISTINCT FROM o.display_name), false);
    RETURN NULL;
END
$fn$;

-- The whole index at once, set-based (hash joins, not a subquery per studio): for bulk
-- loads that ran with these triggers disabled (seed_demo, restores).
CREATE OR REPLACE FUNCTION studio_search_rebuild() RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    listed bigint;
BEGIN
    TRUNCATE studio_search_facet, studio_search;
    INSERT INTO studio_search (studio_id, {SEARCH_COLUMNS})
    SELECT s.id, lower(s.name), lower(trim(s.city)),
           CAST(s.latitude AS DOUBLE PRECISION), CAST(s.longitude AS DOUBLE PRECISION),
           s.is_premium, s.is_verified, i.studio_id IS NOT NULL,
           COALESCE(t.mask, 0), COALESCE(v.mask, 0), COALESCE(r.n, 0), r.average,
           s.created_at, NULL, {PG_VECTOR}
      FROM studios s
      JOIN users u ON u.id = s.owner_id
      LEFT JOIN (SELECT studio_id, SUM({_cases("studio_type", TYPE_BITS)}) AS mask
                   FROM studio_studio_types GROUP BY studio_id) t ON t.studio_id = s.id
      LEFT JOIN (SELECT studio_id, SUM({_cases("service", SERVICE_BITS)}) AS mask
                   FROM studio_services GROUP BY studio_id) v ON v.studio_id = s.id
      LEFT JOIN (SELECT DISTINCT studio_id FROM studio_images) i ON i.studio_id = s.id
      LEFT JOIN (SELECT studio_id, COUNT(*) AS n, CAST(AVG(rating) AS DOUBLE PRECISION) AS average
                   FROM reviews WHERE status = 'APPROVED' GROUP BY studio_id) r ON r.studio_id = s.id
     WHERE s.status = 'ACTIVE' AND s.is_profile_visible;
    GET DIAGNOSTICS listed = ROW_COUNT;
    INSERT INTO studio_search_facet (studio_id, facet, {FACET_COLUMNS})
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

-- The search data version: bumped at commit (a deferred trigger), so a page cached under
-- the new version was computed from committed data. nextval() never waits on another
-- transaction, so concurrent writers do not queue on it.
CREATE SEQUENCE IF NOT EXISTS search_data_version;
CREATE OR REPLACE FUNCTION search_data_bump() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM nextval('search_data_version');
    RETURN NULL;
END
$fn$;
"""

CHILD_TABLES = {  # table -> whether it feeds the facet rows
    "studio_studio_types": True,
    "studio_services": True,
    "studio_images": True,
    "reviews": False,
}


def _pg_triggers():
    sql = []
    for op, ref in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    ):
        sql.append(
            f"CREATE TRIGGER studio_search_{op.lower()} AFTER {op} ON studios "
            f"REFERENCING {ref} FOR EACH STATEMENT EXECUTE FUNCTION studio_search_on_studios();"
        )
    for table, facets in CHILD_TABLES.items():
        for op, ref in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        ):
            sql.append(
                f"CREATE TRIGGER studio_search_{op.lower()} AFTER {op} ON {table} "
                f"REFERENCING {ref} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION studio_search_on_child('{str(facets).lower()}');"
            )
    sql.append(
        "CREATE TRIGGER studio_search_update AFTER UPDATE ON users "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION studio_search_on_users();"
    )
    for table in ("studios", *CHILD_TABLES):
        sql.append(
            f"CREATE CONSTRAINT TRIGGER search_data_bump AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION search_data_bump();"
        )
    sql.append(
        "CREATE CONSTRAINT TRIGGER search_data_bump AFTER UPDATE ON users "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ("
        "OLD.display_name IS DISTINCT FROM NEW.display_name OR OLD.username IS DISTINCT FROM "
        "NEW.username OR OLD.avatar_url IS DISTINCT FROM NEW.avatar_url) "
        "EXECUTE FUNCTION search_data_bump();"
    )
    sql.append(
        "CREATE CONSTRAINT TRIGGER search_data_bump AFTER UPDATE ON user_profiles "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ("
        "(OLD.short_about, OLD.show_address, OLD.use_coordinates_for_map, OLD.is_featured, "
        "OLD.is_spotlight) IS DISTINCT FROM (NEW.short_about, NEW.show_address, "
        "NEW.use_coordinates_for_map, NEW.is_featured, NEW.is_spotlight)) "
        "EXECUTE FUNCTION search_data_bump();"
    )
    return sql


PG_INDEXES = [
    # Radius search over all listed studios, answered from the index alone (every column a
    # radius query reads is in it: studio_id included, or each match costs a heap visit).
    "CREATE INDEX studio_search_earth_idx ON studio_search USING gist (ll_to_earth(latitude, longitude)) "
    "INCLUDE (studio_id, latitude, longitude, is_premium, is_verified, has_images, type_mask,"
    " service_mask) "
    "WHERE latitude IS NOT NULL",
    # Radius + type + service: one small spatial GiST per (type, service) pair, so a search
    # visits only studios that already match, in an index that holds nothing else.
    *(
        f"CREATE INDEX studio_search_facet_{t * 16 + v}_idx ON studio_search_facet "
        "USING gist (ll_to_earth(latitude, longitude)) "
        "INCLUDE (studio_id, latitude, longitude, is_premium, is_verified, has_images) "
        f"WHERE facet = {t * 16 + v}"
        for t in TYPE_BITS.values()
        for v in SERVICE_BITS.values()
    ),
    "CREATE INDEX studio_search_vector_idx ON studio_search USING gin (search_vector)",
    "CREATE INDEX studio_search_city_trgm_idx ON studio_search USING gin (city_key gin_trgm_ops)",
]

# --- SQLite -----------------------------------------------------------------------------


def _sqlite_refresh(ids):
    match = lambda column: f"{column} IN ({ids})"  # noqa: E731
    return f"""
        DELETE FROM studio_search WHERE studio_id IN ({ids}) AND studio_id NOT IN (
            SELECT id FROM studios WHERE id IN ({ids}) AND status = 'ACTIVE' AND is_profile_visible);
        INSERT OR REPLACE INTO studio_search (studio_id, {SEARCH_COLUMNS})
        {_row_select(match, postgres=False)};
        UPDATE search_data_state SET version = version + 1 WHERE id = 1;"""


def _sqlite_triggers():
    sql = [
        "CREATE TABLE search_data_state (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
        "INSERT INTO search_data_state (id, version) VALUES (1, 0)",
    ]

    def trigger(name, event, table, ids, when=""):
        sql.append(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW {when} "
            f"BEGIN {_sqlite_refresh(ids)} END"
        )

    trigger("studio_search_studios_ins", "INSERT", "studios", "NEW.id")
    trigger("studio_search_studios_upd", "UPDATE", "studios", "OLD.id, NEW.id")
    trigger("studio_search_studios_del", "DELETE", "studios", "OLD.id")
    for table in CHILD_TABLES:
        trigger(f"studio_search_{table}_ins", "INSERT", table, "NEW.studio_id")
        trigger(f"studio_search_{table}_upd", "UPDATE", table, "OLD.studio_id, NEW.studio_id")
        trigger(f"studio_search_{table}_del", "DELETE", table, "OLD.studio_id")
    trigger(
        "studio_search_users_upd",
        "UPDATE",
        "users",
        "SELECT id FROM studios WHERE owner_id = NEW.id",
        when="WHEN OLD.display_name IS NOT NEW.display_name OR OLD.username IS NOT NEW.username "
        "OR OLD.avatar_url IS NOT NEW.avatar_url",
    )
    sql.append(
        "CREATE TRIGGER search_data_profiles_upd AFTER UPDATE ON user_profiles FOR EACH ROW "
        "WHEN OLD.short_about IS NOT NEW.short_about OR OLD.show_address IS NOT NEW.show_address "
        "OR OLD.use_coordinates_for_map IS NOT NEW.use_coordinates_for_map "
        "OR OLD.is_featured IS NOT NEW.is_featured OR OLD.is_spotlight IS NOT NEW.is_spotlight "
        "BEGIN UPDATE search_data_state SET version = version + 1 WHERE id = 1; END"
    )
    return sql


def install(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(PG_REFRESH, None)
        for statement in _pg_triggers():
            schema_editor.execute(statement, None)
        # Existing studios (an upgraded database): index them all, then build the
        # indexes once over the filled tables.
        with connection.cursor() as cursor:
            cursor.execute("SELECT studio_search_rebuild()")
        for statement in PG_INDEXES:
            schema_editor.execute(statement, None)
    elif connection.vendor == "sqlite":
        for statement in _sqlite_triggers():
            schema_editor.execute(statement, None)
        match_all = lambda column: f"{column} IN (SELECT id FROM studios)"  # noqa: E731
        schema_editor.execute(
            f"INSERT OR REPLACE INTO studio_search (studio_id, {SEARCH_COLUMNS}) "
            + _row_select(match_all, postgres=False)
        )
    else:
        raise RuntimeError(f"Studio Finder runs on PostgreSQL or SQLite, not {connection.vendor}")


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
    ]

    operations = [
        CreateExtension("cube"),
        CreateExtension("earthdistance"),
        BtreeGistExtension(),
        TrigramExtension(),
        migrations.RunPython(install, migrations.RunPython.noop, elidable=False),
    ]
