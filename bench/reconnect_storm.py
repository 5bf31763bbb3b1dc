"""Reconnect storm: every client of the Daphne processes comes back after a deploy.

N authenticated sockets (cookie session, `hello` received, a ping every 25 s) spread over
K Daphne processes, from G load-generator processes. A small steady sender keeps
messages flowing to random clients through the `message_send` service. Then every Daphne
is replaced as a deploy does it. By default (`--deploy overlap`, what docs/deployment.md
describes) the new processes start first, on the same listening sockets (each slot's
socket is made once by this script and handed to every generation of its Daphne, as
systemd socket activation does; a proxy switching its upstream to new ports does the
same), and only once they accept does each old process get SIGTERM: it stops accepting,
then closes its sockets. `--deploy stop-start` is the naive restart: SIGTERM, wait for
the exit, start again on the same port. Each client reconnects with jittered backoff and
names the last event id it saw in the socket's URL (`/ws/?last_event_id=N`): the server
replays from it after `hello` (`resume_from`) as a `resume` frame would; a server that does
not (no `resume_from` in `hello`) gets a `resume` frame. A `resume` answered `busy` (its
database queue is full: docs/realtime-protocol.md, "Overload") is sent again after
`retry_after` seconds plus up to half again, as the browser client does. A 4503 close is a
failed connect like any other: reconnect with backoff.

Figures, from the SIGTERM: every client live again (its new `hello`), and every client
caught up (its `resumed`). Every event id a client receives is checked: an id at or below
the last one seen is a duplicate, a jump over the next one is a loss — except while the
client's `resume` is unanswered, when a live event may overtake the replay (the socket
delivers from `hello`'s id until it reads the `resume`): the protocol's client drops such
an event, ahead of it or already seen, since the replay brings it in order
(docs/realtime-protocol.md, "resume"); those are counted apart, as `overtaken`. At the end, once
the sender has stopped, every client resumes once more on its open socket (pub/sub
doorbells ring at most once; resume is the safety net): what that replays is counted,
and each client's last id must then equal its stream's head in PostgreSQL.

Statements per reconnect, from PostgreSQL's statistics (a backend's counts reach pg_stat_*
up to 10 s late, PGSTAT_IDLE_INTERVAL: read 11 s after the new processes' boot and after
all caught up, so the opens' and the boot's statements do not land in the storm's): the bench
database's committed + rolled-back transactions (each of the socket's statements is one,
autocommit) over the storm, less the steady sender's (its transactions per message, taken
over the flow before the new processes boot, times the messages it sent meanwhile), per caught-up
client — an estimate: failed handshakes and the new pools' own SETs count too; and,
exactly, the index scans of `django_session` per caught-up client (only the sign-in
statements read it: the session row, and the user joined with the live session).

    flock /tmp/sf-bench.lock .venv/bin/python bench/reconnect_storm.py --clients 10000

Target (issue 13): all 10,000 live and caught up in ≤ 10 s, 0 lost, 0 duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import random
import resource
import signal
import socket
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
    percentile,
    rss_kib,
    run_id,
    sessions_for,
    setup_django,
    wait_port,
    wait_warm,
)

PING_EVERY = 25.0
STATS_LAG = 11.0  # seconds for every backend's counts to reach pg_stat_* (PG: at most 10)


def raise_fd_limit() -> int:
    """As many file descriptors as the hard limit allows (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Daphne:
    """One slot: a port, and the Daphne process (of the current generation) serving it.

    With `shared=True` the listening socket is made here once and every generation of
    the slot's Daphne adopts it (`--fd`): connections that arrive while a process boots
    or stops wait in the backlog instead of being refused.
    """

    def __init__(self, env: dict, *, shared: bool, app: str = "project.asgi:application") -> None:
        self.env = env
        self.app = app
        self.sock: socket.socket | None = None
        if shared:
            self.sock = socket.socket()
            self.sock.bind(("127.0.0.1", 0))
            self.sock.listen(4096)  # a deep backlog: thousands of handshakes at once
            self.port = self.sock.getsockname()[1]
        else:
            self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.probe_port = self.port
        self.started_at = 0.0
        self.ready_s = 0.0

    def start(self) -> None:
        endpoints: list[str] = []
        fds: tuple[int, ...] = ()
        if self.sock is not None:
            fds = (self.sock.fileno(),)
            # Beside the shared socket, a private port that says when this process
            # accepts (probing the shared one could reach the old process).
            self.probe_port = free_port()
            endpoints += ["-e", f"fd:fileno={self.sock.fileno()}"]
            endpoints += ["-e", f"tcp:port={self.probe_port}:interface=127.0.0.1"]
        else:
            # A deep accept backlog: thousands of handshakes arrive within a second.
            self.probe_port = self.port
            endpoints += ["-e", f"tcp:port={self.port}:interface=127.0.0.1:backlog=4096"]
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "daphne", *endpoints, self.app],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            pass_fds=fds,
        )

    def ready(self) -> None:
        wait_port(self.probe_port, self.proc)
        wait_warm(self.probe_port)
        self.ready_s = time.monotonic() - self.started_at

    def terminate(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)


