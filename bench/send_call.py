"""The hot path's database call alone: `message.send` without sockets or the channel layer.

    flock /tmp/sf-bench.lock .venv/bin/python bench/send_call.py

Prints the sequential latency of one call (p50, p90) and the throughput of 20 pairs
sending concurrently through the async pool — what one Daphne process can ask of
PostgreSQL at most.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, bench_users, migrate, percentile, run_id, setup_django


async def measure(users, rid: str) -> dict:
    from django.conf import settings

    from realtime import db
    from realtime.services.messages import message_send_async

    a, b = users[0], users[1]
    lat = []
    for i in range(200):
        t = time.perf_counter()
        await message_send_async(
            sender=a, to=b.username, content="x", client_id=f"{rid}-s{i}", push=False
        )
        lat.append(time.perf_counter() - t)

    async def pair(k: int) -> None:
        for i in range(40):
            await message_send_async(
                sender=users[2 * k],
                to=users[2 * k + 1].username,
                content="x",
                client_id=f"{rid}-c{k}-{i}",
                push=False,
            )

    t = time.perf_counter()
    await asyncio.gather(*(pair(k) for k in range(20)))
    rate = 800 / (time.perf_counter() - t)
    await db.close_pool()
    return {
        "sequential_p50_ms": round(1000 * percentile(lat, 50), 2),
        "sequential_p90_ms": round(1000 * percentile(lat, 90), 2),
        "concurrent_20_pairs_msgs_per_s": round(rate, 1),
        "pool_max": settings.REALTIME_DB_POOL_MAX,
    }


def main() -> None:
    setup_django()
    migrate()
    users = bench_users(40)
    print(asyncio.run(measure(users, run_id())))


if __name__ == "__main__":
    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")  # no send budget
    main()
