"""The OpenAPI schema builds cleanly: no warnings, valid OpenAPI 3."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_schema_generates_without_warnings():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = out.getvalue()
    assert "X-Session-Token" in schema
    assert "UserProfileOutput" in schema  # nested serializers named after their view
