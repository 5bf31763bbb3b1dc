"""Browser tests: Debian's Chromium driven by playwright, against real Daphne processes.

`make test` installs Chromium (scripts/ensure-browser.sh); without it these tests fail,
they never skip. Daphne runs in services mode on the test database and the suite's Redis;
people sign in with real sessions (the login page, or a
session made by Django's SessionStore and set as the browser's cookie).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.fakes.nominatim import fake_nominatim  # noqa: F401 - the fixture, for these tests
from tests.support.module_data import transactional_tests
from tests.support.processes import (
    PYTHON,
    Process,
    free_port,
    http_get,
    live_database_url,
    service_env,
    wait_for_other_sessions_to_settle,
    wait_until,
)

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


@pytest.fixture(autouse=True)
def _servers_settle_before_the_flush(request):
    """A browser test's servers finish what the closed pages left them before the test
    database is flushed (wait_for_other_sessions_to_settle). Set up after pytest-django's
    database fixture, so torn down before it."""
    if request.node.get_closest_marker("django_db") is not None:
        request.getfixturevalue("_django_db_helper")
    yield
    if transactional_tests([request.node]):
        wait_for_other_sessions_to_settle()


class PageErrors(list):
    """Uncaught errors of a page; a test asserts there are none."""

    def watch(self, page):
        page.on("pageerror", lambda exc: self.append(str(exc)))
        # Anything the Content-Security-Policy refused (an inline script or style, a foreign
        # script) is an error of the page too.
        page.on(
            "console",
            lambda msg: (
                self.append(msg.text)
                if msg.type == "error" and "Content Security Policy" in msg.text
                else None
            ),
        )
        return page


@pytest.fixture
def page_errors():
    errors = PageErrors()
    yield errors
    assert not errors, f"uncaught errors in the page: {errors}"


def server_env(**overrides: str) -> dict[str, str]:
    """Services mode on the suite's database and Redis, and its CHANNEL_LAYER_PREFIX: events
    that the test process itself commits (notify(), message_send()) ring the browsers."""
    env = service_env(
        **overrides,
        DATABASE_URL=live_database_url(),
        REDIS_URL=settings.REDIS_URL,
        DJANGO_DEBUG="1",  # static files from the app folders (whitenoise), no collectstatic
        LOG_LEVEL="WARNING",
        MAP_TILE_URL="",  # offline: the search map draws its markers without tiles
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


class Servers:
    """Daphne processes on one database and one Redis, started together (a start costs
    seconds on a busy machine); any of them can be killed and started again on its port."""

    def __init__(self, tmp_path: Path, count: int) -> None:
        self.tmp_path = tmp_path
        self.ports = [free_port() for _ in range(count)]
        # Uploaded photos go to a temporary MEDIA_ROOT, and their URLs (SITE_URL + /media/…)
        # point at the first server, so the pages can show them (img-src 'self').
        self.env = server_env(SITE_URL=self.base(0), MEDIA_ROOT=str(tmp_path / "media"))
        self.procs: list[Process | None] = [None] * count

    def start(self, *indexes: int) -> None:
        for i in indexes:
            port = self.ports[i]
            self.procs[i] = Process(
                [PYTHON, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", str(port),
                 "project.asgi:application"],
                env=self.env,
                log=self.tmp_path / f"daphne-{port}-{time.monotonic_ns()}.log",
            )  # fmt: skip
        for i in indexes:
            wait_until(lambda i=i: self._ready(i), timeout=60, what=f"Daphne on {self.ports[i]}")
        for i in indexes:
            # A server builds its place gazetteer in a thread as it starts (1.6 s of CPU,
            # project/asgi.py): a radius search waits for that build, so the tests' first
            # requests don't share the process with it.
            status = http_get(
                f"{self.base(i)}/api/studios/search?lat=51.5&lng=-0.1&radius=5", timeout=60
            )[0]
            assert status == 200, status

    def _ready(self, i: int) -> bool:
        proc = self.procs[i]
        if not proc.alive():
            raise RuntimeError(f"Daphne exited early:\n{proc.output()}")
        try:
            return http_get(f"{self.base(i)}/healthz", timeout=1)[0] == 200
        except OSError:
            return False

    def kill(self, i: int) -> None:
        self.procs[i].kill()

    def base(self, i: int) -> str:
        return f"http://127.0.0.1:{self.ports[i]}"

    def stop(self) -> None:
        for proc in self.procs:
            if proc is not None:
                proc.stop()


@pytest.fixture(scope="session")
def servers(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two Daphne processes for all the browser tests of the session."""
    running = Servers(tmp_path_factory.mktemp("daphne"), count=2)
    try:
        running.start(0, 1)
        yield running
    finally:
        running.stop()
