"""Helpers of the browser tests: real sessions for browsers, client options for pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from django.conf import settings

from tests.utils import session_key_for


def sign_in_with_cookie(context, user, base: str) -> None:
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_key_for(user), "url": base}]
    )


@contextmanager
def signed_in_pages(browser, page_errors, base: str, *users, viewport: dict) -> Iterator[list]:
    """One watched page per user, each in its own browser context signed in as that user;
    the contexts are closed afterwards."""
    contexts = []
    try:
        pages = []
        for user in users:
            contexts.append(browser.new_context(viewport=viewport))
            sign_in_with_cookie(contexts[-1], user, base)
            pages.append(page_errors.watch(contexts[-1].new_page()))
        yield pages
    finally:
        for context in contexts:
            context.close()


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
