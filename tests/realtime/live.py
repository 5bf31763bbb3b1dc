"""Live realtime tests: Daphne servers, a private Redis, real WebSocket clients.

Each test starts what it needs on free ports and tears it down; a test that kills or
restarts Redis starts its own redis-server (the shared one is never touched). The
processes are started by tests/support/processes.py, the suite's one set of helpers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import tempfile
import time
import uuid
from pathlib import Path

from websockets.asyncio.client import connect

from tests.support.processes import (
    Process,
    daphne_command,
    free_port,
    live_database_url,
    redis_answers,
    redis_command,
    service_env,
    wait_listening,
    wait_until,
)


def _log_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="sf-live-"))


class Redis:
    """A private redis-server on a free port (so a test may kill and restart it on the
    same port)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = _log_dir()
        self.proc: Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = Process(
            redis_command(self.port, self.dir),
            env=dict(os.environ),
            log=self.dir / f"redis-{self.port}-{time.monotonic_ns()}.log",
        )
        wait_until(lambda: redis_answers(self.port), timeout=10, what=f"redis on {self.port}")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.stop()


class Daphne:
    """A Daphne process on a port of its own, or (`sock`) adopting a listening socket that
    several generations share, as a rolling deploy hands it over (docs/deployment.md);
    then `port` is a private one that tells when this process accepts."""

    def __init__(
        self,
        *,
        redis_url: str,
        prefix: str,
        extra_env: dict | None = None,
        sock: socket.socket | None = None,
    ) -> None:
        self.port = free_port()
        env = service_env(
            DATABASE_URL=live_database_url(),
            REDIS_URL=redis_url,
            CHANNEL_LAYER_PREFIX=prefix,
            DJANGO_DEBUG="1",
            LOG_LEVEL="WARNING",
            **(extra_env or {}),
        )
        command, fds = daphne_command(self.port), ()
        if sock is not None:
            fds = (sock.fileno(),)
            command[-1:-1] = ["-e", f"fd:fileno={sock.fileno()}"]
        self.proc = Process(
            command, env=env, log=_log_dir() / f"daphne-{self.port}.log", pass_fds=fds
        )

    def ready(self, timeout: float = 30.0) -> Daphne:
        wait_listening(self.port, self.proc, timeout=timeout)
        return self

    def sigkill(self) -> None:
        self.proc.kill(signal.SIGKILL)

    def stop(self) -> None:
        self.proc.stop()


def unique_prefix() -> str:
    return f"sf.rt.it.{uuid.uuid4().hex[:8]}"


class Client:
    """A real WebSocket client speaking the protocol; keeps every frame it received."""

    def __init__(self, port: int, session_key: str, *, use_token: bool = False) -> None:
        self.port, self.key, self.use_token = port, session_key, use_token
        self.ws = None
        self.frames: list[dict] = []
        self.last_event_id = 0
        self.hello: dict | None = None
        self.resuming = False
        self.dropped: list[int] = []  # overtaken or replayed again while resuming

    async def open(self, *, resume: bool = False) -> Client:
        headers = {} if self.use_token else {"Cookie": f"sessionid={self.key}"}
        self.ws = await connect(
            f"ws://127.0.0.1:{self.port}/ws/",
            origin=f"http://127.0.0.1:{self.port}",
            additional_headers=headers,
            open_timeout=10,
        )
        if self.use_token:
            await self.send({"type": "auth", "token": self.key})
        self.hello = json.loads(await asyncio.wait_for(self.ws.recv(), 10))
        assert self.hello["type"] == "hello", self.hello
        if resume:
            self.resuming = True
            await self.send({"type": "resume", "last_event_id": self.last_event_id})
        else:
            self.last_event_id = self.hello["last_event_id"]
        return self

    async def send(self, frame: dict) -> None:
        await self.ws.send(json.dumps(frame))

    async def recv(self, timeout: float = 5) -> dict:
        frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        if frame["type"] == "resumed":
            self.resuming = False
        elif (
            self.resuming
            and frame["type"] != "message.ack"
            and "event_id" in frame
            and frame["event_id"] != self.last_event_id + 1
        ):
            # A live event can overtake the replay on a socket that has not read our
            # `resume` yet: ahead of us it is a gap, and one we took as next comes again in
            # the replay. The protocol's client drops both; the replay keeps the order.
            self.dropped.append(frame["event_id"])
            return frame
        if "event_id" in frame and frame["type"] not in ("message.ack",):
            assert frame["event_id"] == self.last_event_id + 1, (frame, self.last_event_id)
            self.last_event_id = frame["event_id"]
        elif frame["type"] == "message.ack" and frame["event_id"] == self.last_event_id + 1:
            self.last_event_id = frame["event_id"]
        self.frames.append(frame)
        return frame

    async def recv_until(self, predicate, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            frame = await self.recv(max(0.05, deadline - time.monotonic()))
            if predicate(frame):
                return frame

    def messages(self) -> list[dict]:
        return [f["message"] for f in self.frames if f["type"] == "message.new"]

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
