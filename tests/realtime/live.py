"""Real processes for integration tests: Daphne servers, a private Redis, real WebSocket clients.

Each test starts what it needs on free ports and tears it down; a test that kills or
restarts Redis starts its own redis-server (the shared one is never touched).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from websockets.asyncio.client import connect

from tests.support.processes import live_database_url

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


class Redis:
    """A private redis-server on a free port (so a test may kill and restart it)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        if not shutil.which("redis-server"):
            raise RuntimeError("redis-server is not installed (make services-up installs it)")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port(self.port, proc=self.proc)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Daphne:
    def __init__(self, *, redis_url: str, prefix: str, extra_env: dict | None = None) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": live_database_url(),
            "REDIS_URL": redis_url,
            "CHANNEL_LAYER_PREFIX": prefix,
            "DJANGO_DEBUG": "1",
            "LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "project.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def ready(self) -> Daphne:
        wait_port(self.port, proc=self.proc)
        return self

    def sigkill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


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
            await self.send({"type": "resume", "last_event_id": self.last_event_id})
        else:
            self.last_event_id = self.hello["last_event_id"]
        return self

    async def send(self, frame: dict) -> None:
        await self.ws.send(json.dumps(frame))

    async def recv(self, timeout: float = 5) -> dict:
        frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
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
