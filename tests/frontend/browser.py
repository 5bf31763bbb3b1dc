"""Helpers of the browser tests: real sessions for browsers, client options for pages."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings

from tests.utils import session_key_for


def sign_in_with_cookie(context, user, base: str) -> None:
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_key_for(user), "url": base}]
    )


def realtime_options(page, **options) -> None:
    """Adjust the client's timings for this page (docs/frontend.md: SF_REALTIME_OPTIONS)."""
    page.add_init_script(f"window.SF_REALTIME_OPTIONS = {json.dumps(options)};")


def in_thread(fn, /, *args, **kwargs):
    """Run a service in another thread and return its result.

    Services push events on commit through async_to_sync, which refuses to run in a thread
    with a running event loop, and playwright's sync API keeps one running in the test's
    thread. The other thread has its own database connection; the test's data is
    committed (transactional tests), so it sees it.
    """
    from django.db import connection

    def call():
        try:
            return fn(*args, **kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()
