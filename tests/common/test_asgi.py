"""common/asgi.py: Django's sync stack under ASGI, each request on one thread of its own,
threads reused between requests."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from asgiref.testing import ApplicationCommunicator
from django.core.signals import request_finished, request_started
from django.http import JsonResponse, StreamingHttpResponse
from django.urls import path

from common.asgi import PooledThreadASGIHandler

pytestmark = pytest.mark.urls("tests.common.test_asgi")

# What each request's sync work saw: the thread of each step, per request tag.
seen: dict[str, list[tuple[str, int]]] = {}
both_in_view = threading.Barrier(2, timeout=5)
release_slow_view = threading.Event()


def _note(request_or_tag, step: str) -> None:
    tag = request_or_tag if isinstance(request_or_tag, str) else request_or_tag.GET["tag"]
    seen.setdefault(tag, []).append((step, threading.get_ident()))


def thread_view(request):
    _note(request, "view")
    if request.GET.get("meet"):
        both_in_view.wait()  # two requests in their views at once, or a BrokenBarrierError
    if request.GET.get("slow"):
        release_slow_view.wait(timeout=10)
    return JsonResponse({"thread": threading.get_ident()})


def streaming_view(request):
    _note(request, "view")

    def chunks():
        for part in (b"one ", b"two"):
            _note(request, "chunk")
            yield part

    return StreamingHttpResponse(chunks(), content_type="text/plain")


def failing_view(request):
    _note(request, "view")
    raise RuntimeError("the view fails")


def broken_stream_view(request):
    _note(request, "view")

    def chunks():
        yield b"one "
        raise RuntimeError("the stream breaks")

    return StreamingHttpResponse(chunks(), content_type="text/plain")


urlpatterns = [
    path("thread", thread_view),
    path("stream", streaming_view),
    path("broken-stream", broken_stream_view),
    path("fail", failing_view),
]


@pytest.fixture(autouse=True)
def current_tag():
    """Notes each request's signals; the test sets the tag request_finished notes under."""
    seen.clear()
    release_slow_view.clear()
    both_in_view.reset()

    def started(sender, scope, **kwargs):
        _note(scope["query_string"].decode().split("tag=")[1].split("&")[0], "started")

    def finished(sender, **kwargs):
        _note(tag[0], "finished")

    tag = [""]
    request_started.connect(started)
    request_finished.connect(finished)
    yield tag
    request_started.disconnect(started)
    request_finished.disconnect(finished)


def _scope(query: str, path: str = "/thread") -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }


async def _request(handler, query: str, path: str = "/thread") -> tuple[int, bytes]:
    communicator = ApplicationCommunicator(handler, _scope(query, path))
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(10)
    body = b""
    while True:
        message = await communicator.receive_output(10)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await communicator.wait(10)
    return start["status"], body


async def _get(handler, query: str) -> tuple[int, dict]:
    status, body = await _request(handler, query)
    return status, json.loads(body)


def _steps_on_one_thread(tag: str) -> list[str]:
    """The steps a request's sync work took, asserted to have run on one thread."""
    assert len({ident for _, ident in seen[tag]}) == 1, seen[tag]
    return [step for step, _ in seen[tag]]


async def _until_in_view(tag: str) -> None:
    for _ in range(500):
        if any(step == "view" for step, _ in seen.get(tag, [])):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"request {tag} never reached its view")


async def _settled(handler: PooledThreadASGIHandler, idle: int) -> None:
    """The release of a request's thread happens just after its response: wait for it."""
    for _ in range(200):
        if len(handler._idle) == idle:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{len(handler._idle)} idle threads, expected {idle}")


async def test_the_chain_is_loaded_sync_as_under_wsgi():
    handler = PooledThreadASGIHandler()
    assert not asyncio.iscoroutinefunction(handler._middleware_chain)


