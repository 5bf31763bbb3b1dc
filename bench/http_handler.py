"""Django's HTTP handler under ASGI, in process: what a request costs on top of the view.

    SERVICES_DATABASE_URL=… SERVICES_REDIS_URL=… \
        .venv/bin/python bench/http_handler.py [--requests 500] [PATH]

PATH (default `/healthz`: no database, no work in the view) is asked of three ASGI handlers
in turn, interleaved, with the project's settings and middleware: Django's stock
`ASGIHandler`; the same with the chain loaded sync and entered in one hop but a new thread
per request (the first half of common/asgi.py); `common.asgi.PooledThreadASGIHandler`
(both halves: threads reused); and `django.test.Client` (WSGI-style, no ASGI at all: the
floor). Reported: median and p95 in ms, and the thread hops (asgiref `sync_to_async` and
`async_to_sync` calls) per request. docs/benchmarks.md, "HTTP through one Daphne".
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search  # settings as the search benchmark's: services mode, DEBUG off
from asgiref import sync as asgiref_sync
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.test import Client

from common.asgi import PooledThreadASGIHandler

hops = {"sync_to_async": 0, "async_to_sync": 0}
_s2a, _a2s = asgiref_sync.SyncToAsync.__call__, asgiref_sync.AsyncToSync.__call__


async def _counted_s2a(self, *args, **kwargs):
    hops["sync_to_async"] += 1
    return await _s2a(self, *args, **kwargs)


def _counted_a2s(self, *args, **kwargs):
    hops["async_to_sync"] += 1
    return _a2s(self, *args, **kwargs)


asgiref_sync.SyncToAsync.__call__ = _counted_s2a
asgiref_sync.AsyncToSync.__call__ = _counted_a2s


class SyncChainASGIHandler(ASGIHandler):
    """The chain loaded sync and entered in one hop, on Django's new thread per request."""

    def __init__(self) -> None:
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await asgiref_sync.sync_to_async(self.get_response)(request)


def _scope(path: str) -> dict:
    """The keys of Daphne's scope that Django reads."""
    path, _, query = path.partition("?")
    headers = [(b"host", b"testserver")]
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query.encode(),
        "headers": headers,
    }


async def _one(app, path: str) -> float:
    sent: list[dict] = []
    request = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if request:
            return request.pop()
        await asyncio.Event().wait()  # no disconnect: Django cancels this once answered

    async def send(message):
        sent.append(message)

    start = time.perf_counter()
    await app(_scope(path), receive, send)
    elapsed = (time.perf_counter() - start) * 1000
    assert sent[0]["status"] == 200, sent[0]
    return elapsed


def _line(name: str, times: list[float], counted: dict[str, int] | None = None) -> str:
    times = sorted(times)
    median, p95 = statistics.median(times), search.percentile(times, 0.95)
    line = f"{name:34s} median {median:6.3f}  p95 {p95:6.3f} ms"
    if counted is not None:
        line += "  hops/request: " + ", ".join(
            f"{k} {v / len(times):.1f}" for k, v in counted.items()
        )
    return line


async def _asgi(handlers: dict, path: str, requests: int) -> dict:
    times = {name: [] for name in handlers}
    counted = {name: dict.fromkeys(hops, 0) for name in handlers}
    for app in handlers.values():  # warm: imports, URL resolution, first connections
        await _one(app, path)
    for _ in range(requests):
        for name, app in handlers.items():
            before = dict(hops)
            times[name].append(await _one(app, path))
            for key in hops:
                counted[name][key] += hops[key] - before[key]
    return {name: (times[name], counted[name]) for name in handlers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", default="/healthz")
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    handlers = {
        "Django's ASGIHandler": ASGIHandler(),
        "chain sync, a new thread a request": SyncChainASGIHandler(),
        "PooledThreadASGIHandler": PooledThreadASGIHandler(),
    }
    for name, (times, counted) in asyncio.run(_asgi(handlers, args.path, args.requests)).items():
        print(_line(name, times, counted))
    client = Client()
    client.get(args.path)
    times = []
    for _ in range(args.requests):
        start = time.perf_counter()
        assert client.get(args.path).status_code == 200
        times.append((time.perf_counter() - start) * 1000)
    print(_line("django.test.Client (no ASGI)", times))


if __name__ == "__main__":
    main()
