"""Memory per idle, authenticated socket on one Daphne process.

Opens N sockets (cookie session, hello received, a ping every 25 s as clients do) from
several load-generator processes, then reads the server's RSS growth divided by N.

    flock /tmp/sf-bench.lock .venv/bin/python bench/ws_idle.py --sockets 10000

Target (issue 13): 10,000 sockets at ≤ 30 KiB each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
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


async def _hold(port: int, keys: list[str], connected: mp.Value, release: mp.Event) -> None:
    """Open sockets as clients do (cookie, hello) and keep each alive with a ping every 25 s."""
    sem = asyncio.Semaphore(25)  # at most 25 handshakes in flight per generator

    async def one(key: str) -> None:
        ws = await open_authenticated(port, key, sem)
        if ws is None:
            return
        with connected.get_lock():
            connected.value += 1
        try:
            wait = 25 * random.random()
            while not stop.is_set():
                try:
                    await asyncio.wait_for(stop.wait(), wait)
                except TimeoutError:
                    await ws.send('{"type":"ping"}')
                    await asyncio.wait_for(ws.recv(), 30)
                    wait = 25
        except Exception:  # noqa: S110 - closed by the server: no longer counted
            pass
        finally:
            with connected.get_lock():
                connected.value -= 1  # counts sockets open now, not sockets ever opened
            await ws.close()

    stop = asyncio.Event()

    async def watch_release() -> None:
        await until_set(release, poll=0.5)
        stop.set()

    watcher = asyncio.ensure_future(watch_release())
    await asyncio.gather(*(one(k) for k in keys))
    await watcher


def generator(port, keys, connected, release) -> None:
    asyncio.run(_hold(port, keys, connected, release))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sockets", type=int, default=10_000)
    parser.add_argument("--generators", type=int, default=4)
    parser.add_argument("--settle", type=float, default=10.0)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "ws_idle.json"))
    args = parser.parse_args()
    setup_django()
    migrate()
    users = bench_users(args.sockets, prefix="idle")
    keys = sessions_for(users)
    rid = run_id()
    server = Server("project.asgi:application", env={"CHANNEL_LAYER_PREFIX": f"sf.idle.{rid}"})
    server.ready()
    ctx = mp.get_context("spawn")
    try:
        # Warm the process (imports, pools, first connections) before the baseline reading.
        warm_connected, warm_release = ctx.Value("i", 0), ctx.Event()
        warm = ctx.Process(
            target=generator, args=(server.port, keys[:50], warm_connected, warm_release)
        )
        warm.start()
        while warm_connected.value < 50 and warm.is_alive():
            time.sleep(0.2)
        warm_release.set()
        warm.join()
        time.sleep(3)
        rss0 = server.rss_kib()

        connected, release = ctx.Value("i", 0), ctx.Event()
        procs = []
        for g in range(args.generators):
            part = keys[g :: args.generators]
            p = ctx.Process(target=generator, args=(server.port, part, connected, release))
            p.start()
            procs.append(p)
        connect_s = wait_opened(connected, args.sockets, procs)
        time.sleep(args.settle)
        rss1 = server.rss_kib()
        n = connected.value  # sockets still open at the reading
        release.set()
        for p in procs:
            p.join(120)
    finally:
        server.stop()
    result = {
        "sockets_requested": args.sockets,
        "sockets": n,
        "rss_before_kib": rss0,
        "rss_after_kib": rss1,
        "kib_per_socket": round((rss1 - rss0) / n, 1) if n else None,
        "connect_seconds": round(connect_s, 1),
        "connects_per_s": round(n / connect_s, 1) if connect_s else None,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
