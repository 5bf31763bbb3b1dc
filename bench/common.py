"""Shared pieces of the realtime benchmarks: environment, seeding, servers, measurements.

Run with the services environment (`make bench` sets DATABASE_URL and REDIS_URL from
SERVICES_*). Servers run with DJANGO_DEBUG=0, as in production.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECRET_KEY = "studio-finder-benchmark-secret-not-for-production"  # noqa: S105

SERVER_ENV = {
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": SECRET_KEY,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "LOG_LEVEL": "WARNING",
}


def setup_django() -> None:
    """Same SECRET_KEY as the servers, so the sessions we write are valid there."""
    for key, value in SERVER_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        sys.exit("Set DATABASE_URL and REDIS_URL (make bench does it from SERVICES_*).")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def migrate() -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        check=True,
        env={**os.environ, **SERVER_ENV},
    )


def bench_users(count: int, prefix: str = "bench") -> list:
    """`count` members named <prefix>00001…, created once and reused across runs."""
    from django.contrib.auth import get_user_model

    from accounts.models import UserProfile
    from realtime.events import event_streams_create

    User = get_user_model()
    names = [f"{prefix}{i:05d}" for i in range(1, count + 1)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    missing = [n for n in names if n not in existing]
    if missing:
        created = User.objects.bulk_create(
            [
                User(
                    username=n,
                    email=f"{n}@bench.invalid",
                    display_name=n,
                    password="!unusable",  # noqa: S106
                    email_verified=True,
                )
                for n in missing
            ],
            batch_size=2000,
        )
        UserProfile.objects.bulk_create(
            [UserProfile(user=u) for u in created], batch_size=2000, ignore_conflicts=True
        )
        # What an account gets when it is made (bulk_create sends no post_save).
        event_streams_create(user_ids=[u.pk for u in created])
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    return [users[n] for n in names]


def sessions_for(users: list) -> list[str]:
    """A fresh logged-in session per user; the key is both the cookie and the app token."""
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    store = SessionStore()
    expire = timezone.now() + timedelta(days=1)
    rows, keys = [], []
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = store.encode(
            {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
        )
        rows.append(Session(session_key=key, session_data=data, expire_date=expire))
        keys.append(key)
    Session.objects.bulk_create(rows, batch_size=2000)
    return keys


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


def wait_warm(port: int, timeout: float = 60) -> None:
    """Wait out what our server builds as it starts (the place gazetteer, project/asgi.py),
    as a deploy's readiness check would: a radius search waits for that build. Another app
    answers it at once (404)."""
    import urllib.error
    import urllib.request

    url = f"http://127.0.0.1:{port}/api/studios/search?lat=51.5&lng=-0.1&radius=5"
    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.urlopen(url, timeout=timeout).close()


class Server:
    """One Daphne process (ours or the baseline)."""

    def __init__(
        self,
        app: str,
        *,
        env: dict | None = None,
        settings: str | None = None,
        launcher: tuple[str, ...] = ("-m", "daphne"),
    ) -> None:
        self.port = free_port()
        full_env = {**os.environ, **SERVER_ENV, **(env or {})}
        if settings:
            full_env["DJANGO_SETTINGS_MODULE"] = settings
        self.proc = subprocess.Popen(
            [sys.executable, *launcher, "-b", "127.0.0.1", "-p", str(self.port), app],
            cwd=ROOT,
            env=full_env,
            stdout=subprocess.DEVNULL,
        )

    def ready(self) -> Server:
        wait_port(self.port, self.proc)
        wait_warm(self.port)
        return self

    def rss_kib(self) -> int:
        return rss_kib(self.proc.pid)

    def cpu_seconds(self, *, reaped_children: bool = False) -> float:
        return cpu_seconds(self.proc.pid, reaped_children=reaped_children)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int, *, reaped_children: bool = False) -> float:
    """User + system CPU time a process has used so far (from /proc); with
    `reaped_children`, plus its reaped children's, as `wait4`'s rusage counts it."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def realtime_backends_cpu_seconds() -> float:
    """CPU used so far by the PostgreSQL backends of the sockets' pool (same machine only).

    The pool connects as `application_name = studio-finder-realtime` (realtime/db.py); its
    backends live as long as the Daphne processes, so read this before stopping them.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = 'studio-finder-realtime'"
        )
        pids = [row[0] for row in cursor.fetchall()]
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            total += cpu_seconds(pid)
    return total


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def run_id() -> str:
    return uuid.uuid4().hex[:8]


async def open_authenticated(port: int, key: str, sem):
    """A socket opened as a logged-in browser does (session cookie, Origin), once its
    `hello` has arrived; five tries a second apart, then None. `sem` bounds the handshakes
    in flight."""
    import asyncio
    import json

    from websockets.asyncio.client import connect

    async with sem:
        for _attempt in range(5):
            ws = None
            try:
                ws = await connect(
                    f"ws://127.0.0.1:{port}/ws/",
                    origin=f"http://127.0.0.1:{port}",
                    additional_headers={"Cookie": f"sessionid={key}"},
                    open_timeout=60,
                    ping_interval=None,
                )
                hello = json.loads(await asyncio.wait_for(ws.recv(), 60))
                assert hello["type"] == "hello"
                return ws
            except Exception:
                if ws is not None:  # opened, but no hello: do not leave it open
                    await ws.close()
                await asyncio.sleep(1)
    return None


async def until_set(event, poll: float = 0.2) -> None:
    """Return once a multiprocessing Event is set (it cannot be awaited)."""
    import asyncio

    while not event.is_set():
        await asyncio.sleep(poll)


def wait_opened(opened, total: int, procs: list, desc: str = "sockets") -> float:
    """Show a progress bar until `opened` (a shared counter) reaches `total`, every
    generator has exited, or 30 s pass without progress; the seconds it took."""
    from tqdm import tqdm

    started = last_progress = time.monotonic()
    best = 0
    with tqdm(total=total, desc=desc, unit="sock") as bar:
        while opened.value < total and any(p.is_alive() for p in procs):
            bar.update(max(0, opened.value - bar.n))
            time.sleep(0.5)
            if opened.value > best:
                best, last_progress = opened.value, time.monotonic()
            if time.monotonic() - last_progress > 30:  # the rest gave up after retries
                break
        bar.update(max(0, opened.value - bar.n))
    return time.monotonic() - started
