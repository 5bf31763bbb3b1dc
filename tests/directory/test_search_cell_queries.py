"""studio_search_cell_queries() (migration 0013: one regular expression per query, the
cells by plain replacement) gives what migration 0008's one regexp_replace() per cell
gave, for every kind of tsquery: prefixes, phrases, weights, negations, quotes and
backslashes in lexemes, lexemes past 500 characters, and a lexeme holding the marker."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

cell_vector = import_module("directory.migrations.0008_search_cell_vector")
template = import_module("directory.migrations.0013_search_cell_queries_template")

# Migration 0008's own patterns (not 0013's copies of them).
PATTERN_0008 = (
    f"CASE WHEN length(q::text) < {cell_vector.LEXEME_CHARS}"
    f" THEN $re${cell_vector.LEXEME_RE}$re$ ELSE $re${cell_vector.LONG_LEXEME_RE}$re$ END"
)
CELLS = ["205/-1", "-360/-720", "0/0", "12/345"]
QUERIES = [
    "'quiet' & ( 'fox' | 'foxglove' ) | 'quiet' & 'fox'",
    "'booth':*",
    "'quiet' <-> 'fox'",
    "'fox':AB & !'hound'",
    "'o''brien' & 'x\\\\y'",
    "'" + "b" * 600 + "' & 'short'",
    "'" + "a" * 260 + "''" + "c" * 300 + "':*",
    "'" + "d" * 240 + "\\\\" + "e" * 400 + "' | 'f\\\\g'",  # backslashes past 500 characters
    "'caf\u00e9' | '\u00fcber'",
]


def _both(query: str) -> tuple[list[str], list[str]]:
    """(the installed function's per-cell queries, 0008's regexp_replace() per cell)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT studio_search_cell_queries(q, %s)::text[],"  # noqa: S608
            f" ARRAY(SELECT regexp_replace(q::text, {PATTERN_0008},"
            " '''' || c || '/\\1''', 'g')::tsquery::text FROM unnest(%s::text[]) AS c)"
            " FROM (SELECT %s::tsquery AS q) x",
            [CELLS, CELLS, query],
        )
        return cursor.fetchone()


@pytest.mark.parametrize("query", QUERIES)
def test_the_cells_queries_are_the_regexp_per_cells(query):
    new, old = _both(query)
    assert new == old
    assert len(new) == len(CELLS)
    assert f"'{CELLS[1]}/" in new[1]
    assert "\x01" not in "".join(new)


def test_a_lexeme_holding_the_marker_takes_the_regexp_per_cell():
    """No parser makes one (it splits at control characters), but a cast can."""
    query = "'a\x01b' & 'c'"
    new, old = _both(query)
    assert new == old
    assert new[1] == "'-360/-720/a\x01b' & '-360/-720/c'"


def _source() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'studio_search_cell_queries'")
        return cursor.fetchone()[0]


def test_the_installed_function_is_0013s_and_its_way_back_is_0008s():
    """0013 installed; its uninstall puts back 0008's body (in this test's transaction,
    which rolls it back)."""
    assert "replace(t.marked, chr(1), c)" in _source()
    with connection.cursor() as cursor:
        cursor.execute(template.PG_UNINSTALL)
    restored = _source()
    assert "marked" not in restored
    body_0008 = cell_vector.PG_SQL.split("$fn$")[3]  # the second function's body
    assert "".join(restored.split()) == "".join(body_0008.split())
    for query in QUERIES:
        new, old = _both(query)
        assert new == old
