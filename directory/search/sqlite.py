"""What embedded mode's SQLite needs to search like PostgreSQL.

* `lower()` folds every character, as PostgreSQL's does (SQLite's built-in folds ASCII
  only), so studio_search.name_key / city_key, filled by the triggers, match on both.
* `sf_chord(lat1, lng1, lat2, lng2)`: the chord between two points, computed exactly as
  PostgreSQL's cube_distance(ll_to_earth(...), ll_to_earth(...)) (directory.geo).
"""

from __future__ import annotations

from ..geo import chord_between


def fold_case(value: str | None) -> str | None:
    """Per-character lower case: what PostgreSQL's lower() does (no context rules)."""
    if value is None:
        return None
    return "".join(ch if len(low := ch.lower()) != 1 else low for ch in value)


def _chord(lat1, lng1, lat2, lng2):
    if None in (lat1, lng1, lat2, lng2):
        return None
    return chord_between(float(lat1), float(lng1), float(lat2), float(lng2))


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_function("lower", 1, fold_case, deterministic=True)
    raw.create_function("sf_chord", 4, _chord, deterministic=True)