def reconnect_delay(jitter: float, attempt: int) -> float:
    """Full jitter, as the browser client: the first try within `jitter` seconds, then
    exponential up to 4 s."""
    cap = jitter if attempt == 0 else min(4.0, 0.25 * 2**attempt)
    return random.uniform(0, cap)


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
            "live": False,
            "resumed": False,
            "ws": None,
            "final_sent": False,
            "final_done": False,
            "final_events": 0,
            "busy": 0,  # `busy` answers to a resume
            "resuming": False,  # a resume sent and not yet answered (busy: sent again)
            "overtaken": 0,  # live events dropped while resuming (the replay brings them)
            "retry": None,  # the task that sends it again
            "closed_at": None,  # when the deploy closed its first socket (monotonic)
        }
        out.append(state)
        attempt = 0
        first = True
        while not stop.is_set():
            if not first:
                await asyncio.sleep(reconnect_delay(args["jitter"], attempt))
            first = False
            try:
                # A reconnect names its last event id: hello's statement reads the replay.
                query = "" if state["last"] is None else f"?last_event_id={state['last']}"
                async with sem:
                    ws = await connect(
                        f"ws://127.0.0.1:{port}/ws/{query}",
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
                    _count(shared, "connected")
                else:
                    state["reconnects"] += 1
                    if not state["live"]:
                        state["live"] = True  # counted once per client
                        _count(shared, "live")
                    state["resuming"] = True
                    if hello.get("resume_from") != state["last"]:  # not taken from the URL
                        await ws.send(
                            json.dumps({"type": "resume", "last_event_id": state["last"]})
                        )
                state["ws"] = ws
                await _read(ws, state, shared, stop)
            except Exception:  # noqa: S110 - the server went away: reconnect
                pass
            finally:
                state["ws"] = None
                if state["last"] is not None and not state["live"] and not state["closed_at"]:
                    state["closed_at"] = time.monotonic()
                await ws.close()

    async def final_resume() -> None:
        """Once the sender has stopped: every client resumes once more on its socket."""
        for state in out:
            ws = state["ws"]
            if ws is None:
                continue  # reconnecting: its own resume comes with the reconnect
            state["final_sent"] = True
            state["resuming"] = True
            with contextlib.suppress(Exception):
                await ws.send(json.dumps({"type": "resume", "last_event_id": state["last"]}))

    async def watch() -> None:
        final = False
        while not shared["stop"].is_set():
            if not final and shared["final"].is_set():
                final = True
                await final_resume()
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
            "overtaken": sum(s["overtaken"] for s in out),
            "gaps": sum(s["gaps"] for s in out),
            "resyncs": sum(s["resyncs"] for s in out),
            "reconnects": sum(s["reconnects"] for s in out),
            "final_events": sum(s["final_events"] for s in out),
            "final_done": sum(s["final_done"] for s in out),
            "busy": sum(s["busy"] for s in out),
            "closed_at": [s["closed_at"] for s in out if s["closed_at"]],
        }
    )