async def test_each_request_runs_its_sync_work_on_one_thread_which_the_next_request_reuses(
    current_tag,
):
    handler = PooledThreadASGIHandler()
    loop_thread = threading.get_ident()
    threads = []
    for tag in ("first", "second"):
        current_tag[0] = tag
        status, body = await _get(handler, f"tag={tag}")
        assert status == 200
        assert _steps_on_one_thread(tag) == ["started", "view", "finished"]
        assert seen[tag][0][1] == body["thread"]  # the view's thread, for all of it
        assert body["thread"] != loop_thread
        threads.append(body["thread"])
        await _settled(handler, 1)
    assert threads[0] == threads[1]


async def test_requests_at_the_same_time_get_threads_of_their_own():
    handler = PooledThreadASGIHandler()
    # Each view waits for the other at a barrier: on one shared thread they would deadlock.
    results = await asyncio.gather(_get(handler, "tag=a&meet=1"), _get(handler, "tag=b&meet=1"))
    assert [status for status, _ in results] == [200, 200]
    assert results[0][1]["thread"] != results[1][1]["thread"]
    await _settled(handler, 2)


async def test_threads_above_the_idle_cap_end_after_their_request():
    handler = PooledThreadASGIHandler(idle_threads=1)
    results = await asyncio.gather(_get(handler, "tag=a&meet=1"), _get(handler, "tag=b&meet=1"))
    await _settled(handler, 1)
    used = {body["thread"] for _, body in results}
    for _ in range(200):  # the thread not kept ends on its own, just after its release
        alive = used & {thread.ident for thread in threading.enumerate()}
        if len(alive) == 1:
            break
        await asyncio.sleep(0.01)
    assert len(alive) == 1


async def test_a_thread_still_running_a_view_whose_request_was_cancelled_is_not_lent_out():
    handler = PooledThreadASGIHandler()
    abandoned = ApplicationCommunicator(handler, _scope("tag=gone&slow=1"))
    await abandoned.send_input({"type": "http.request", "body": b""})
    await _until_in_view("gone")
    busy_thread = seen["gone"][-1][1]
    # A server cancels the request (its client went away): the view goes on in its thread.
    abandoned.future.cancel()
    with pytest.raises(asyncio.CancelledError):
        await abandoned.future

    status, body = await _get(handler, "tag=next")
    assert status == 200
    assert body["thread"] != busy_thread  # served at once, by another thread

    release_slow_view.set()
    await _settled(handler, 2)  # the abandoned view's thread is back, once it has ended


@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators")
async def test_a_streamed_response_is_iterated_and_closed_on_the_request_s_thread(current_tag):
    handler = PooledThreadASGIHandler()
    current_tag[0] = "stream"
    assert await _request(handler, "tag=stream", "/stream") == (200, b"one two")
    assert _steps_on_one_thread("stream") == ["started", "view", "chunk", "chunk", "finished"]
    await _settled(handler, 1)


async def test_a_failing_view_is_a_500_and_its_thread_goes_back(current_tag):
    handler = PooledThreadASGIHandler()
    current_tag[0] = "fail"
    status, _body = await _request(handler, "tag=fail", "/fail")
    assert status == 500
    assert _steps_on_one_thread("fail") == ["started", "view", "finished"]
    await _settled(handler, 1)


async def test_a_client_that_hangs_up_gets_its_request_finished_on_its_thread_after_the_view(
    current_tag,
):
    handler = PooledThreadASGIHandler()
    current_tag[0] = "gone"
    abandoned = ApplicationCommunicator(handler, _scope("tag=gone&slow=1"))
    await abandoned.send_input({"type": "http.request", "body": b""})
    await _until_in_view("gone")
    await abandoned.send_input({"type": "http.disconnect"})
    await asyncio.sleep(0.1)
    assert [step for step, _ in seen["gone"]] == ["started", "view"]  # the view still runs
    release_slow_view.set()
    await abandoned.wait(10)
    # request_finished (closing the request's connections) on the view's thread, after it.
    assert _steps_on_one_thread("gone") == ["started", "view", "finished"]
    await _settled(handler, 1)


