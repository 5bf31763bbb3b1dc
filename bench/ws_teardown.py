"""How long a Daphne process holding N idle sockets takes to go away after SIGTERM, and
the CPU it spends doing so — the old processes' share of a deploy's reconnect storm.

Each round starts one Daphne per mode, opens N authenticated sockets on it (cookie, `hello`
received, a ping every 25 s as clients do), lets it settle, then sends SIGTERM and reads:

* `all_closed_s`: until the last client saw its socket closed;
* `exited_s`: until the process was reaped;
* `teardown_cpu_s`: the process's CPU from the SIGTERM to its exit (from `wait4`'s rusage,
  less what it had used before the signal, counted the same way), and that per socket.

Modes:

* `frozen`: the server as it runs in production (realtime/daphne.py freezes the heap once
  the reactor has stopped, so the interpreter's last collection skips it);
* `gc-at-exit`: the same server with an exit handler that calls `gc.unfreeze()` after every
  other exit handler, so the interpreter's last collection walks the whole heap again, as
  it did before the freeze (a comparison in one run, without checking out older code).

    flock /tmp/sf-bench.lock .venv/bin/python bench/ws_teardown.py --sockets 5000 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import random
import signal
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    ROOT,
    Server,
    bench_users,
    migrate,
    open_authenticated,
    run_id,
    sessions_for,
    setup_django,
    until_set,
    wait_opened,
)

# `python -c` runs Daphne's own entry point, with gc.unfreeze() registered first, so it
# runs last among the exit handlers (they run in reverse order of registration).
GC_AT_EXIT_LAUNCHER = (
    "-c",
    "import atexit, gc; atexit.register(gc.unfreeze); "
    "from daphne.cli import CommandLineInterface; CommandLineInterface.entrypoint()",
)
LAUNCHERS = {"frozen": ("-m", "daphne"), "gc-at-exit": GC_AT_EXIT_LAUNCHER}


async def _hold(port: int, keys: list[str], opened, closed, last_close, release) -> None:
    """Open sockets as clients do and record when the server closes each."""
    from websockets.exceptions import ConnectionClosed

    sem = asyncio.Semaphore(25)  # at most 25 handshakes in flight per generator
    stop = asyncio.Event()

    async def one(key: str) -> None:
        ws = await open_authenticated(port, key, sem)
        if ws is None:
            return
        with opened.get_lock():
            opened.value += 1

        async def ping() -> None:
            await asyncio.sleep(25 * random.random())
            with contextlib.suppress(ConnectionClosed):  # the reader counts the close
                while True:
                    await ws.send('{"type":"ping"}')
                    await asyncio.sleep(25)

        async def read_until_closed() -> None:
            # Reading (pongs and any event) keeps the client's queue from filling and
            # pausing its reads, which would hide the server's close.
            with contextlib.suppress(ConnectionClosed):  # a dropped TCP connection
                async for _frame in ws:
                    pass

        pinger = asyncio.ensure_future(ping())
        waiter = asyncio.ensure_future(read_until_closed())
        released = asyncio.ensure_future(stop.wait())
        await asyncio.wait({waiter, released}, return_when=asyncio.FIRST_COMPLETED)
        pinger.cancel()
        if waiter.done():  # the server closed it
            now = time.monotonic()  # CLOCK_MONOTONIC: one clock for every process
            with last_close.get_lock():
                last_close.value = max(last_close.value, now)
            with closed.get_lock():
                closed.value += 1
        released.cancel()
        await ws.close()

    async def watch_release() -> None:
        await until_set(release)
        stop.set()

    watcher = asyncio.ensure_future(watch_release())
    await asyncio.gather(*(one(k) for k in keys))
    await watcher


def generator(port, keys, opened, closed, last_close, release) -> None:
    asyncio.run(_hold(port, keys, opened, closed, last_close, release))


def _reap(pid: int, timeout: float) -> tuple[float, int, object] | None:
    """(when, exit code, rusage) once the process has exited, or None after `timeout`.
    Polled with WNOHANG so that nothing else (Popen) can reap it first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reaped_pid, status, usage = os.wait4(pid, os.WNOHANG)
        if reaped_pid:
            return time.monotonic(), os.waitstatus_to_exitcode(status), usage
        time.sleep(0.005)
    return None


def one_teardown(mode: str, keys: list[str], generators: int, settle: float) -> dict:
    server = Server(
        "project.asgi:application",
        env={"CHANNEL_LAYER_PREFIX": f"sf.teardown.{run_id()}"},
        launcher=LAUNCHERS[mode],
    )
    ctx = mp.get_context("spawn")
    opened, closed = ctx.Value("i", 0), ctx.Value("i", 0)
    last_close, release = ctx.Value("d", 0.0), ctx.Event()
    procs = []
    reaped = None
    try:
        server.ready()
        for g in range(generators):
            part = keys[g::generators]
            procs.append(
                ctx.Process(
                    target=generator,
                    args=(server.port, part, opened, closed, last_close, release),
                )
            )
            procs[-1].start()
        open_s = wait_opened(opened, len(keys), procs, desc=f"{mode}: sockets")
        time.sleep(settle)
        n = opened.value
        cpu_before = server.cpu_seconds(reaped_children=True)  # as wait4 counts
        signalled = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        reaped = _reap(server.proc.pid, timeout=120)
        if reaped is None:
            raise RuntimeError(f"{mode}: the server did not exit within 120 s of SIGTERM")
        exited_at, server.proc.returncode, usage = reaped
        while closed.value < n and time.monotonic() - exited_at < 10:  # clients notice
            time.sleep(0.05)
    finally:
        release.set()
        for p in procs:
            p.join(60)
        if reaped is None:
            server.proc.kill()
            server.proc.wait()
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    return {
        "mode": mode,
        "sockets": n,
        "opened_in_s": round(open_s, 1),
        "closed_seen_by_clients": closed.value,
        # Only when every client saw its close: otherwise the last close is not the last.
        "all_closed_s": round(last_close.value - signalled, 2) if closed.value == n else None,
        "exited_s": round(exited_at - signalled, 2),
        "exit_code": server.proc.returncode,
        "teardown_cpu_s": round(cpu, 2),
        "teardown_cpu_ms_per_socket": round(1000 * cpu / n, 3) if n else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sockets", type=int, default=5_000)
    parser.add_argument("--generators", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--modes", default="frozen,gc-at-exit")
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "ws_teardown.json"))
    args = parser.parse_args()
    modes = args.modes.split(",")
    if unknown := set(modes) - set(LAUNCHERS):
        parser.error(f"unknown modes: {', '.join(sorted(unknown))}")
    setup_django()
    migrate()
    keys = sessions_for(bench_users(args.sockets, prefix="idle"))
    runs = []
    for round_no in range(args.rounds):
        # Alternate which mode goes first, so neither always runs on a warmer machine.
        order = modes if round_no % 2 == 0 else modes[::-1]
        for mode in order:
            run = {"round": round_no + 1, **one_teardown(mode, keys, args.generators, args.settle)}
            print(json.dumps(run))
            runs.append(run)
    summary = {
        mode: {
            key: statistics.median(r[key] for r in runs if r["mode"] == mode)
            for key in ("all_closed_s", "exited_s", "teardown_cpu_s", "teardown_cpu_ms_per_socket")
            if all(r[key] is not None for r in runs if r["mode"] == mode)
        }
        for mode in modes
    }
    result = {"sockets": args.sockets, "rounds": args.rounds, "runs": runs, "medians": summary}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(json.dumps({"medians": summary}, indent=2))


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
