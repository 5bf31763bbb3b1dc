"""Suite-wide setup: the suite runs on real PostgreSQL and Redis, or not at all."""

from __future__ import annotations

import time
from email import message_from_bytes

import pytest
from django.conf import settings

from tests.support import fast_flush
from tests.support.processes import (
    Process,
    celery_worker_command,
    free_port,
    live_database_url,
    service_env,
)

# The files that take longest (37–135 worker-seconds each on a 2-core machine, 2026-12-07),
# longest first, are handed to the xdist workers first: `--dist loadfile` deals files out in
# collection order, and a long file dealt out last keeps one worker busy after the others
# have finished.
LONGEST_FIRST = (
    "tests/test_authz_matrix.py",
    "tests/directory/test_search_radius_text.py",
    "tests/directory/test_search_text_plan.py",
    "tests/billing/test_worker.py",
    "tests/frontend/test_settings_pages.py",
    "tests/frontend/test_layout.py",
    "tests/common/test_openapi.py",
    "tests/project/test_admin.py",
    "tests/realtime/test_live.py",
    "tests/directory/test_seed_demo.py",
    "tests/project/test_modes.py",
    "tests/project/test_embedded_mode.py",
    "tests/directory/test_search_radius_text_places.py",
    "tests/frontend/test_billing.py",
    "tests/frontend/test_accessibility_desktop.py",
    "tests/frontend/test_dashboard.py",
    "tests/directory/test_search_knn.py",
    "tests/frontend/test_accessibility_phone.py",
    "tests/realtime/test_message_rules.py",
    "tests/directory/test_api_bad_input.py",
    "tests/frontend/test_reviews.py",
    "tests/directory/test_search_sqlite.py",
    "tests/frontend/test_realtime_client.py",
    "tests/frontend/test_search_page.py",
)


@pytest.hookimpl(trylast=True)  # after pytest-django's order, which each file keeps
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


def pytest_configure(config: pytest.Config) -> None:
    fast_flush.install()
    if not (settings.IS_POSTGRES and settings.REDIS_URL):
        pytest.exit(
            "The suite runs on PostgreSQL and Redis: run `make test`, or set DATABASE_URL "
            "(postgres://...) and REDIS_URL (redis://...).",
            returncode=2,
        )
    # Fast hashing for factories; bcrypt stays available for the legacy-import tests.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "accounts.hashers.LegacyBCryptPasswordHasher",
    ]


@pytest.fixture(scope="session", autouse=True)
def _close_pooled_connections(django_db_setup):
    """Hand the pool's connections back before the test database is dropped (else: "being
    accessed by other users" at teardown)."""
    yield
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.close()
        if getattr(conn, "pool", None) is not None:
            conn.close_pool()
    _end_stray_sessions(connections["default"].settings_dict)


def _end_stray_sessions(db: dict) -> None:
    """End what still holds the test database: a killed Daphne's or worker's backend that
    PostgreSQL has not reaped yet, or another event loop's pool."""
    import psycopg

    with psycopg.connect(
        dbname="postgres",
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        autocommit=True,
    ) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [db["NAME"]],
        )
        deadline = time.monotonic() + 10
        while (
            time.monotonic() < deadline
            and admin.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [db["NAME"]],
            ).fetchone()[0]
        ):
            time.sleep(0.05)


@pytest.fixture
def one_minute_window():
    """Budgets counted in fixed windows of a minute (the send budget, realtime/services/
    budget.py; the geocoder search budget, directory/api/search.py): a test of one starts
    early enough in a minute to finish inside it. Two failed in CI when their requests
    straddled a minute's end."""
    if time.time() % 60 > 45:
        time.sleep(60.1 - time.time() % 60)


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Each test starts with an empty cache (the test Redis database is the suite's own)."""
    from django.core.cache import cache

    cache.clear()
    return


@pytest.fixture
def outbox(transactional_db):
    """mail.outbox for code that emails through Celery after commit (common.mail).

    Needs a test that really commits (transactional_db) and runs the task in this process,
    so the message is in the outbox when the request returns.
    tests/tasks/test_email.py sends the same messages through a real worker and SMTP server.
    """
    from celery import current_app
    from django.core import mail

    conf = current_app.conf
    previous = conf.task_always_eager
    conf.task_always_eager = True
    try:
        yield mail.outbox
    finally:
        conf.task_always_eager = previous


# --- Email through a real worker and a real SMTP conversation ------------------------------


class Inbox:
    def __init__(self) -> None:
        self.messages = []
        self.refuse_once: set[str] = set()  # addresses answered "451 try again" once

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_once:
            self.refuse_once.discard(address)
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def wait(self, count: int, timeout: float = 30) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.messages


@pytest.fixture(scope="module")
def smtp():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture(scope="module")
def worker(smtp, django_db_setup, tmp_path_factory):
    _, port = smtp
    env = service_env(
        DATABASE_URL=live_database_url(),
        REDIS_URL=settings.REDIS_URL,
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
        REALTIME_UNREAD_EMAIL_DELAY="1",
        LOG_LEVEL="WARNING",
    )
    proc = Process(
        celery_worker_command(),
        env=env,
        log=tmp_path_factory.mktemp("worker") / "worker.log",
        killed_at_stop=True,
    )
    try:
        from celery import current_app

        from common.jobs import load_task_modules

        load_task_modules()
        result = current_app.tasks["tasks.system.ping"].delay("up")
        assert result.get(timeout=90) == "up", proc.output()
        yield proc
    finally:
        proc.stop()
