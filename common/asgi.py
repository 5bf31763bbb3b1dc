"""Django's HTTP handler under ASGI, run as under WSGI: the sync stack on reused threads.

Why: every middleware here is sync (or both) and so is every view. Django's stock
`ASGIHandler` loads the stack in async mode, so one request crosses between the event loop
and a thread six times (the sync-only middleware at the bottom of the stack hands back to
the loop to resolve the view, which hands the view to a thread again), and it starts a new
thread for each request and another to join it (asgiref's `ThreadSensitiveContext`). In
process, `/healthz` took 1.6 ms that way against 0.25 ms through the test client
(docs/benchmarks.md, "HTTP through one Daphne").

Here the middleware chain is loaded sync, as `WSGIHandler` loads it, and a request's sync
work is one `sync_to_async`: `request_started`, the chain and the view, and — for a
response whose body is already in memory — `response.close()` (`request_finished`), where
Django's `handle()` takes three hops for them. A streamed response is closed after it is
sent, as Django does. All of it runs on one thread that no other request uses meanwhile
(the ORM's rule, as before), taken from a pool of single-thread executors (asgiref's
`ThreadSensitiveContext(executor=...)`) and given back afterwards. Reading the body, the
disconnect watch and sending the response are Django's own methods, unchanged.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix

logger = logging.getLogger(__name__)

# Threads kept between requests. A burst above it still gets a thread per request, as
# Django's handler gives; the extra threads end once their request has.
IDLE_REQUEST_THREADS = 16


@dataclasses.dataclass(slots=True)
class _RequestState:
    """What a request's sync work got to, for a request its client abandoned."""

    response: HttpResponseBase | None = None
    closed: bool = False  # response.close() called (request_finished sent)
    error: BaseException | None = None
    close_error: Exception | None = None


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

    async def handle(self, scope, receive, send) -> None:
        """Django's `ASGIHandler.handle`, with the request's sync work in one hop (`_respond`)."""
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        state = _RequestState()

        async def process_request() -> None:
            response = await sync_to_async(self._respond)(scope, body_file, state)
            try:
                with contextlib.suppress(asyncio.CancelledError):  # the client left meanwhile
                    await self.send_response(response, send)
            finally:
                if response.streaming:  # closed once sent (or once sending failed)
                    await sync_to_async(response.close)()
            if state.close_error is not None:
                raise state.close_error  # as under Django: after the response was sent

        # As Django: the disconnect watch beside the request, checked (and cancelled) first.
        tasks = [
            asyncio.create_task(self.listen_for_disconnect(receive)),
            asyncio.create_task(process_request()),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            if task.done():
                try:
                    task.result()
                except RequestAborted:
                    pass
                except AssertionError:
                    body_file.close()
                    raise
            else:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if tasks[1].cancelled():
            # Queued on the request's thread, so after `_respond` if that had started.
            await sync_to_async(self._finish_abandoned)(state)
        body_file.close()

    def _respond(self, scope, body_file, state: _RequestState) -> HttpResponseBase:
        try:
            signals.request_started.send(sender=self.__class__, scope=scope)
            request, response = self.create_request(scope, body_file)
            if request is not None:
                response = self.get_response(request)
                response._handler_class = self.__class__
                if isinstance(response, FileResponse):
                    response.block_size = self.chunk_size
            state.response = response
        except BaseException as error:
            state.error = error
            raise
        if not response.streaming:
            # Its body is in memory: request_finished now, on this thread. A receiver's
            # error is raised once the response has been sent, as Django raises it.
            state.closed = True
            try:
                response.close()
            except Exception as error:  # kept: raised once the response is sent
                state.close_error = error
        return response

    def _finish_abandoned(self, state: _RequestState) -> None:
        """A request whose client went away: what Django's `handle` would have finished."""
        if state.error is not None or state.close_error is not None:
            logger.error(
                "Request failed after its client went away",
                exc_info=state.error or state.close_error,
            )
        if state.closed:
            return
        if state.response is not None and state.response.streaming:
            state.response.close()
        else:  # its sync work never began, or failed before it had a response
            signals.request_finished.send(sender=self.__class__)

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
