"""Real processes for integration tests: free ports, servers we start and stop ourselves.

The one set of process helpers of the suite: tests/realtime/live.py, tests/conftest.py and
the project, frontend and task tests all start their Daphne, Redis and Celery processes
through these.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def live_database_url() -> str:
    """The test database as a URL, for the processes the tests start."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float = 20.0, interval: float = 0.1, what: str = "it"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


def wait_for_other_sessions_to_settle(*, quiet_polls: int = 2, timeout: float = 10.0) -> None:
    """Until no other session on the test database is running a statement or holding a
    transaction open, `quiet_polls` times in a row.

    A transactional test's teardown locks every table to empty it (tests/support/fast_flush.py,
    or Django's TRUNCATE); a request that a server the test started is still serving (a read
    receipt sent as the browser closed) holds locks on some of them and wants others, and
    PostgreSQL breaks the deadlock by failing one side, often the flush. Past `timeout` the
    flush goes ahead as before, with a warning.
    """
    from django.db import connection

    deadline, quiet = time.monotonic() + timeout, 0
    while quiet < quiet_polls and time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                " AND state IS NOT NULL AND state <> 'idle'"
            )
            busy = cursor.fetchone()[0]
        quiet = 0 if busy else quiet + 1
        if quiet < quiet_polls:
            time.sleep(0.05)
    if quiet < quiet_polls:
        warnings.warn(
            f"other sessions still busy on the test database after {timeout}s", stacklevel=2
        )


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Host": "127.0.0.1"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
        return True
    return False


def wait_listening(port: int, proc: Process, *, timeout: float = 30.0) -> None:
    """Until something accepts connections on the port; fails at once if `proc` exits."""
    wait_until(
        lambda: listening(port) or (not proc.alive() and _raise(proc)),
        timeout=timeout,
        what=f"a listener on {port}",
    )


def daphne_command(port: int) -> list[str]:
    return [
        PYTHON,
        "-m",
        "daphne",
        "-v",
        "0",
        "-b",
        "127.0.0.1",
        "-p",
        str(port),
        "project.asgi:application",
    ]


def redis_command(port: int, directory: Path) -> list[str]:
    binary = shutil.which("redis-server")
    assert binary, "redis-server is required (make test installs it)"
    return [
        binary,
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(directory),
    ]


def celery_worker_command(*extra: str, pool: str = "solo", loglevel: str = "WARNING") -> list[str]:
    """A Celery worker of the project (no gossip, mingle or heartbeat: quick to start)."""
    return [
        PYTHON,
        "-m",
        "celery",
        "-A",
        "project",
        "worker",
        f"--pool={pool}",
        f"--loglevel={loglevel}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        *extra,
    ]


def _answers(url: str) -> bool:
    try:
        http_get(url, timeout=1)
    except OSError:
        return False
    return True


class Process:
    """A child process whose output is kept in a file, shown when a test fails.

    With `killed_at_stop`, the process and every child it forks run in a process group of
    their own, and stop() SIGKILLs the group: for a test whose assertions are over before
    teardown, a Celery prefork worker's warm shutdown (2–3 s of polling on this machine)
    buys nothing. Its database sessions end with their sockets."""

    def __init__(
        self,
        args: list[str],
        *,
        env: dict[str, str],
        log: Path,
        cwd: Path = ROOT,
        pass_fds: tuple[int, ...] = (),
        killed_at_stop: bool = False,
    ):
        self.log = log
        self.killed_at_stop = killed_at_stop
        self._log_file = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            pass_fds=pass_fds,
            start_new_session=killed_at_stop,
        )

    def output(self) -> str:
        self._log_file.flush()
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.alive():
            self.popen.send_signal(sig)
            self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.killed_at_stop:
            with contextlib.suppress(ProcessLookupError):  # the group's every process gone
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()
        elif self.alive():
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._log_file.close()


def service_env(**overrides: str) -> dict[str, str]:
    """The test process's environment (services mode), plus overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(overrides)
    return env


def run_python(script: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -c script` in a fresh interpreter, in the project, with the services' env."""
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        env=service_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_embedded(module: str, *args: str, var_dir: Path, timeout: float = 600, **env: str):
    """`python -m module args` in embedded mode (SQLite under `var_dir`: no DATABASE_URL,
    no REDIS_URL), in the project, no geocoder; `env` added."""
    return subprocess.run(
        [PYTHON, "-m", module, *args],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "project.settings",
            "GEOCODER_ENABLED": "0",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@contextlib.contextmanager
def daphne(
    *, env: dict[str, str], tmp_path: Path, port: int | None = None
) -> Iterator[tuple[Process, str]]:
    """Serve project.asgi with Daphne on a free port; yields (process, base URL)."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    proc = Process(daphne_command(port), env=env, log=tmp_path / f"daphne-{port}.log")
    try:
        wait_until(
            lambda: _answers(f"{base}/healthz") or (not proc.alive() and _raise(proc)),
            timeout=30,
            what=f"Daphne on {port}",
        )
        yield proc, base
    finally:
        proc.stop()


def _raise(proc: Process):
    raise RuntimeError(f"process exited early:\n{proc.output()}")


def redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def redis_server(tmp_path: Path) -> Iterator[tuple[Process, str]]:
    """A private Redis on a free port, so a test may kill it without touching the shared one."""
    port = free_port()
    proc = Process(
        redis_command(port, tmp_path), env=dict(os.environ), log=tmp_path / f"redis-{port}.log"
    )

    try:
        wait_until(lambda: redis_answers(port), timeout=10, what=f"redis on {port}")
        yield proc, f"redis://127.0.0.1:{port}/0"
    finally:
        proc.stop()
