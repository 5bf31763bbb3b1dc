"""Request ids on every log line of a request, JSON logs for production, Sentry on a DSN."""

from __future__ import annotations

import gzip
import json
import subprocess
from http.server import BaseHTTPRequestHandler, HTTPServer

from tests.fakes import serve_in_thread
from tests.support.processes import PYTHON, ROOT, daphne, free_port, service_env, wait_until


def _get(base: str, path: str, request_id: str):
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{base}{path}", headers={"X-Request-ID": request_id})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers


def test_json_logs_carry_the_request_id_returned_in_the_header(tmp_path):
    env = service_env(LOG_FORMAT="json")
    with daphne(env=env, tmp_path=tmp_path) as (proc, base):
        status, headers = _get(base, "/api/no-such-endpoint", "req-4f1c2a")
        assert status == 404
        assert headers["X-Request-ID"] == "req-4f1c2a"

        status, headers = _get(base, "/healthz", "")
        generated = headers["X-Request-ID"]
        assert len(generated) == 32  # generated when the client sends none

        def request_lines():
            lines = [json.loads(line) for line in proc.output().splitlines() if line.strip()]
            return [line for line in lines if line.get("request_id") == "req-4f1c2a"]

        lines = wait_until(request_lines, timeout=10, what="the request's log lines")

    # Every line the process wrote is one JSON object (json.loads above would have failed).
    not_found = next(line for line in lines if line["logger"] == "django.request")
    assert not_found["level"] == "WARNING"
    assert "/api/no-such-endpoint" in not_found["message"]
    assert {"time", "level", "logger", "message", "request_id"} <= not_found.keys()


class _SentryIntake(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        type(self).received.append(self.path.encode() + b" " + body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_sentry_reports_errors_when_a_dsn_is_set():
    port = free_port()
    server = HTTPServer(("127.0.0.1", port), _SentryIntake)
    serve_in_thread(server)
    try:
        script = (
            "import django; django.setup();"
            "import sentry_sdk;"
            "sentry_sdk.capture_exception(RuntimeError('boom from the test'));"
            "sentry_sdk.flush(timeout=5)"
        )
        result = subprocess.run(
            [PYTHON, "-c", script],
            cwd=ROOT,
            env=service_env(SENTRY_DSN=f"http://publickey@127.0.0.1:{port}/42"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert _SentryIntake.received, "no envelope reached the local Sentry intake"
        path_and_body = b"".join(_SentryIntake.received)
        assert b"/api/42/envelope/" in path_and_body
        assert b"boom from the test" in path_and_body
    finally:
        server.shutdown()
