"""This process's open sockets: one task closes idle ones and refreshes presence.

A socket registers when it connects and leaves when it closes. Every `tick` the sweeper
closes sockets silent for longer than the idle timeout (close_codes.IDLE) and, every
presence.PRESENCE_REFRESH seconds, renews the presence entries of the rest.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, Protocol


class Sweepable(Protocol):
    last_seen: float
    user: Any
    channel_name: str

    async def close_with(self, code: int) -> None: ...


class IdleSweeper:
    def __init__(
        self,
        *,
        idle_timeout: Callable[[], float],
        idle_code: int,
        refresh_every: float,
        refresh: Callable[[list[tuple[int, str]]], Awaitable[None]],
        spawn: Callable[[Awaitable[Any]], None],
    ) -> None:
        self.sockets: weakref.WeakSet[Sweepable] = weakref.WeakSet()
        self._idle_timeout = idle_timeout
        self._idle_code = idle_code
        self._refresh_every = refresh_every
        self._refresh = refresh
        self._spawn = spawn
        self.task: asyncio.Task | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def add(self, socket: Sweepable) -> None:
        self.sockets.add(socket)
        loop = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.loop is not loop:
            self.loop = loop
            self.task = loop.create_task(self._run())

    def discard(self, socket: Sweepable) -> None:
        self.sockets.discard(socket)

    def __contains__(self, socket: object) -> bool:
        return socket in self.sockets

    async def _run(self) -> None:
        last_refresh = time.monotonic()
        while self.sockets:
            timeout = self._idle_timeout()
            await asyncio.sleep(min(5.0, timeout / 4))
            now = time.monotonic()
            last_refresh = await self.sweep(now, last_refresh)

    async def sweep(self, now: float, last_refresh: float) -> float:
        """One pass: close the idle, refresh presence when due. Returns the refresh time."""
        timeout = self._idle_timeout()
        for socket in list(self.sockets):
            if now - socket.last_seen > timeout:
                self.sockets.discard(socket)
                self._spawn(socket.close_with(self._idle_code))
        if now - last_refresh >= self._refresh_every:
            await self._refresh(
                [(s.user.pk, s.channel_name) for s in list(self.sockets) if s.user is not None]
            )
            return now
        return last_refresh
