"""Integer lookups with a value past any column's range (common/lookups.py): the rows a
comparison in Python gives, on PostgreSQL and on SQLite (embedded mode, a subprocess:
SQLite raised OverflowError, the admin answered 500), and the value never sent."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.common.lookup_cases import HUGE, admin_filter_status, build, run_cases
from tests.support.processes import run_embedded

pytestmark = pytest.mark.django_db


def _assert_cases(cases: list[dict]) -> None:
    for case in cases:
        assert case["got"] == case["expected"], case
    assert any(case["expected"][0] for case in cases)  # some match rows, some do not
    assert any(not case["expected"][0] for case in cases)


def test_postgresql_answers_by_the_rows_and_is_never_sent_the_value():
    build()
    with CaptureQueriesContext(connection) as queries:
        cases = run_cases()
    _assert_cases(cases)
    assert not [q["sql"] for q in queries.captured_queries if str(HUGE) in q["sql"]]


def test_the_admins_filter_with_a_value_past_64_bits_is_not_a_500():
    assert admin_filter_status() == 200


def test_sqlite_answers_by_the_rows(tmp_path):
    """Embedded mode for real: a subprocess migrates a fresh SQLite file, builds the rows,
    runs the same cases and the admin's filter."""
    embedded = run_embedded(
        "tests.common.lookup_cases", var_dir=tmp_path / "var", timeout=300, LOG_LEVEL="CRITICAL"
    )
    assert embedded.returncode == 0, embedded.stderr[-3000:]
    answers = json.loads(embedded.stdout)
    _assert_cases(answers["cases"])
    assert answers["admin"] == 200