@pytest.fixture
def hops(monkeypatch):
    """How many times the handler hands work to a thread (asgiref's sync_to_async)."""
    import common.asgi

    calls = []
    real = common.asgi.sync_to_async

    def counted(func, *args, **kwargs):
        calls.append(getattr(func, "__name__", repr(func)))
        return real(func, *args, **kwargs)

    monkeypatch.setattr(common.asgi, "sync_to_async", counted)
    return calls


async def test_a_request_s_signals_chain_view_and_close_are_one_hop(current_tag, hops):
    handler = PooledThreadASGIHandler()
    current_tag[0] = "one"
    status, _body = await _get(handler, "tag=one")
    assert status == 200
    assert hops == ["_respond"]  # Django's own handle() takes three
    assert _steps_on_one_thread("one") == ["started", "view", "finished"]


@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators")
async def test_a_streamed_response_is_closed_in_a_second_hop_after_it_is_sent(current_tag, hops):
    handler = PooledThreadASGIHandler()
    current_tag[0] = "stream"
    assert await _request(handler, "tag=stream", "/stream") == (200, b"one two")
    assert hops == ["_respond", "close"]
    assert _steps_on_one_thread("stream") == ["started", "view", "chunk", "chunk", "finished"]


class _BusyThreadHandler(PooledThreadASGIHandler):
    """Its request's thread is still busy when the request arrives."""

    def __init__(self, busy: threading.Event) -> None:
        super().__init__()
        self.busy = busy

    def _take_thread(self):
        executor = super()._take_thread()
        executor.submit(self.busy.wait, 10)
        return executor


async def test_a_request_abandoned_before_its_sync_work_began_still_gets_request_finished(
    current_tag,
):
    busy = threading.Event()
    handler = _BusyThreadHandler(busy)
    current_tag[0] = "never"
    abandoned = ApplicationCommunicator(handler, _scope("tag=never"))
    await abandoned.send_input({"type": "http.request", "body": b""})
    await asyncio.sleep(0.1)
    await abandoned.send_input({"type": "http.disconnect"})
    await asyncio.sleep(0.1)
    busy.set()
    await abandoned.wait(10)
    # Its view never ran, nor request_started; request_finished (the connections' clean-up)
    # ran once, as Django's handler would have run it.
    assert _steps_on_one_thread("never") == ["finished"]
    await _settled(handler, 1)


async def test_a_request_finished_receiver_that_raises_fails_after_the_response_is_sent(
    current_tag,
):
    """As under Django's handler: the client has its response, then the error is raised."""

    def raising(sender, **kwargs):
        raise RuntimeError("a receiver fails")

    handler = PooledThreadASGIHandler()
    current_tag[0] = "receiver"
    request_finished.connect(raising)
    try:
        communicator = ApplicationCommunicator(handler, _scope("tag=receiver"))
        await communicator.send_input({"type": "http.request", "body": b""})
        start = await communicator.receive_output(10)
        body = await communicator.receive_output(10)
        with pytest.raises(RuntimeError, match="a receiver fails"):
            await communicator.wait(10)
    finally:
        request_finished.disconnect(raising)
    assert start["status"] == 200
    assert json.loads(body["body"])["thread"] == seen["receiver"][0][1]


@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators")
async def test_a_stream_that_breaks_while_sent_is_still_closed(current_tag):
    handler = PooledThreadASGIHandler()
    current_tag[0] = "broken"
    communicator = ApplicationCommunicator(handler, _scope("tag=broken", "/broken-stream"))
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(10)
    with pytest.raises(RuntimeError, match="the stream breaks"):
        await communicator.wait(10)
    assert start["status"] == 200
    # request_finished (the connections back to the pool) ran all the same, on its thread.
    assert _steps_on_one_thread("broken") == ["started", "view", "finished"]
    await _settled(handler, 1)
