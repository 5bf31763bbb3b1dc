"""Chat load through the real /ws/ protocol: messages/s, delivered %, p50/p99 send-to-receive.

Person-like sockets in pairs, each sending at most 10 messages a second on a fixed
schedule (open loop: a slow server does not slow the senders down), from several
load-generator processes. In the same run it measures the baseline (bench/baseline/: the
Channels tutorial's chat, default RedisChannelLayer, nothing stored) and a typical
persisted Channels chat (bench/peer/: one row per message through the ORM in
`database_sync_to_async`, pub/sub layer) at the same loads.

    flock /tmp/sf-bench.lock .venv/bin/python bench/ws_load.py --loads 500,1000

Targets (docs/benchmarks.md): ≥ 500 msg/s persisted and delivered live, 100% delivered,
p99 ≤ 100 ms, on one or two Daphne processes, and faster than the baseline.
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
    percentile,
    realtime_backends_cpu_seconds,
    run_id,
    sessions_for,
    setup_django,
)

DRAIN = 5.0


# --- The load generator (runs in its own processes) ----------------------------------------------


async def _person(sock: dict, job: dict, out: dict) -> None:
    import websockets
    from websockets.asyncio.client import connect

    port, rate = sock["port"], job["rate"]
    # The tutorial chat and the typical persisted chat speak the tutorial's room protocol.
    baseline = job["target"] in ("baseline", "peer")
    if baseline:
        url = f"ws://127.0.0.1:{port}/ws/chat/pair{sock['pair']}/"
        headers = {"Cookie": f"sessionid={sock['key']}"} if job["target"] == "peer" else {}
    elif job["target"].startswith("floor"):  # no sessions there: the socket names its person
        url = f"ws://127.0.0.1:{port}/ws/?as={sock['name']}"
        headers = {}
    else:
        url = f"ws://127.0.0.1:{port}/ws/"
        headers = {"Cookie": f"sessionid={sock['key']}"}
    try:
        ws = await connect(
            url,
            origin=f"http://127.0.0.1:{port}",
            additional_headers=headers,
            open_timeout=30,
            max_queue=None,
            # Daphne declines permessage-deflate anyway (autobahn's default); not offering it
            # spares the generators, which share the cores, the client-side deflate setup.
            compression=None,
        )
    except Exception:
        out["connect_errors"] += 1
        return
    if not baseline:
        hello = json.loads(await ws.recv())
        assert hello["type"] == "hello", hello
    out["connected"] += 1
    me, partner = sock["name"], sock["partner"]
    start, warm, end = job["start_at"], job["start_at"] + job["warmup"], job["end_at"]

    async def sender():
        seq = 0
        t = start + random.random() / rate
        while t < end:
            delay = t - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            stamp = f"{time.time():.6f}"
            seq += 1
            if baseline:
                frame = {"message": f"{me}|{seq}|{stamp}", "client_id": f"{job['run']}-{me}-{seq}"}
            else:
                frame = {
                    "type": "message.send",
                    "to": partner,
                    "content": f"{seq}|{stamp}",
                    "client_id": f"{job['run']}-{me}-{seq}",
                }
            await ws.send(json.dumps(frame))
            out["sent_all"] += 1
            # The receiver counts a message by the same stamp and the same window (a sleep
            # that overshoots `end` sends one more message, outside the window).
            if warm <= float(stamp) < end:
                out["sent"] += 1
            t += 1 / rate

    async def receiver():
        while True:
            frame = json.loads(await ws.recv())
            now = time.time()
            if baseline:
                who, _seq, sent_at = frame["message"].split("|")
                if who == me:
                    continue
            elif frame.get("type") == "message.new":
                if frame["message"]["from"] != partner:
                    continue
                _seq, sent_at = frame["message"]["content"].split("|")
            else:
                if frame.get("type") == "error":
                    out["errors"][frame["code"]] = out["errors"].get(frame["code"], 0) + 1
                continue
            sent_at = float(sent_at)
            if sent_at >= warm and sent_at < end:
                out["latencies"].append(now - sent_at)
                if sent_at < warm + 1:
                    out["first_second"].append(now - sent_at)

    recv_task = asyncio.ensure_future(receiver())
    try:
        await sender()
        await asyncio.sleep(max(0, end + DRAIN - time.time()))
    except websockets.ConnectionClosed:
        out["closed"] += 1
    finally:
        recv_task.cancel()
        try:
            await recv_task
        except (asyncio.CancelledError, websockets.ConnectionClosed):
            pass
        except Exception:
            out["closed"] += 1
        await ws.close()


async def _generate(job: dict) -> dict:
    cpu0 = time.process_time()
    out = {
        "sent": 0,
        "sent_all": 0,
        "latencies": [],
        "first_second": [],
        "connected": 0,
        "connect_errors": 0,
        "closed": 0,
        "errors": {},
    }
    # Connect gradually (as people do), then everyone starts at start_at.
    tasks = []
    for sock in job["sockets"]:
        tasks.append(asyncio.ensure_future(_person(sock, job, out)))
        await asyncio.sleep(0.01)
    await asyncio.gather(*tasks)
    out["cpu_s"] = time.process_time() - cpu0
    return out


def generator(job: dict, results: mp.Queue) -> None:
    results.put(asyncio.run(_generate(job)))


# --- The orchestrator ----------------------------------------------------------------------------


def start_servers(target: str, prefix: str, layer: str, send_path: str) -> list[Server]:
    if target == "baseline":
        servers = [
            Server(
                "bench.baseline.asgi:application",
                settings="bench.baseline.settings",
                env={"CHANNEL_LAYER_PREFIX": prefix},
            )
        ]
    elif target == "floor":
        servers = [Server("bench.floor.asgi:application")]
    elif target == "floor-channels":
        servers = [Server("bench.floor.channels_asgi:application")]
    elif target == "peer":
        servers = [
            Server(
                "bench.peer.asgi:application",
                settings="bench.settings",
                # Persistent connections, as a deployed chat would set (with Django's
                # default of 0 every database_sync_to_async call opens a new one); no
                # pool, which Django leaves off unless asked (ours runs with DB_POOL=1).
                env={
                    "CHANNEL_LAYER_PREFIX": prefix,
                    "CHANNEL_LAYER": layer,
                    "DB_POOL": "0",
                    "DB_CONN_MAX_AGE": "60",
                },
            )
        ]
    else:
        count = 2 if target == "ours2" else 1
        env = {"CHANNEL_LAYER_PREFIX": prefix, "CHANNEL_LAYER": layer}
        if os.environ.get("REALTIME_DB_POOL_MAX"):  # else the application's default
            env["REALTIME_DB_POOL_MAX"] = os.environ["REALTIME_DB_POOL_MAX"]
        # The send path is chosen by a settings module of the bench's own.
        settings = "bench.settings_orm" if send_path == "orm" else "bench.settings"
        servers = [
            Server("project.asgi:application", env=env, settings=settings) for _ in range(count)
        ]
    return [s.ready() for s in servers]


def run_scenario(target, load, args, users, keys) -> dict:
    from realtime.models import Message

    rid = run_id()
    layer = {"baseline": "core", "floor": "-", "floor-channels": "-"}.get(target, args.layer)
    servers = start_servers(target, f"sf.bench.{rid}", layer, args.send_path)
    try:
        n = args.sockets
        rate = load / n
        if rate > 10:
            raise SystemExit(f"{load} msg/s needs more than 10 msg/s per socket with {n} sockets")
        ports = [s.port for s in servers]
        sockets = []
        for i in range(n):
            partner = i + 1 if i % 2 == 0 else i - 1
            sockets.append(
                {
                    "name": users[i].username,
                    "partner": users[partner].username,
                    "key": keys[i],
                    "pair": i // 2,
                    "port": ports[i % len(ports)],
                }
            )
        connect_time = n * 0.01 / args.generators + 5
        start_at = time.time() + connect_time
        job_base = {
            "target": target,
            "rate": rate,
            "start_at": start_at,
            "warmup": args.warmup,
            "end_at": start_at + args.warmup + args.duration,
            "run": rid,
        }
        cpu0 = [s.cpu_seconds() for s in servers]
        db_cpu0 = realtime_backends_cpu_seconds()
        results: mp.Queue = mp.get_context("spawn").Queue()
        procs = []
        for g in range(args.generators):
            job = {**job_base, "sockets": sockets[g :: args.generators]}
            p = mp.get_context("spawn").Process(target=generator, args=(job, results))
            p.start()
            procs.append(p)
        outs = [
            results.get(timeout=connect_time + args.warmup + args.duration + 120) for _ in procs
        ]
        for p in procs:
            p.join()
        rss = [s.rss_kib() for s in servers]
        cpu = [s.cpu_seconds() - c for s, c in zip(servers, cpu0, strict=True)]
        stores = target == "peer" or target.startswith("ours")
        # Only ours connects as the realtime pool: the peer's backends are not told apart.
        ours = target.startswith("ours")
        db_cpu = realtime_backends_cpu_seconds() - db_cpu0 if ours else None
    finally:
        for s in servers:
            s.stop()
    sent = sum(o["sent"] for o in outs)
    sent_all = sum(o["sent_all"] for o in outs)
    lat = [x for o in outs for x in o["latencies"]]
    errors: dict = {}
    for o in outs:
        for k, v in o["errors"].items():
            errors[k] = errors.get(k, 0) + v
    persisted = None
    if stores:  # ours and the peer store every message with its client_id
        persisted = Message.objects.filter(client_id__startswith=f"{rid}-").count()
    return {
        "target": target,
        "servers": len(servers),
        "layer": layer,
        "send_path": args.send_path if target.startswith("ours") else "-",
        "offered_msgs_per_s": load,
        "sent": sent,
        "delivered": len(lat),
        "delivered_pct": round(100 * len(lat) / sent, 3) if sent else 0,
        "delivered_msgs_per_s": round(len(lat) / args.duration, 1),
        "persisted_total": persisted,
        "p50_ms": round(1000 * percentile(lat, 50), 1),
        "p99_ms": round(1000 * percentile(lat, 99), 1),
        "max_ms": round(1000 * max(lat), 1) if lat else None,
        # The first second of the window (a cold start shows here with --warmup 0).
        "first_second_p99_ms": round(
            1000 * percentile([x for o in outs for x in o["first_second"]], 99), 1
        ),
        "sockets": args.sockets,
        "connected": sum(o["connected"] for o in outs),
        "closed_early": sum(o["closed"] for o in outs),
        "connect_errors": sum(o["connect_errors"] for o in outs),
        "errors": errors,
        "server_rss_kib": rss,
        # CPU per message over the whole run (connect, warm-up, measured window, drain):
        # what each message costs the Daphne processes, our PostgreSQL backends (none for
        # the baseline) and the load generators.
        "server_cpu_s": [round(c, 2) for c in cpu],
        "server_cpu_us_per_msg": round(1e6 * sum(cpu) / sent_all) if sent_all else None,
        "postgres_cpu_s": round(db_cpu, 2) if db_cpu is not None else None,
        "postgres_cpu_us_per_msg": (
            round(1e6 * db_cpu / sent_all) if sent_all and db_cpu is not None else None
        ),
        "generator_cpu_s": [round(o["cpu_s"], 2) for o in outs],
        "generator_cpu_us_per_msg": (
            round(1e6 * sum(o["cpu_s"] for o in outs) / sent_all) if sent_all else None
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loads", default="500,1000", help="offered msg/s, comma-separated")
    parser.add_argument(
        "--targets",
        default="baseline,peer,ours1,ours2",
        help="baseline: the Channels tutorial's chat (nothing stored); peer: a typical "
        "persisted Channels chat (bench/peer/); ours1/ours2: this project on 1 or 2 Daphne; "
        "floor: a bare ASGI app on Daphne sending our frames (bench/floor/), Daphne's own "
        "cost; floor-channels: the same through a Channels consumer, no layer, no database",
    )
    parser.add_argument("--sockets", type=int, default=100)
    parser.add_argument("--generators", type=int, default=2)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--layer", default="pubsub", choices=["pubsub", "core"])
    parser.add_argument("--send-path", default="sql", choices=["sql", "orm"])
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "ws_load.json"))
    args = parser.parse_args()

    setup_django()
    migrate()
    from tqdm import tqdm

    users = bench_users(args.sockets)
    scenarios = [(t, int(load)) for load in args.loads.split(",") for t in args.targets.split(",")]
    rows = []
    for target, load in tqdm(scenarios, desc="ws_load", unit="scenario"):
        keys = sessions_for(users)
        rows.append(run_scenario(target, load, args, users, keys))
        r = rows[-1]
        tqdm.write(
            f"{target:8} {load:5}/s  delivered {r['delivered_pct']:7.3f}% "
            f"({r['delivered_msgs_per_s']}/s)  p50 {r['p50_ms']} ms  p99 {r['p99_ms']} ms  "
            f"first-second p99 {r['first_second_p99_ms']} ms  "
            f"persisted {r['persisted_total']}  closed {r['closed_early']}  errors {r['errors']}  "
            f"CPU/msg: Daphne {r['server_cpu_us_per_msg']} µs, "
            f"PostgreSQL {r['postgres_cpu_us_per_msg']} µs, "
            f"generators {r['generator_cpu_us_per_msg']} µs"
        )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(rows, indent=2))
    print(
        "| target | Daphne | layer | offered/s | delivered | delivered/s | p50 ms | p99 ms "
        "| persisted | CPU µs/msg: Daphne | PostgreSQL | generators |"
    )
    print("|" + "---|" * 12)
    for r in rows:
        print(
            f"| {r['target']} | {r['servers']} | {r['layer']} | {r['offered_msgs_per_s']} | "
            f"{r['delivered_pct']}% | {r['delivered_msgs_per_s']} | {r['p50_ms']} | "
            f"{r['p99_ms']} | "
            f"{r['persisted_total'] if r['persisted_total'] is not None else '-'} | "
            f"{r['server_cpu_us_per_msg']} | {r['postgres_cpu_us_per_msg']} | "
            f"{r['generator_cpu_us_per_msg']} |"
        )


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
