"""Helpers for tests that make PostgreSQL itself enforce a rule of the data model.

`refused(...)` asserts that the database (not Django validation) rejected a statement,
and that it was the named constraint that did it, so a test cannot pass because some
other rule happened to fire.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction

from common.models import LegacyIdModel

# The apps whose models are the data model of docs/data-model.md.
DOMAIN_APPS = ("accounts", "directory", "realtime", "billing", "moderation")

UNIQUE_VIOLATION = "23505"
CHECK_VIOLATION = "23514"
NOT_NULL_VIOLATION = "23502"
FOREIGN_KEY_VIOLATION = "23503"


def domain_models(app_label: str | None = None) -> list[type[models.Model]]:
    labels = (app_label,) if app_label else DOMAIN_APPS
    return [m for label in labels for m in apps.get_app_config(label).get_models()]


def legacy_models(app_label: str | None = None) -> list[type[models.Model]]:
    return [m for m in domain_models(app_label) if issubclass(m, LegacyIdModel)]


def enum_fields(app_label: str | None = None) -> list[tuple[type[models.Model], str]]:
    """Every (model, field) whose column holds a TextChoices enum."""
    return [
        (model, field.name)
        for model in domain_models(app_label)
        for field in model._meta.concrete_fields
        if field.choices and isinstance(field, models.CharField)
    ]


def model_id(value: Any) -> str:
    """Readable pytest ids: the model's table name."""
    if isinstance(value, type) and issubclass(value, models.Model):
        return value._meta.db_table
    return str(value)


class Refusal:
    """What the database said when it refused a statement (filled in on exit)."""

    sqlstate: str | None = None
    constraint: str | None = None
    column: str | None = None
    table: str | None = None


@contextlib.contextmanager
def refused(
    sqlstate: str, *, constraint: str | None = None, column: str | None = None
) -> Iterator[Refusal]:
    """Expect the block to be refused by PostgreSQL with this SQLSTATE (and constraint/column).

    The block runs in a savepoint with every constraint checked immediately (Django's
    foreign keys are DEFERRABLE INITIALLY DEFERRED), so the test transaction stays usable.
    """
    refusal = Refusal()
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():  # noqa: PT012
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        yield refusal
    diag = excinfo.value.__cause__.diag
    refusal.sqlstate = excinfo.value.__cause__.sqlstate
    refusal.constraint = diag.constraint_name
    refusal.column = diag.column_name
    refusal.table = diag.table_name
    assert refusal.sqlstate == sqlstate, excinfo.value
    if constraint is not None:
        assert refusal.constraint == constraint, excinfo.value
    if column is not None:
        assert refusal.column == column, excinfo.value


def raw_insert(table: str, **columns: Any) -> dict[str, Any]:
    """INSERT only these columns with plain SQL and return the whole stored row.

    What the database fills in by itself (defaults, timestamps) is what an importer using
    COPY, or a psql session, gets.
    """
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    values = f"({names}) VALUES ({marks})" if columns else "DEFAULT VALUES"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(table)} {values} RETURNING *",
            list(columns.values()),
        )
        row = cursor.fetchone()
        return dict(zip([c.name for c in cursor.description], row, strict=True))


def db_clock() -> tuple[Any, Any]:
    """(start of this transaction, this instant) by the database's clock.

    Django's Now() is STATEMENT_TIMESTAMP() on PostgreSQL, so a default written inside the
    test's transaction falls between the two.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT transaction_timestamp(), clock_timestamp()")
        return cursor.fetchone()


def explain(queryset: models.QuerySet) -> str:
    """The plan PostgreSQL would use when sequential scans are off.

    Tables in tests are tiny, so the planner would rightly scan them; with seq scans
    priced out, the plan shows whether an index can serve the query at all, and which.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()
