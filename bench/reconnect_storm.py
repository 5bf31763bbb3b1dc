"""Reconnect storm: every client of the Daphne processes comes back after a deploy.

N authenticated sockets (cookie session, `hello` received, a ping every 25 s) spread over
K Daphne processes, from G load-generator processes. A small steady sender keeps
messages flowing to random clients through the `message_send` service. Then every Daphne
is restarted as a deploy does it (SIGTERM, start again on the same port); each client
reconnects with jittered exponential backoff and sends `resume` with the last event id it
saw. The figure is the time from the SIGTERM until every client has its `resumed` frame
(live again and caught up). Every event id a client receives is checked: an id at or
below the last one seen is a duplicate, a jump over the next one is a loss; at the end
each client's last id must equal its stream's head in PostgreSQL.

    flock /tmp/sf-bench.lock .venv/bin/python bench/reconnect_storm.py --clients 10000

Target (issue 13): all 10,000 live and caught up in ≤ 10 s, 0 lost, 0 duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import resource
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    ROOT,
    SERVER_ENV,
    bench_users,
    cpu_seconds,
    free_port,
    migrate,
    rss_kib,
    run_id,
    sessions_for,
    setup_django,
    wait_port,
)

PING_EVERY = 25.0


def raise_fd_limit() -> int:
    """As many file descriptors as the hard limit allows (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Daphne:
    """One Daphne process on a fixed port, restartable like a deploy restarts it."""

    def __init__(self, env: dict) -> None:
        self.port = free_port()
        self.env = env
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        # A deep accept backlog: thousands of handshakes arrive within a second.
        endpoint = f"tcp:port={self.port}:interface=127.0.0.1:backlog=4096"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-e", endpoint, "project.asgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
        )

    def ready(self) -> None:
        wait_port(self.port, self.proc)

    def terminate(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def wait_exit(self, timeout: float = 30) -> None:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# --- The load generator (its own processes) ------------------------------------------------


async def _clients(jobs: list[tuple[str, int]], shared: dict, args: dict, results) -> None:
    from websockets.asyncio.client import connect

    stop = asyncio.Event()
    sem = asyncio.Semaphore(args["in_flight"])  # handshakes in flight per generator
    out = []

    async def one(key: str, port: int) -> None:
        state = {
            "last": None,
            "dups": 0,
            "gaps": 0,
            "resyncs": 0,
            "reconnects": 0,
            "resumed": False,
        }
        out.append(state)
        attempt = 0
        first = True
        while not stop.is_set():
            if not first:
                # Full jitter: the first try within `jitter` seconds, then exponential.
                cap = args["jitter"] if attempt == 0 else min(4.0, 0.25 * 2**attempt)
                await asyncio.sleep(random.uniform(0, cap))
            first = False
            try:
                async with sem:
                    ws = await connect(
                        f"ws://127.0.0.1:{port}/ws/",
                        origin=f"http://127.0.0.1:{port}",
                        additional_headers={"Cookie": f"sessionid={key}"},
                        open_timeout=30,
                        ping_interval=None,
                        max_queue=None,
                    )
                    hello = json.loads(await asyncio.wait_for(ws.recv(), 30))
                assert hello["type"] == "hello", hello
            except Exception:
                attempt += 1
                continue
            attempt = 0
            try:
                if state["last"] is None:
                    state["last"] = hello["last_event_id"]
                    with shared["connected"].get_lock():
                        shared["connected"].value += 1
                else:
                    state["reconnects"] += 1
                    await ws.send(json.dumps({"type": "resume", "last_event_id": state["last"]}))
                await _read(ws, state, shared, stop)
            except Exception:  # noqa: S110 - the server went away: reconnect
                pass
            finally:
                await ws.close()

    async def watch() -> None:
        while not shared["stop"].is_set():
            await asyncio.sleep(0.2)
        stop.set()

    watcher = asyncio.ensure_future(watch())
    tasks = [asyncio.ensure_future(one(k, p)) for k, p in jobs]
    await watcher
    await asyncio.sleep(0.5)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    results.put(
        {
            "lasts": [(key, s["last"]) for (key, _), s in zip(jobs, out, strict=False)],
            "dups": sum(s["dups"] for s in out),
            "gaps": sum(s["gaps"] for s in out),
            "resyncs": sum(s["resyncs"] for s in out),
            "reconnects": sum(s["reconnects"] for s in out),
        }
    )


async def _read(ws, state: dict, shared: dict, stop: asyncio.Event) -> None:
    next_ping = time.monotonic() + PING_EVERY * random.random()
    while not stop.is_set():
        try:
            raw = await asyncio.wait_for(ws.recv(), max(0.05, next_ping - time.monotonic()))
        except TimeoutError:
            await ws.send('{"type":"ping"}')
            next_ping = time.monotonic() + PING_EVERY
            continue
        frame = json.loads(raw)
        event_id = frame.get("event_id")
        if isinstance(event_id, int):
            if event_id <= state["last"]:
                state["dups"] += 1
            else:
                if event_id != state["last"] + 1:
                    state["gaps"] += 1
                state["last"] = event_id
        kind = frame.get("type")
        if kind == "resumed" and not state["resumed"]:
            state["resumed"] = True  # counted once per client
            with shared["resumed"].get_lock():
                shared["resumed"].value += 1
        elif kind == "resync_required":
            state["resyncs"] += 1


def generator(jobs, shared, args, results) -> None:
    raise_fd_limit()
    asyncio.run(_clients(jobs, shared, args, results))


# --- The steady sender (a thread of this process) --------------------------------------------


def steady_sender(senders: list, receivers: list[str], rate: float, stop: threading.Event, sent):
    """`rate` messages a second through the service, spread over the sender accounts
    (each stays well inside MESSAGE_SEND_RATE)."""
    from django.db import close_old_connections

    from realtime.services.messages import message_send

    i = 0
    next_at = time.monotonic()
    while not stop.is_set():
        next_at += 1 / rate
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        sender = senders[i % len(senders)]
        i += 1
        try:
            message_send(
                sender=sender,
                to=random.choice(receivers),
                content=f"storm {i}",
                client_id=uuid.uuid4().hex,
            )
            sent["ok"] += 1
        except Exception as exc:  # counted and shown; the figure is about the sockets
            sent["failed"] += 1
            sent["last_error"] = repr(exc)
    close_old_connections()


def stream_heads(user_ids: list[int]) -> dict[int, int]:
    from realtime.models import EventStream

    return dict(
        EventStream.objects.filter(user_id__in=user_ids).values_list("user_id", "last_event_id")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--servers", type=int, default=2, help="Daphne processes")
    parser.add_argument("--generators", type=int, default=4)
    parser.add_argument("--rate", type=float, default=20.0, help="steady messages a second")
    parser.add_argument("--jitter", type=float, default=3.0, help="first reconnect within (s)")
    parser.add_argument("--in-flight", type=int, default=200, help="handshakes per generator")
    parser.add_argument("--flow", type=float, default=3.0, help="seconds of messages first")
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "reconnect_storm.json"))
    args = parser.parse_args()
    fd_limit = raise_fd_limit()
    setup_django()
    migrate()

    users = bench_users(args.clients, prefix="storm")
    keys = sessions_for(users)
    user_of_key = {k: u.pk for k, u in zip(keys, users, strict=True)}
    senders = bench_users(20, prefix="stormsender")
    rid = run_id()
    env = {**os.environ, **SERVER_ENV, "CHANNEL_LAYER_PREFIX": f"sf.storm.{rid}"}
    servers = [Daphne(env) for _ in range(args.servers)]
    for s in servers:
        s.start()
    for s in servers:
        s.ready()
    time.sleep(1.0)
    cpu_idle = sum(cpu_seconds(s.proc.pid) for s in servers)

    ctx = mp.get_context("spawn")
    shared = {
        "connected": ctx.Value("i", 0),
        "resumed": ctx.Value("i", 0),
        "stop": ctx.Event(),
    }
    results = ctx.Queue()
    gen_args = {"jitter": args.jitter, "in_flight": args.in_flight}
    jobs = [(k, servers[i % len(servers)].port) for i, k in enumerate(keys)]
    procs = [
        ctx.Process(target=generator, args=(jobs[g :: args.generators], shared, gen_args, results))
        for g in range(args.generators)
    ]
    for p in procs:
        p.start()
    sent = {"ok": 0, "failed": 0, "last_error": None}
    stop_sending = threading.Event()
    sender = None
    result: dict = {}
    try:
        started = time.monotonic()
        while shared["connected"].value < args.clients:
            if time.monotonic() - started > args.timeout:
                raise SystemExit(f"only {shared['connected'].value} clients connected")
            time.sleep(0.2)
        open_s = time.monotonic() - started
        open_cpu = sum(cpu_seconds(s.proc.pid) for s in servers) - cpu_idle
        rss = [rss_kib(s.proc.pid) for s in servers]
        print(f"{args.clients} open in {open_s:.1f} s; Daphne RSS {rss} KiB", flush=True)

        sender = threading.Thread(
            target=steady_sender,
            args=(senders, [u.username for u in users], args.rate, stop_sending, sent),
        )
        sender.start()
        time.sleep(args.flow)

        uptime_before = Path("/proc/loadavg").read_text().split()[:3]
        restart_at = time.monotonic()
        for s in servers:
            s.terminate()
        for s in servers:
            s.wait_exit()
        down_s = time.monotonic() - restart_at
        for s in servers:
            s.start()
        for s in servers:
            s.ready()
        listening_s = time.monotonic() - restart_at
        boot_cpu = sum(cpu_seconds(s.proc.pid) for s in servers)
        print(f"restarted: old ones gone in {down_s:.1f} s, listening at {listening_s:.1f} s")
        while shared["resumed"].value < args.clients:
            if time.monotonic() - restart_at > args.timeout:
                break
            time.sleep(0.05)
        all_back_s = time.monotonic() - restart_at
        resume_cpu = sum(cpu_seconds(s.proc.pid) for s in servers) - boot_cpu
        resumed = shared["resumed"].value
        print(f"{resumed} of {args.clients} resumed at {all_back_s:.2f} s after the SIGTERM")

        time.sleep(args.flow)  # messages keep flowing to the resumed clients
        stop_sending.set()
        sender.join()
        time.sleep(2.0)  # the last events arrive
        shared["stop"].set()
        parts = [results.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(30)
        lasts = dict(kv for part in parts for kv in part["lasts"])
        heads = stream_heads(list(user_of_key.values()))
        missing = [
            heads.get(user_of_key[k], 0) - (last or 0)
            for k, last in lasts.items()
            if last is None or last < heads.get(user_of_key[k], 0)
        ]
        behind = len(missing)
        result = {
            "clients": args.clients,
            "servers": args.servers,
            "generators": args.generators,
            "fd_limit": fd_limit,
            "open_seconds": round(open_s, 1),
            "opens_per_s": round(args.clients / open_s, 1),
            "daphne_rss_kib_open": rss,
            # Server CPU per socket: what bounds the rate on a machine of one's own.
            "daphne_cpu_us_per_open": round(open_cpu / args.clients * 1e6),
            "daphne_cpu_us_per_reconnect_and_resume": round(resume_cpu / max(resumed, 1) * 1e6),
            "old_processes_gone_s": round(down_s, 2),
            "listening_again_s": round(listening_s, 2),
            "all_resumed_s": round(all_back_s, 2) if resumed >= args.clients else None,
            "resumed": resumed,
            "reconnect_after_listening_s": round(all_back_s - listening_s, 2),
            "messages_sent": sent["ok"],
            "messages_failed": sent["failed"],
            "send_error": sent["last_error"],
            "duplicated_events": sum(p["dups"] for p in parts),
            "gaps": sum(p["gaps"] for p in parts),
            "resyncs": sum(p["resyncs"] for p in parts),
            "clients_behind_their_stream_head": behind,
            "events_missing": sum(missing),
            "reconnects": sum(p["reconnects"] for p in parts),
            "loadavg_at_restart": uptime_before,
            "loadavg_end": Path("/proc/loadavg").read_text().split()[:3],
        }
    finally:
        stop_sending.set()
        shared["stop"].set()
        for p in procs:
            p.join(5)
            if p.is_alive():
                p.kill()
        for s in servers:
            s.terminate()
        for s in servers:
            s.wait_exit()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
