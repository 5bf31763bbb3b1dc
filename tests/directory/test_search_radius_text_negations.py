"""Negations take the earth box, not the cell index: websearch_to_tsquery() reads `-word`
after a space, a bracket or `|` — `(-sound)` is `!'sound'` — and a per-cell query with
`!'<cell>/sound'` matches every located studio of every cell (759,023 rows, 26 s at a
million studios around London within 60 miles, before the distance test; found in
review)."""

from __future__ import annotations

import pytest
from django.db import connection

from directory.search.parameters import Centre, SearchParams
from directory.search.radius_text import circle_cells
from directory.search.text import text_query
from tests.directory.search_data import CITIES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("q", ["(-sound)", "booth (-sound", "booth|-sound", "booth,(-sound)"])
def test_no_cells_for_a_negation_websearch_reads(q):
    text = text_query(q)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({text.tsquery_sql})::text", text.tsquery_params)
        assert "!" in cursor.fetchone()[0]  # PostgreSQL reads a negation
    centre = Centre(*CITIES["London"], 10, None)
    assert circle_cells(SearchParams(q=q), centre) is None
