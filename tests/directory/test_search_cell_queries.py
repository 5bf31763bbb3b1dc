"""studio_search_cell_queries() (migration 0013: one regular expression per query, the
cells by plain replacement) gives what migration 0008's one regexp_replace() per cell
gave, for every kind of tsquery: prefixes, phrases, weights, negations, quotes and
backslashes in lexemes, lexemes past 500 characters, and a lexeme holding the marker."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.db import connection

migration = import_module("directory.migrations.0013_search_cell_queries_template")

pytestmark = pytest.mark.django_db

CELLS = ["205/-1", "-360/-720", "0/0", "12/345"]
QUERIES = [
    "'quiet' & ( 'fox' | 'foxglove' ) | 'quiet' & 'fox'",
    "'booth':*",
    "'quiet' <-> 'fox'",
    "'fox':AB & !'hound'",
    "'o''brien' & 'x\\\\y'",
    "'" + "b" * 600 + "' & 'short'",
    "'" + "a" * 260 + "''" + "c" * 300 + "':*",
    "'caf\u00e9' | '\u00fcber'",
]


def _both(query: str) -> tuple[list[str], list[str]]:
    """(the function's per-cell queries, 0008's: one regexp_replace() per cell), as text."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT studio_search_cell_queries(q, %s)::text[],"  # noqa: S608
            f" ARRAY(SELECT regexp_replace(q::text, {migration._PATTERN},"
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
    assert all(text.startswith(("'", "(", "!")) for text in new)
    assert f"'{CELLS[0]}/" in new[0]


def test_a_lexeme_holding_the_marker_takes_the_regexp_per_cell():
    """No parser makes one (it splits at control characters), but a cast can."""
    query = "'a\x01b' & 'c'"
    new, old = _both(query)
    assert new == old
    assert new[1] == "'-360/-720/a\x01b' & '-360/-720/c'"


def test_the_installed_function_is_the_one_regexp_per_query():
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'studio_search_cell_queries'")
        (source,) = cursor.fetchone()
    assert "replace(t.marked, chr(1), c)" in source
