"""Browser tests: Debian's Chromium driven by playwright, against real Daphne processes.

`make test` installs Chromium (scripts/ensure-browser.sh); without it these tests fail,
they never skip. Daphne runs in services mode on the test database and the suite's Redis,
with a channel prefix of its own; people sign in with real sessions (the login page, or a
session made by Django's SessionStore and set as the browser's cookie).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tests.support.processes import daphne, free_port, service_env

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STATIC = Path(__file__).resolve().parents[2] / "frontend" / "static"


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module.

    Playwright's sync API keeps an asyncio loop running in this thread, which makes Django
    refuse ORM calls (SynchronousOnlyOperation) although the test itself is synchronous.
    DJANGO_ALLOW_ASYNC_UNSAFE lifts that check in this process while the browser is open,
    and only then (the Daphne processes never get it: see server_env()).
    """
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-up` (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class PageErrors(list):
    """Uncaught errors of a page; a test asserts there are none."""

    def watch(self, page):
        page.on("pageerror", lambda exc: self.append(str(exc)))
        return page


@pytest.fixture
def page_errors():
    errors = PageErrors()
    yield errors
    assert not errors, f"uncaught errors in the page: {errors}"


def database_url() -> str:
    """The test database (pytest-django's), for the Daphne processes."""
    db = settings.DATABASES["default"]
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


def server_env() -> dict[str, str]:
    env = service_env(
        DATABASE_URL=database_url(),
        REDIS_URL=settings.REDIS_URL,
        CHANNEL_LAYER_PREFIX=f"sf.fe.test.{uuid.uuid4().hex[:8]}",
        DJANGO_DEBUG="1",  # static files from the app folders (whitenoise), no collectstatic
        LOG_LEVEL="WARNING",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


class Servers:
    """Two Daphne processes on one database and one Redis; either can be killed and restarted."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.env = server_env()
        self.stack = contextlib.ExitStack()
        self.procs: list = [None, None]
        self.ports = [free_port(), free_port()]

    def start(self, i: int) -> None:
        proc, _base = self.stack.enter_context(
            daphne(env=self.env, tmp_path=self.tmp_path, port=self.ports[i])
        )
        self.procs[i] = proc

    def kill(self, i: int) -> None:
        self.procs[i].kill()

    def base(self, i: int) -> str:
        return f"http://127.0.0.1:{self.ports[i]}"

    def close(self) -> None:
        self.stack.close()


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker, tmp_path_factory):
    running = Servers(tmp_path_factory.mktemp("daphne"))
    try:
        running.start(0)
        running.start(1)
        yield running
    finally:
        running.close()
