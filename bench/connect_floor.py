"""The reconnect storm's floor: bench/reconnect_storm.py's deploy and clients against the
bare ASGI app of bench/floor/ — a WebSocket handshake and a `hello`, nothing authenticated,
subscribed, stored or resumed.

N sockets over K Daphne processes (each slot's listening socket made here with a 4,096
backlog and handed to every generation, as the storm's overlap deploy does), from G
generator processes. Then the deploy: new processes adopt the sockets, and once they
accept, the old ones get SIGTERM and close their sockets; each client reconnects as the
storm's clients do (full-jitter backoff: the first try within --jitter seconds, then
exponential up to 4 s; at most --in-flight handshakes per generator; no keepalive pings)
until it has its new `hello`, and keeps that socket open until the run is measured.
Reported, from the SIGTERM: every client live again (`all_live_s`), when the old processes
had let them go (`old_sockets_closed_*`), and the CPU per reconnect of the new Daphne
processes and of the generators (which share the cores).

    flock /tmp/sf-bench.lock .venv/bin/python bench/connect_floor.py --clients 10000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, SERVER_ENV, cpu_seconds, percentile
from bench.reconnect_storm import Daphne, raise_fd_limit, reconnect_delay, wait_exit

FLOOR_APP = "bench.floor.asgi:application"


async def _clients(jobs: list[tuple[str, int]], args: dict, opened, results, stop) -> None:
    import websockets
    from websockets.asyncio.client import connect

    sem = asyncio.Semaphore(args["in_flight"])  # handshakes in flight, as the storm's clients

    async def live(name: str, port: int):
        async with sem:
            ws = await connect(
                f"ws://127.0.0.1:{port}/ws/?as={name}",
                open_timeout=30,
                ping_interval=None,
                compression=None,
                max_queue=None,
            )
            hello = json.loads(await asyncio.wait_for(ws.recv(), 30))
        assert hello["type"] == "hello", hello
        return ws

    cpu_at_close: list[float] = []
    closed: list[float] = []
    back: list[float] = []
    attempts = [0]

    async def one(name: str, port: int):
        ws = await live(name, port)
        opened.put(1)
        with contextlib.suppress(websockets.ConnectionClosed):
            await ws.wait_closed()
        closed.append(time.time())
        if not cpu_at_close:
            cpu_at_close.append(time.process_time())
        attempt = 0
        while True:
            await asyncio.sleep(reconnect_delay(args["jitter"], attempt))
            attempts[0] += 1
            try:
                ws = await live(name, port)
            except Exception:  # refused, reset, timed out, no hello: try again, as the storm
                attempt += 1
                continue
            back.append(time.time())
            return ws  # kept open, as a live client's: closed once the run is measured

    sockets = await asyncio.gather(*(one(name, port) for name, port in jobs))
    results.put(
        {
            "back": back,
            "closed": closed,
            "attempts": attempts[0],
            "cpu_s": time.process_time() - cpu_at_close[0] if cpu_at_close else 0.0,
        }
    )
    await asyncio.get_running_loop().run_in_executor(None, stop.wait)
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


def generator(jobs, args, opened, results, stop) -> None:
    raise_fd_limit()
    asyncio.run(_clients(jobs, args, opened, results, stop))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=10000)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--generators", type=int, default=4)
    parser.add_argument("--jitter", type=float, default=3.0, help="first reconnect within (s)")
    parser.add_argument("--in-flight", type=int, default=200, help="handshakes per generator")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "connect_floor.json"))
    args = parser.parse_args()
    raise_fd_limit()
    from tqdm import tqdm

    env = {**os.environ, **SERVER_ENV}
    ctx = mp.get_context("spawn")
    opened, results, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
    # Each slot keeps its listening socket; a deploy starts the slot's next process on it.
    servers = [Daphne(env, shared=True, app=FLOOR_APP) for _ in range(args.servers)]
    old: list[subprocess.Popen] = []
    procs: list = []
    gen_args = {"jitter": args.jitter, "in_flight": args.in_flight}
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.ready()
        names = [(f"floor{i:05d}", servers[i % len(servers)].port) for i in range(args.clients)]
        procs = [
            ctx.Process(
                target=generator,
                args=(names[g :: args.generators], gen_args, opened, results, stop),
            )
            for g in range(args.generators)
        ]
        for proc in procs:
            proc.start()
        started = time.time()
        for _ in tqdm(range(args.clients), desc="open", unit="socket"):
            opened.get(timeout=args.timeout)
        opened_s = time.time() - started

        old = [server.proc for server in servers]
        for server in servers:
            server.start()
        for server in servers:
            server.ready()
        cpu0 = sum(cpu_seconds(server.proc.pid) for server in servers)
        sigterm_at = time.time()
        for proc in old:
            proc.send_signal(signal.SIGTERM)
        outs = [results.get(timeout=args.timeout) for _ in procs]
        cpu = sum(cpu_seconds(server.proc.pid) for server in servers) - cpu0
    finally:
        stop.set()
        for proc in procs:
            proc.join(30)
            if proc.is_alive():
                proc.kill()
        for server in servers:
            server.terminate()
        for proc in [*old, *(server.proc for server in servers)]:
            if proc is not None:
                wait_exit(proc)
    back = sorted(t - sigterm_at for out in outs for t in out["back"])
    closed = sorted(t - sigterm_at for out in outs for t in out["closed"])
    row = {
        "clients": args.clients,
        "servers": args.servers,
        "generators": args.generators,
        "opened_s": round(opened_s, 2),
        "old_sockets_closed_p50_s": round(percentile(closed, 50), 2),
        "old_sockets_all_closed_s": round(closed[-1], 2),
        "reconnected": len(back),
        "all_live_s": round(back[-1], 2) if back else None,
        "p50_live_s": round(percentile(back, 50), 2) if back else None,
        "attempts_per_client": round(sum(o["attempts"] for o in outs) / args.clients, 2),
        "daphne_cpu_us_per_reconnect": round(1e6 * cpu / args.clients),
        "generator_cpu_us_per_reconnect": round(1e6 * sum(o["cpu_s"] for o in outs) / args.clients),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(row, indent=2))
    print(json.dumps(row, indent=2))


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