def _count(shared: dict, name: str) -> None:
    with shared[name].get_lock():
        shared[name].value += 1


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
            if state["resuming"] and event_id != state["last"] + 1:
                state["overtaken"] += 1  # dropped: the replay brings it in order
            elif event_id <= state["last"]:
                state["dups"] += 1
            else:
                if event_id != state["last"] + 1:
                    state["gaps"] += 1
                state["last"] = event_id
                if state["final_sent"]:
                    state["final_events"] += 1  # a doorbell that had not rung
        kind = frame.get("type")
        if kind in ("resumed", "resync_required"):
            state["resuming"] = False
        if kind == "error" and frame.get("code") == "busy" and frame.get("frame") == "resume":
            state["busy"] += 1
            state["resuming"] = True
            delay = float(frame.get("retry_after") or 2) * (1 + random.random() / 2)
            state["retry"] = asyncio.ensure_future(_resume_later(ws, state, delay))
        elif kind == "resumed":
            if not state["resumed"]:
                state["resumed"] = True  # counted once per client
                _count(shared, "resumed")
            elif state["final_sent"] and not state["final_done"]:
                state["final_done"] = True
                _count(shared, "final_done")
        elif kind == "resync_required":
            state["resyncs"] += 1


async def _resume_later(ws, state: dict, delay: float) -> None:
    """Send `resume` again, from the last id seen by then (the socket may be gone)."""
    await asyncio.sleep(delay)
    with contextlib.suppress(Exception):
        await ws.send(json.dumps({"type": "resume", "last_event_id": state["last"]}))


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


