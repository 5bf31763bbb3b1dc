"""A notification to N online users: time until every socket has it.

N sockets (cookie sessions) connect from several processes; then one `notify_many()`
call (one transaction, then one push per user on commit) runs in this process, and each
socket records when its `notification.new` arrived.

    flock /tmp/sf-bench.lock .venv/bin/python bench/notify_fanout.py --users 1000

Target: 1,000 online users, all delivered within 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
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
    run_id,
    sessions_for,
    setup_django,
)


async def _listen(port, keys, marker, connected, results) -> None:
    from websockets.asyncio.client import connect

    sem = asyncio.Semaphore(50)
    received: list[float] = []

    async def one(key):
        async with sem:
            ws = await connect(
                f"ws://127.0.0.1:{port}/ws/",
                origin=f"http://127.0.0.1:{port}",
                additional_headers={"Cookie": f"sessionid={key}"},
                open_timeout=60,
            )
            json.loads(await ws.recv())
            with connected.get_lock():
                connected.value += 1
        try:
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 60))
                if frame["type"] == "notification.new" and frame["notification"]["title"] == marker:
                    received.append(time.time())
                    return
        finally:
            await ws.close()

    await asyncio.gather(*(one(k) for k in keys), return_exceptions=True)
    results.put(received)


def listener(port, keys, marker, connected, results) -> None:
    asyncio.run(_listen(port, keys, marker, connected, results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--generators", type=int, default=2)
    parser.add_argument("--servers", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "notify_fanout.json"))
    args = parser.parse_args()
    rid = run_id()
    # This process pushes through the same layer (same prefix) as the servers.
    os.environ["CHANNEL_LAYER_PREFIX"] = f"sf.fan.{rid}"
    setup_django()
    migrate()
    from realtime.services import notify_many

    users = bench_users(args.users, prefix="fan")
    keys = sessions_for(users)
    marker = f"Announcement {rid}"
    servers = [
        Server("project.asgi:application", env={"CHANNEL_LAYER_PREFIX": f"sf.fan.{rid}"}).ready()
        for _ in range(args.servers)
    ]
    ctx = mp.get_context("spawn")
    try:
        connected, results = ctx.Value("i", 0), ctx.Queue()
        procs = []
        for g in range(args.generators):
            port = servers[g % len(servers)].port
            p = ctx.Process(
                target=listener,
                args=(port, keys[g :: args.generators], marker, connected, results),
            )
            p.start()
            procs.append(p)
        # A long-running process: imports and the broker connection are warm.
        notify_many(user_ids=[users[0].pk], type="STUDIO_VERIFIED", title="warm-up", message=".")
        while connected.value < args.users:
            time.sleep(0.2)
        time.sleep(2)
        t0 = time.time()
        notify_many(
            user_ids=[u.pk for u in users],
            type="STUDIO_VERIFIED",
            title=marker,
            message="A benchmark announcement.",
        )
        committed_and_pushed = time.time() - t0
        received = [t for _ in procs for t in results.get(timeout=120)]
        for p in procs:
            p.join()
    finally:
        for s in servers:
            s.stop()
    lat = [t - t0 for t in received]
    result = {
        "users": args.users,
        "servers": args.servers,
        "delivered": len(received),
        "notify_call_seconds": round(committed_and_pushed, 3),
        "p50_s": round(percentile(lat, 50), 3),
        "p99_s": round(percentile(lat, 99), 3),
        "all_delivered_within_s": round(max(lat), 3) if lat else None,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
