"""Every URL pattern × {anonymous, user, studio owner, admin, suspended user}.

The patterns come from the URLconf itself, so an endpoint added without an entry in
tests/authz_matrix.py fails `test_every_url_pattern_has_an_entry`. How to add one is
described at the top of that file and in docs/accounts.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import authz_matrix as matrix
from tests.factories import StudioFactory, UserFactory
from tests.support.module_data import built_for_the_module, for_the_test
from tests.utils import session_token_for


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or "path:<route>" for unnamed patterns
    name: str | None
    route: str
    kwarg_names: tuple[str, ...]

    def __str__(self) -> str:
        return self.key


def collect_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str | None) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace
                inner = f"{namespace}:{ns}" if namespace and ns else ns or namespace
                walk(pattern, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
                # Kwargs of enclosing resolvers (e.g. <provider_id> of openid_connect) too.
                kwargs = (*_regex_kwargs(prefix), *pattern.pattern.regex.groupindex)
                key = name or (f"{namespace}:path:{route}" if namespace else f"path:{route}")
                routes.append(Route(key, name, route, tuple(kwargs)))

    walk(get_resolver(), "", None)
    return routes


def _regex_kwargs(prefix: str) -> list[str]:
    """Argument names in a route prefix: `(?P<name>...)` and `<converter:name>`."""
    names = re.findall(r"\(\?P<(\w+)>", prefix) + re.findall(r"<(?:\w+:)?(\w+)>", prefix)
    return list(dict.fromkeys(names))


ROUTES = collect_routes()


def _rule_for(key: str):
    if key in matrix.MATRIX:
        return lambda route: matrix.MATRIX[key]
    for prefix, rule in matrix.PREFIX_RULES.items():
        if key.startswith(prefix):
            return rule
    return None


def test_route_keys_are_unique():
    seen: dict[str, str] = {}
    duplicates = []
    for route in ROUTES:
        if route.key in seen:
            duplicates.append(f"{route.key}: {seen[route.key]} and {route.route}")
        seen[route.key] = route.route
    assert not duplicates, "Give these URL patterns distinct names:\n" + "\n".join(duplicates)


def missing_entries(routes: list[Route]) -> list[str]:
    return [f"{r.key}  ({r.route})" for r in routes if _rule_for(r.key) is None]


def test_every_url_pattern_has_an_entry():
    missing = missing_entries(ROUTES)
    assert not missing, (
        "These URL patterns have no entry in tests/authz_matrix.py; add one saying what "
        "each persona gets (see the top of that file):\n  " + "\n  ".join(missing)
    )


def test_an_endpoint_without_an_entry_is_caught(monkeypatch):
    monkeypatch.delitem(matrix.MATRIX, "public-profile")
    new_api_route = Route("studio-future", "studio-future", "api/studios/<int:pk>/x", ("pk",))
    assert missing_entries([*ROUTES, new_api_route]) == [
        "public-profile  (api/profiles/<str:username>)",
        "studio-future  (api/studios/<int:pk>/x)",
    ]


def test_the_matrix_has_no_stale_entries():
    keys = {r.key for r in ROUTES}
    stale = sorted(set(matrix.MATRIX) - keys)
    assert not stale, f"Entries for URL names that no longer exist: {stale}"


# --- running the matrix -----------------------------------------------------------------


@pytest.fixture(scope="module")
def module_world(request, django_db_setup, django_db_blocker):
    """The people, their studio and their sessions, built once for the module
    (tests/support/module_data.py)."""
    yield from built_for_the_module(request, django_db_blocker, _build_world)


@pytest.fixture
def world(module_world, db) -> tuple[matrix.World, dict[str, str]]:
    """Each test's copy; what a check's setup adds is undone after the test."""
    return for_the_test(module_world)


def _build_world() -> tuple[matrix.World, dict[str, str]]:
    user = UserFactory(username="matrix_user")
    owner = UserFactory(username="matrix_owner", owner=True)
    studio = StudioFactory(owner=owner)
    admin = UserFactory(username="matrix_admin", admin=True)
    suspended = UserFactory(username="matrix_suspended")
    sessions = {
        persona: session_token_for(person)
        for persona, person in {
            "user": user,
            "owner": owner,
            "admin": admin,
            "suspended": suspended,
        }.items()
    }
    # Suspended after signing in: the session predates the suspension.
    suspended.is_suspended_indefinitely = True
    suspended.suspension_reason = "Authorization matrix"
    suspended.save()
    return matrix.World(user, owner, admin, suspended, studio), sessions


def _auth_modes(path: str, persona: str) -> list[str]:
    if persona == "anonymous":
        return ["none"]
    if path.startswith("/api/"):
        return ["token", "cookie"]
    if path.startswith("/_allauth/app/"):
        return ["token"]
    return ["cookie"]


def _client(mode: str, session_key: str | None) -> Client:
    if mode == "token":
        return Client(headers={"X-Session-Token": session_key})
    client = Client()
    if mode == "cookie":
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


def _url(route: Route, check: matrix.Check, world: matrix.World) -> str:
    kwargs = check.kwargs(world) if callable(check.kwargs) else dict(check.kwargs)
    if route.name:
        url = reverse(route.name, kwargs=kwargs or None)
    else:  # an unnamed pattern: fill its <converter:name> / (?P<name>...) parts in
        url = re.sub(r"\(\?P<(\w+)>[^()]*\)", lambda m: str(kwargs[m.group(1)]), route.route)
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), url)
        url = "/" + url.replace("^", "").replace("$", "")
        assert not re.search(r"[()<>\\]", url), f"cannot build a URL for {route.route}"
    return f"{url}?{check.query}" if check.query else url


def _request(client: Client, check: matrix.Check, url: str, world: matrix.World):
    data = check.data(world) if callable(check.data) else check.data
    if check.method in ("get", "head"):
        return getattr(client, check.method)(url)
    if check.content_type == matrix.FORM:
        body = urlencode(data or {})
    else:
        body = json.dumps(data) if data is not None else ""
    return getattr(client, check.method)(url, data=body, content_type=check.content_type)


def _describe(response) -> str:
    text = str(response.status_code)
    if response.status_code in (301, 302):
        text += f"→{response['Location']}"
    return text


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_authorization_matrix(route: Route, world):
    rule = _rule_for(route.key)
    if rule is None:
        pytest.fail(f"no entry for {route.key}: see test_every_url_pattern_has_an_entry")
    world, sessions = world
    failures = []
    for check in rule(route):
        if check.setup:
            check.setup(world)
        url = _url(route, check, world)
        for persona in matrix.PERSONAS:
            expected = check.expect[persona]
            for mode in _auth_modes(url, persona):
                client = _client(mode, sessions.get(persona))
                with transaction.atomic():
                    response = _request(client, check, url, world)
                    transaction.set_rollback(True)
                if not expected.matches(response):
                    failures.append(
                        f"{check.method.upper()} {url} as {persona} ({mode}): "
                        f"expected {expected!r}, got {_describe(response)}"
                    )
    assert not failures, "\n".join(failures)


# OPTIONS, and a method no view has (TRACE takes the same path through Django and DRF).
UNUSUAL_METHODS = ("OPTIONS", "PROPFIND")


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_every_route_answers_unusual_methods_without_a_server_error(route: Route, world):
    """Each route at the URL of its first check, as anonymous and as admin (both ways of
    signing in where there are two): any answer but a 5xx. OPTIONS /api/docs/ was a 500
    (DRF's metadata body through the Swagger page's template renderer)."""
    world, sessions = world
    check = _rule_for(route.key)(route)[0]
    if check.setup:
        check.setup(world)
    url = _url(route, check, world)
    failures = []
    for persona in ("anonymous", "admin"):
        for mode in _auth_modes(url, persona):
            client = _client(mode, sessions.get(persona))
            client.raise_request_exception = False  # the status is the check
            for method in UNUSUAL_METHODS:
                response = client.generic(method, url)
                if response.status_code >= 500:
                    failures.append(f"{method} {url} as {persona} ({mode}): {response.status_code}")
    assert not failures, "\n".join(failures)
