"""The OpenAPI schema: every /api/ route in it, Swagger UI offline, and a schemathesis run
over the whole schema — whatever endpoints it holds — as a visitor and as an admin."""

from __future__ import annotations

import json
import re

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis import checks

from tests.factories import UserFactory

# Bounded so CI stays fast.
EXAMPLES = 15
# No 5xx, and every response as the schema says (status, content type, body, headers).
# Not positive_data_acceptance: OpenAPI cannot state our cross-field rules (lat with lng,
# a radius only with a centre), so some schema-valid requests are rightly a documented 400.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


def _api_routes() -> set[str]:
    """Every /api/ route of the URLconf, in OpenAPI's {param} spelling."""
    routes: set[str] = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/"):
                routes.add(
                    "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).lstrip("^").rstrip("$")
                )

    walk(get_resolver().url_patterns, "")
    return routes - {"/api/schema/", "/api/docs/"}


@pytest.fixture
def openapi(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_every_api_route_is_in_the_schema(openapi):
    routes = _api_routes()
    assert "/api/studios/search" in routes
    assert routes <= set(openapi["paths"]), routes - set(openapi["paths"])


def test_every_operation_documents_its_errors_in_the_one_shape(openapi):
    assert openapi["components"]["schemas"]["Error"]["properties"]["error"]
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            errors = [code for code in operation["responses"] if code.startswith("4")]
            assert "400" in errors, (method, path)


def test_swagger_ui_is_served_without_the_internet(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert (
        client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css").status_code
        == 200
    )


def _load_schema():
    """The schema as served, loaded at collection so each operation is its own test."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))
    loaded.app = _InTestWSGI()  # requests go through the whole Django stack, in-process
    return loaded


class _InTestWSGI:
    """Django's WSGI handler, without closing the database connection when a request
    starts and ends (as django.test.Client does): the test's transaction must survive."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            try:
                body = b"".join(response)
            finally:
                response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [body]


schema = _load_schema()


@pytest.fixture(autouse=True)
def _offline(settings):
    settings.GEOCODER_ENABLED = False  # no network; unknown places are a 400
    settings.SEARCH_CACHE_SECONDS = 0


@pytest.fixture
def admin_token(db, client):
    admin = UserFactory(admin=True)
    client.force_login(admin)
    return client.session.session_key


@schema.parametrize()
@pytest.mark.django_db
@hypothesis_settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzz_as_a_visitor(case):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@pytest.mark.django_db
@hypothesis_settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzz_as_an_admin(case, admin_token):
    case.call_and_validate(headers={"X-Session-Token": admin_token}, checks=CHECKS)
