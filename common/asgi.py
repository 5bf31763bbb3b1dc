"""Django's HTTP handler under ASGI, run as under WSGI: the sync stack on reused threads.

Why: every middleware here is sync (or both) and so is every view. Django's stock
`ASGIHandler` loads the stack in async mode, so one request crosses between the event loop
and a thread six times (the sync-only middleware at the bottom of the stack hands back to
the loop to resolve the view, which hands the view to a thread again), and it starts a new
thread for each request and another to join it (asgiref's `ThreadSensitiveContext`). In
process, `/healthz` took 1.6 ms that way against 0.25 ms through the test client
(docs/benchmarks.md, "HTTP through one Daphne").

Here the middleware chain is loaded sync, as `WSGIHandler` loads it, and entered with one
`sync_to_async`. Each request still runs all of its sync work — request signals, the chain,
the view, `response.close()` — on one thread that no other request uses meanwhile (the
ORM's rule, as before), but that thread is taken from a pool of single-thread executors
(asgiref's `ThreadSensitiveContext(executor=...)`) and goes back to it afterwards. Request
parsing, the disconnect watch and sending the response are Django's own code, unchanged.
"""

from __future__ import annotations

import collections
import threading
from concurrent.futures import ThreadPoolExecutor

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest, HttpResponseBase

# Threads kept between requests. A burst above it still gets a thread per request, as
# Django's handler gives; the extra threads end once their request has.
IDLE_REQUEST_THREADS = 16


def _nothing() -> None:
    """Queued behind a request's work: its completion says the thread is free."""


class PooledThreadASGIHandler(ASGIHandler):
    """`ASGIHandler` with a sync middleware chain and a pool of per-request threads."""

    def __init__(self, *, idle_threads: int = IDLE_REQUEST_THREADS) -> None:
        BaseHandler.__init__(self)  # not ASGIHandler.__init__: it loads the chain async
        self.load_middleware(is_async=False)
        self.idle_threads = idle_threads
        self._idle: collections.deque[ThreadPoolExecutor] = collections.deque()
        self._lock = threading.Lock()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self._take_thread()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self._release_thread(executor)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        # The whole chain and the view in one hop, on the request's own thread.
        return await sync_to_async(self.get_response)(request)

    def _take_thread(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="http-request")

    def _release_thread(self, executor: ThreadPoolExecutor) -> None:
        # A view whose client hung up may still be running on the thread (Django stops
        # awaiting it, the thread goes on): the thread is reused only once that has ended.
        executor.submit(_nothing).add_done_callback(lambda _: self._keep_or_end(executor))

    def _keep_or_end(self, executor: ThreadPoolExecutor) -> None:
        with self._lock:
            if len(self._idle) < self.idle_threads:
                self._idle.append(executor)
                return
        executor.shutdown(wait=False)


def get_asgi_application() -> PooledThreadASGIHandler:
    """`django.core.asgi.get_asgi_application`, with the pooled handler."""
    django.setup(set_prefix=False)
    return PooledThreadASGIHandler()
