"""Every writable text field of the API has a length limit, and it is the documented one.

Generated from the serializers: for every operation of the OpenAPI schema (drf-spectacular's
own endpoint list), its request serializer and its query-parameter serializers are walked,
nested serializers, lists and dicts included. Every writable CharField (URLField, EmailField,
RegexField, ... are CharFields) must have a max_length, and that max_length must be the
one the table "Length limits" of docs/security.md gives for it; where the legacy report
states a limit (reviews, messages, connection methods), the table must say that figure
and the source "legacy". A new field without a limit, or with one nobody wrote down,
fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

DOC = Path(settings.BASE_DIR) / "docs" / "security.md"

# The limits the legacy report states (spec/legacy-schema-report.md): review and response
# content 10–2000, message subject 5–200 and content 10–2000, connection methods VarChar 10.
LEGACY_LIMITS = {
    r"\.content$": 2000,
    r"\.subject$": 200,
    r"\.connection\d+$": 10,
    r"\.custom_connection_methods\[\]$": 10,
}


def _serializer_instances() -> Iterator[tuple[str, serializers.BaseSerializer]]:
    """(operation, serializer) for every request body and query-parameter serializer."""
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    for path, path_regex, method, callback in generator.endpoints:
        view = generator.create_view(callback, method)
        schema = view.schema
        schema.path, schema.path_regex, schema.method = path, path_regex, method
        found = [schema.get_request_serializer()]
        found += list(schema.get_override_parameters())
        for item in found:
            if isinstance(item, dict):  # {"multipart/form-data": Serializer}
                found.extend(item.values())
                continue
            if isinstance(item, type) and issubclass(item, serializers.BaseSerializer):
                item = item()
            if isinstance(item, serializers.BaseSerializer):
                yield f"{method} {path}", item


def _text_fields(field, name: str) -> Iterator[tuple[str, serializers.CharField]]:
    if getattr(field, "read_only", False):
        return
    if isinstance(field, serializers.ListSerializer):
        yield from _text_fields(field.child, f"{name}[]")
    elif isinstance(field, serializers.BaseSerializer):
        for child_name, child in field.fields.items():
            yield from _text_fields(child, f"{name}.{child_name}" if name else child_name)
    elif isinstance(field, (serializers.ListField, serializers.DictField)):
        yield from _text_fields(
            field.child, f"{name}[]" if isinstance(field, serializers.ListField) else f"{name}{{}}"
        )
    elif isinstance(field, serializers.CharField):
        yield name, field


def writable_text_fields() -> dict[str, int | None]:
    """`Serializer.field.path` → max_length, for every writable text field of the API."""
    fields: dict[str, int | None] = {}
    for _operation, serializer in _serializer_instances():
        owner = type(serializer).__qualname__
        for name, field in _text_fields(serializer, ""):
            fields[f"{owner}.{name}"] = field.max_length
    return fields


def documented_limits() -> dict[str, tuple[int, str]]:
    """The table under "## Length limits" in docs/security.md: field → (limit, source)."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Length limits", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| (\d+) \| (\w+) \|", section, flags=re.M)
    return {name: (int(limit), source) for name, limit, source in rows}


FIELDS = writable_text_fields()


def test_the_walk_finds_the_fields_of_issue_8():
    """The generator really reaches nested serializers, lists and query parameters."""
    assert FIELDS["UserProfileApi.InputSerializer.profile.about"] is not None
    assert "UserProfileApi.InputSerializer.profile.custom_connection_methods[]" in FIELDS
    assert "SearchParamsSerializer.location" in FIELDS
    assert "MessageCollectionApi.SendSerializer.content" in FIELDS
    assert len(FIELDS) > 40


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_every_writable_text_field_has_its_documented_limit(name):
    limit = FIELDS[name]
    assert limit is not None, f"{name} has no max_length"
    documented = documented_limits()
    assert name in documented, f"{name} (max_length={limit}) is missing from {DOC.name}"
    assert documented[name][0] == limit, (name, limit, documented[name])
    for pattern, legacy in LEGACY_LIMITS.items():
        if re.search(pattern, name):
            assert limit == legacy, f"{name}: the legacy report says {legacy}"
            assert documented[name][1] == "legacy", name


def test_the_table_lists_no_field_that_is_gone():
    assert set(documented_limits()) <= set(FIELDS), set(documented_limits()) - set(FIELDS)


def _table() -> str:  # pragma: no cover - prints the rows for docs/security.md
    def source(name: str) -> str:
        if any(re.search(p, name) for p in LEGACY_LIMITS):
            return "legacy"
        return "column" if ".profile." in name or "StudioWrite" in name else "project"

    return "\n".join(f"| `{n}` | {FIELDS[n]} | {source(n)} |" for n in sorted(FIELDS))