def _pg_counts() -> tuple[int, int]:
    """(transactions of the bench database, index + sequential scans of django_session) so
    far, from pg_stat_* (which lag up to ~1 s)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_clear_snapshot()")
        cur.execute(
            "SELECT (SELECT xact_commit + xact_rollback FROM pg_stat_database"
            "        WHERE datname = current_database()),"
            "       (SELECT coalesce(idx_scan, 0) + seq_scan FROM pg_stat_user_tables"
            "        WHERE relname = 'django_session')"
        )
        return cur.fetchone()


def _cpu(procs) -> float:
    total = 0.0
    for pid in procs:
        with contextlib.suppress(OSError):
            total += cpu_seconds(pid)
    return total


def _wait_for(value, target: int, since: float, timeout: float) -> float | None:
    """Seconds from `since` until the shared counter reaches `target` (None: timed out)."""
    while value.value < target:
        if time.monotonic() - since > timeout:
            return None
        time.sleep(0.02)
    return time.monotonic() - since


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--servers", type=int, default=2, help="Daphne processes")
    parser.add_argument("--generators", type=int, default=4)
    parser.add_argument("--rate", type=float, default=20.0, help="steady messages a second")
    parser.add_argument("--jitter", type=float, default=3.0, help="first reconnect within (s)")
    parser.add_argument("--in-flight", type=int, default=200, help="handshakes per generator")
    parser.add_argument("--flow", type=float, default=3.0, help="seconds of messages first")
    parser.add_argument(
        "--deploy",
        choices=("overlap", "stop-start"),
        default="overlap",
        help="overlap: new processes accept on the same sockets before the old ones get "
        "SIGTERM (docs/deployment.md); stop-start: SIGTERM, exit, start again",
    )
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "reconnect_storm.json"))
    args = parser.parse_args()
    fd_limit = raise_fd_limit()
    rid = run_id()
    # The steady sender (this process) rings the servers' doorbells: the same channel
    # prefix for both, or no doorbell reaches a socket and only `resume` delivers.
    os.environ["CHANNEL_LAYER_PREFIX"] = f"sf.storm.{rid}"
    setup_django()
    migrate()

    users = bench_users(args.clients, prefix="storm")
    keys = sessions_for(users)
    user_of_key = {k: u.pk for k, u in zip(keys, users, strict=True)}
    senders = bench_users(20, prefix="stormsender")
    env = {**os.environ, **SERVER_ENV}
    overlap = args.deploy == "overlap"
    servers = [Daphne(env, shared=overlap) for _ in range(args.servers)]
    for s in servers:
        s.start()
    try:
        for s in servers:
            s.ready()
    except Exception:
        for s in servers:
            s.terminate()
        raise
    time.sleep(1.0)
    cpu_idle = _cpu(s.proc.pid for s in servers)

    ctx = mp.get_context("spawn")
    shared = {
        "connected": ctx.Value("i", 0),
        "live": ctx.Value("i", 0),
        "resumed": ctx.Value("i", 0),
        "final_done": ctx.Value("i", 0),
        "final": ctx.Event(),
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
    old: list[subprocess.Popen] = []
    try:
        started = time.monotonic()
        if _wait_for(shared["connected"], args.clients, started, args.timeout) is None:
            raise SystemExit(f"only {shared['connected'].value} clients connected")
        open_s = time.monotonic() - started
        open_cpu = _cpu(s.proc.pid for s in servers) - cpu_idle
        rss = [rss_kib(s.proc.pid) for s in servers]
        print(f"{args.clients} open in {open_s:.1f} s; Daphne RSS {rss} KiB", flush=True)

        sender = threading.Thread(
            target=steady_sender,
            args=(senders, [u.username for u in users], args.rate, stop_sending, sent),
        )
        sender.start()
        time.sleep(1.0)  # the sender's first transactions reach the statistics
        flow_x0, flow_m0 = _pg_counts()[0], sent["ok"]
        time.sleep(max(args.flow - 1.0, 1.0))

        # The sender's own transactions per message, over the flow (before any boot).
        per_message = (_pg_counts()[0] - flow_x0) / max(sent["ok"] - flow_m0, 1)
        old = [s.proc for s in servers]
        boot_s = None
        if overlap:
            # The new generation boots beside the old one, on the same sockets.
            for s in servers:
                s.start()
            for s in servers:
                s.ready()
            boot_s = max(s.ready_s for s in servers)
            print(f"new processes accepting after {boot_s:.1f} s of boot", flush=True)
            # The boot's statements reach the statistics first (see the docstring).
            time.sleep(STATS_LAG)
        loadavg_restart = Path("/proc/loadavg").read_text().split()[:3]
        gen_cpu0 = _cpu(p.pid for p in procs)
        (storm_x0, storm_s0), storm_m0 = _pg_counts(), sent["ok"]
        restart_at = time.monotonic()
        for proc in old:
            proc.send_signal(signal.SIGTERM)
        if overlap:
            new_cpu0 = _cpu(s.proc.pid for s in servers)
            listening_s = 0.0
        else:
            for proc in old:
                wait_exit(proc)
            for s in servers:
                s.start()
            for s in servers:
                s.ready()
            listening_s = time.monotonic() - restart_at
            boot_s = max(s.ready_s for s in servers)
            new_cpu0 = _cpu(s.proc.pid for s in servers)
        live_s = _wait_for(shared["live"], args.clients, restart_at, args.timeout)
        back_s = _wait_for(shared["resumed"], args.clients, restart_at, args.timeout)
        resume_cpu = _cpu(s.proc.pid for s in servers) - new_cpu0
        gen_cpu = _cpu(p.pid for p in procs) - gen_cpu0
        for proc in old:
            wait_exit(proc)
        down_s = time.monotonic() - restart_at  # an upper bound once the storm is over
        # The storm's last statements reach the statistics (see the docstring).
        time.sleep(max(0.0, restart_at + (back_s or 0.0) + STATS_LAG - time.monotonic()))
        storm_x, storm_s = _pg_counts()
        storm_x -= storm_x0 + per_message * (sent["ok"] - storm_m0)
        resumed = shared["resumed"].value
        print(
            f"all live at {live_s} s, {resumed} of {args.clients} caught up at {back_s} s "
            "after the SIGTERM",
            flush=True,
        )

        time.sleep(args.flow)  # messages keep flowing to the resumed clients
        stop_sending.set()
        sender.join()
        time.sleep(2.0)  # the last doorbells ring
        final_at = time.monotonic()
        shared["final"].set()
        final_s = _wait_for(shared["final_done"], args.clients, final_at, 60)
        shared["stop"].set()
        parts = [results.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(30)
        lasts = dict(kv for part in parts for kv in part["lasts"])
        # A socket that closed before the SIGTERM (a failed read) is not the deploy's doing.
        closed = sorted(
            t - restart_at for part in parts for t in part["closed_at"] if t >= restart_at
        )
        heads = stream_heads(list(user_of_key.values()))
        missing = [
            heads.get(user_of_key[k], 0) - (last or 0)
            for k, last in lasts.items()
            if last is None or last < heads.get(user_of_key[k], 0)
        ]
        result = {
            "clients": args.clients,
            "servers": args.servers,
            "generators": args.generators,
            "deploy": args.deploy,
            "fd_limit": fd_limit,
            "open_seconds": round(open_s, 1),
            "opens_per_s": round(args.clients / open_s, 1),
            "daphne_rss_kib_open": rss,
            # Server CPU per socket: what bounds the rate on a machine of one's own.
            "daphne_cpu_us_per_open": round(open_cpu / args.clients * 1e6),
            "new_processes_boot_s": round(boot_s, 2),
            "listening_again_s": round(listening_s, 2),
            "old_processes_gone_s": round(down_s, 2),
            # When the old processes let their clients go (each client's first close).
            "old_sockets_closed_p50_s": round(percentile(closed, 50), 2) if closed else None,
            "old_sockets_all_closed_s": round(closed[-1], 2) if closed else None,
            "all_live_s": round(live_s, 2) if live_s is not None else None,
            "all_caught_up_s": round(back_s, 2) if back_s is not None else None,
            "caught_up": resumed,
            "daphne_cpu_us_per_reconnect_and_resume": round(resume_cpu / max(resumed, 1) * 1e6),
            # Estimated from pg_stat_database (see the module's docstring).
            "statements_per_reconnect": round(storm_x / max(resumed, 1), 2),
            "sender_transactions_per_message": round(per_message, 2),
            "session_scans_per_reconnect": round((storm_s - storm_s0) / max(resumed, 1), 2),
            # The clients share the cores: their CPU is the rest of the storm's bill.
            "generator_cpu_us_per_reconnect_and_resume": round(gen_cpu / max(resumed, 1) * 1e6),
            "messages_sent": sent["ok"],
            "messages_failed": sent["failed"],
            "send_error": sent["last_error"],
            "duplicated_events": sum(p["dups"] for p in parts),
            # Live events that overtook a client's unanswered resume, dropped as the
            # protocol's client does (its replay brought each again, in order).
            "overtaken_while_resuming": sum(p["overtaken"] for p in parts),
            "gaps": sum(p["gaps"] for p in parts),
            "resyncs": sum(p["resyncs"] for p in parts),
            # `busy` answers to a resume (each sent again after retry_after).
            "busy_resumes": sum(p["busy"] for p in parts),
            "reconnects": sum(p["reconnects"] for p in parts),
            "final_resume_done": sum(p["final_done"] for p in parts),
            "final_resume_s": round(final_s, 2) if final_s is not None else None,
            # Events the final resume replayed: doorbells that had not rung (at most once).
            "events_replayed_by_final_resume": sum(p["final_events"] for p in parts),
            "clients_behind_their_stream_head": len(missing),
            "events_missing": sum(missing),
            "loadavg_at_restart": loadavg_restart,
            "loadavg_end": Path("/proc/loadavg").read_text().split()[:3],
        }
    finally:
        stop_sending.set()
        shared["stop"].set()
        for p in procs:
            p.join(5)
            if p.is_alive():
                p.kill()
        for proc in old:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for s in servers:
            s.terminate()
        for proc in [*old, *(s.proc for s in servers)]:
            wait_exit(proc)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


def wait_exit(proc: subprocess.Popen, timeout: float = 30) -> None:
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
