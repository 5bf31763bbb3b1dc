"""The OpenAPI schema: every /api/ route in it, Swagger UI offline, and a schemathesis run
over the whole schema — whatever endpoints it holds — as each kind of user (anonymous,
unverified, member, owner, admin, suspended), with every third case carrying a NUL and
every third a lone surrogate in each of its strings (and an extra body key / query
parameter, so operations without strings get one too); plus allauth's headless endpoints
fuzzed with the same characters. No 5xx anywhere (docs/security.md).

Bounded: a fixed seed (derandomize), EXAMPLES cases per operation, each sent as every role; two
minutes of CPU here (4.5 min wall on the shared 2-core box)."""

from __future__ import annotations

import itertools
import json
import re
from urllib.parse import quote, urlencode

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks

from tests.factories import StudioFactory, UserFactory
from tests.fakes.stripe import fake_stripe  # noqa: F401 - the fixture, for billing
from tests.utils import session_token_for

# Bounded so CI stays fast: cases per operation, each sent as all six roles.
EXAMPLES = 5
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
    # Every script, style sheet and link is served from this site: no other origin named.
    # (Not a search for "cdn": the random CSRF token in the page's script may spell it.)
    for url in re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)""", html):
        assert not url.startswith("//"), url
        assert "://" not in url, url
    assert not re.search(r"https?://", html)
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
def _offline(settings, request):
    """No network: unknown places are a 400, and billing talks to the local fake Stripe
    (unconfigured, checkout would answer 503 `billing_unavailable`, a server error the
    fuzz rightly refuses to take as an answer about the caller's input)."""
    settings.GEOCODER_ENABLED = False
    settings.SEARCH_CACHE_SECONDS = 0
    request.getfixturevalue("fake_stripe")


ROLES = ["anonymous", "unverified", "member", "owner", "admin", "suspended"]


@pytest.fixture
def role_headers(db) -> dict[str, dict[str, str]]:
    """role → X-Session-Token header of a user of that role (none when anonymous)."""
    from accounts.services.accounts import user_suspend

    users = {
        "unverified": UserFactory(email_verified=False),
        "member": UserFactory(),
        "owner": UserFactory(owner=True),
        "admin": UserFactory(admin=True),
        "suspended": UserFactory(),
    }
    StudioFactory(owner=users["owner"])
    user_suspend(user=users["suspended"], reason="fuzz")
    headers = {role: {"X-Session-Token": session_token_for(user)} for role, user in users.items()}
    return {"anonymous": {}, **headers}


# Every third case as generated, every third with a NUL, every third with a lone surrogate.
_VARIANTS = itertools.cycle(["plain", "\x00", "\ud800"])


def _poison_json(value, bad: str):
    if isinstance(value, str):
        return value + bad
    if isinstance(value, list):
        return [_poison_json(item, bad) for item in value]
    if isinstance(value, dict):
        return {key: _poison_json(item, bad) for key, item in value.items()}
    return value


def _send_poisoned(case, headers: dict[str, str], bad: str):
    """The case with `bad` in every string, and one more string where it can go, sent
    through Django's test client (schemathesis's transport cannot encode a lone
    surrogate; json.dumps writes it as the escape "\\ud800", as an attacker would).
    A lone surrogate goes only in the JSON body (a URL cannot carry one: its UTF-8 does
    not exist); a NUL goes in the body, the query and the string path parameters."""
    path_parameters = dict(case.path_parameters or {})
    query = dict(case.query or {})
    if bad == "\x00":
        path_parameters = {
            key: f"{value}{bad}" if isinstance(value, str) else value
            for key, value in path_parameters.items()
        }
        query = {**_poison_json(query, bad), "fuzz": bad}
    path = case.path
    for key, value in path_parameters.items():
        path = path.replace("{" + key + "}", quote(str(value), safe=""))
    if query:
        path += "?" + urlencode(query, doseq=True)
    kwargs = {}
    media = (case.media_type or "").split(";")[0]
    if media == "application/json" and isinstance(case.body, (dict, list, str)):
        body = _poison_json(case.body, bad)
        if isinstance(body, dict):
            body = {**body, "fuzz": bad}
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return Client(headers=headers).generic(case.method.upper(), path, **kwargs)


def _run(case, headers: dict[str, str]) -> None:
    variant = next(_VARIANTS)
    if variant == "plain":
        case.call_and_validate(headers=headers, checks=CHECKS)
        return
    response = _send_poisoned(case, headers, variant)
    # A refused input may be a 400 or a 404 the operation does not list: what holds for
    # these is "never a 5xx" and "always the JSON error shape".
    assert response.status_code < 500, (case.method, case.path, response.content[:300])
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json"), response.content[:300]
        assert set(response.json()["error"]) == {"code", "message", "fields"}


# One pytest item per operation, parametrized by its label: plain pytest parametrization, so
# pytest-xdist workers collect the same items (schemathesis's own `schema.parametrize()`
# collector collected a single, always-passing item under `-n 2`).
OPERATIONS = {
    operation.label: operation
    for operation in (result.ok() for result in schema.get_all_operations())
}
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


def test_the_fuzz_covers_every_operation(openapi):
    operations = {
        f"{method.upper()} {path}"
        for path, methods in openapi["paths"].items()
        for method in methods
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert len(OPERATIONS) > 50
    assert set(OPERATIONS) == operations


@pytest.mark.parametrize("label", sorted(OPERATIONS))
@pytest.mark.django_db
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def test_fuzz_as_each_role(label, role_headers, data):
    """Each generated case (schema-valid or not) is sent once as every role (so an
    operation whose inputs allow a single case still meets all six), as generated or
    poisoned in turn."""
    operation = OPERATIONS[label]
    case = data.draw(st.one_of([operation.as_strategy(generation_mode=mode) for mode in MODES]))
    assert list(role_headers) == ROLES
    for headers in role_headers.values():
        _run(case, headers)


# --- allauth's headless endpoints (not in our schema: they are allauth's) -----------------

HOSTILE_TEXT = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(codec=None, categories=None), max_size=30),  # surrogates too
    st.sampled_from(["\x00", "\ud800", "a\x00b", "\udfff\ud800", "x" * 5000]),
)
ALLAUTH_BODIES = {
    "auth/login": {"username": HOSTILE_TEXT, "password": HOSTILE_TEXT},
    "auth/signup": {
        "email": HOSTILE_TEXT,
        "username": HOSTILE_TEXT,
        "password": HOSTILE_TEXT,
    },
    "auth/password/request": {"email": HOSTILE_TEXT},
    "auth/password/reset": {"key": HOSTILE_TEXT, "password": HOSTILE_TEXT},
    "auth/email/verify": {"key": HOSTILE_TEXT},
}


@pytest.fixture
def demo_user(db):
    return UserFactory(username="demo", email="demo@example.com")


@pytest.mark.parametrize("client_kind", ["app", "browser"])
@pytest.mark.parametrize("endpoint", sorted(ALLAUTH_BODIES))
@pytest.mark.django_db
@hypothesis_settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def test_allauth_headless_endpoints_never_answer_5xx(
    client, settings, demo_user, client_kind, endpoint, data
):
    settings.ACCOUNT_RATE_LIMITS = False
    body = data.draw(st.fixed_dictionaries({}, optional=ALLAUTH_BODIES[endpoint]))
    response = client.post(
        f"/_allauth/{client_kind}/v1/{endpoint}",
        data=json.dumps(body),  # lone surrogates leave as "\ud800" escapes
        content_type="application/json",
    )
    assert response.status_code < 500, (body, response.content[:300])
