"""docs/data-model.md stays true to the code.

Every imported table's section lists exactly the model's columns with their type, NULL and
database default; every foreign key's delete rule, every constraint, every named index and
every enum value is written down. A change to a model without its line in the doc fails
here, with the line to add.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, models
from django.db.models.functions import Now

from tests.dbrules import enum_fields, legacy_models, model_id

DOC = Path(settings.BASE_DIR, "docs", "data-model.md")


def doc_text() -> str:
    return DOC.read_text()


def column_type(field: models.Field) -> str:
    return field.db_type(connection).replace("timestamp with time zone", "timestamptz")


def column_default(field: models.Field) -> str:
    value = field.db_default
    if value is models.NOT_PROVIDED:
        return ""
    if isinstance(value, Now):
        return "now()"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | dict):
        return f"'{json.dumps(value)}'"
    return f"'{value}'"


def column_cells(field: models.Field) -> list[str]:
    """The first four cells of the field's row in its table's section."""
    return [
        f"`{field.column}`",
        column_type(field),
        "NULL" if field.null else "NOT NULL",
        column_default(field),
    ]


def section(model: type[models.Model]) -> str:
    """The text under `### `<table>` — `<app.Model>``, up to the next heading."""
    heading = f"### `{model._meta.db_table}` — `{model._meta.label}`"
    text = doc_text()
    assert heading in text, f"docs/data-model.md lacks the heading: {heading}"
    body = text.split(heading, 1)[1]
    return re.split(r"\n#{2,3} ", body, maxsplit=1)[0]


def table_rows(text: str) -> dict[str, list[str]]:
    """Rows of the first Markdown table in text, by their first cell."""
    rows = {}
    for line in text.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows.setdefault(cells[0], cells)
    return rows


@pytest.mark.parametrize("model", legacy_models(), ids=model_id)
def test_every_column_is_documented_as_it_is(model):
    rows = table_rows(section(model))
    for field in model._meta.concrete_fields:
        expected = column_cells(field)
        assert rows.get(expected[0], [])[:4] == expected, (
            f"{model._meta.db_table}: the row should start with | {' | '.join(expected)} |"
        )


@pytest.mark.parametrize("model", legacy_models(), ids=model_id)
def test_no_column_is_documented_that_does_not_exist(model):
    columns = {f"`{f.column}`" for f in model._meta.concrete_fields}
    assert set(table_rows(section(model))) <= columns


def _foreign_keys():
    return [
        (model, field.name)
        for model in legacy_models()
        for field in model._meta.concrete_fields
        if field.is_relation
    ]


@pytest.mark.parametrize(
    ("model", "field"), _foreign_keys(), ids=lambda v: model_id(v) if isinstance(v, type) else v
)
def test_every_foreign_key_delete_rule_is_documented(model, field):
    f = model._meta.get_field(field)
    ref = f"`{model._meta.db_table}.{f.column}`"
    rule = f.remote_field.on_delete.__name__
    lines = [line for line in doc_text().splitlines() if line.startswith(f"| {ref}")]
    assert lines, f"docs/data-model.md: no row for {ref} in the delete rules"
    assert f"| {rule} |" in lines[0], f"{ref} is {rule} in the code"


def _named_rules():
    return [
        (model, item.name)
        for model in legacy_models()
        for item in (*model._meta.constraints, *model._meta.indexes)
    ]


@pytest.mark.parametrize(
    ("model", "name"), _named_rules(), ids=lambda v: model_id(v) if isinstance(v, type) else v
)
def test_every_constraint_and_index_is_documented(model, name):
    name = name % {"app_label": model._meta.app_label, "class": model._meta.model_name}
    assert f"`{name}`" in doc_text()


@pytest.mark.parametrize(
    ("model", "field"), enum_fields(), ids=lambda v: model_id(v) if isinstance(v, type) else v
)
def test_every_enum_is_documented_with_its_values(model, field):
    f = model._meta.get_field(field)
    ref = f"`{model._meta.db_table}.{f.column}`"
    lines = [line for line in doc_text().splitlines() if ref in line and line.startswith("| ")]
    assert lines, f"docs/data-model.md: no enum row mentions {ref}"
    assert any(all(f"`{value}`" in line for value in dict(f.choices)) for line in lines), (
        f"{ref}: values {list(dict(f.choices))}"
    )
