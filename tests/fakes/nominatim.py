"""A small local HTTP server that answers like Nominatim's /search, for geopy to talk to.

It speaks the real protocol (GET /search?q=…&format=json&limit=1&addressdetails=1, a JSON
array of places with string "lat"/"lon" and an "address" object), records every request
with its arrival time and User-Agent, and can be told to fail the next requests with
given HTTP statuses, or to stall past the client's timeout.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.fakes import serve_in_thread

# Real places (coordinates as Nominatim returns them), keyed by a lower-case query.
PLACES: dict[str, dict] = {
    "10 downing street, london": {
        "lat": "51.50344025",
        "lon": "-0.12770820958562096",
        "display_name": "10 Downing Street, Westminster, London, SW1A 2AA, United Kingdom",
        "address": {
            "house_number": "10",
            "road": "Downing Street",
            "suburb": "Westminster",
            "city": "London",
            "postcode": "SW1A 2AA",
            "country": "United Kingdom",
            "country_code": "gb",
        },
    },
    "storgata 1, tromsø": {
        "lat": "69.6496",
        "lon": "18.9560",
        "display_name": "Storgata 1, Tromsø, Troms, Norway",
        "address": {
            "road": "Storgata",
            "town": "Tromsø",
            "county": "Troms",
            "country": "Norway",
            "country_code": "no",
        },
    },
    "victoria parade, suva": {
        "lat": "-18.1416",
        "lon": "178.4419",
        "display_name": "Victoria Parade, Suva, Central, Fiji",
        "address": {"road": "Victoria Parade", "city": "Suva", "country": "Fiji"},
    },
}


@dataclass
class Request:
    at: float  # time.monotonic() on arrival
    path: str
    params: dict[str, str]
    user_agent: str


@dataclass
class FakeNominatim:
    url: str = ""
    places: dict[str, dict] = field(default_factory=lambda: dict(PLACES))
    requests: list[Request] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)  # statuses for the next requests
    stall_seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, *statuses: int) -> None:
        with self.lock:
            self.failures.extend(statuses)

    def searches(self) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path == "/search"]

    def _answer(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(handler.path)
        params = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        with self.lock:
            self.requests.append(
                Request(time.monotonic(), parts.path, params, handler.headers.get("User-Agent"))
            )
            failure = self.failures.pop(0) if self.failures else None
        if self.stall_seconds:
            time.sleep(self.stall_seconds)
        if failure is not None:
            headers = {"Retry-After": "1"} if failure == 429 else {}
            return failure, headers, b"<html><body>Service unavailable</body></html>"
        if parts.path != "/search":
            return 404, {}, b"not found"
        if params.get("format") not in ("json", "jsonv2"):
            return 400, {}, b'{"error": "format"}'
        place = self.places.get(" ".join(params.get("q", "").split()).casefold())
        results = []
        if place is not None:
            result = {
                "place_id": 1,
                "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
                "osm_type": "way",
                "osm_id": 1,
                "class": "place",
                "type": "house",
                "importance": 0.5,
                "lat": place["lat"],
                "lon": place["lon"],
                "display_name": place["display_name"],
                "boundingbox": [place["lat"], place["lat"], place["lon"], place["lon"]],
            }
            if params.get("addressdetails") == "1":
                result["address"] = place["address"]
            results.append(result)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        return 200, headers, json.dumps(results).encode()


def _handler_for(fake: FakeNominatim):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, headers, body = fake._answer(self)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            try:
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up first (a geocoder timeout test): nothing to answer

        def log_message(self, format, *args):  # keep test output quiet
            return

    return Handler


def start(fake: FakeNominatim) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    serve_in_thread(server)
    return server


@pytest.fixture
def fake_nominatim(settings) -> Iterator[FakeNominatim]:
    """A running fake, with the geocoder settings pointed at it (fast rate limit)."""
    fake = FakeNominatim()
    server = start(fake)
    settings.GEOCODER_NOMINATIM_URL = fake.url
    settings.GEOCODER_USER_AGENT = "StudioFinderTests/1.0 (tests@example.com)"
    settings.GEOCODER_MIN_INTERVAL = 0.05
    settings.GEOCODER_TIMEOUT = 2.0
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
