"""PostgreSQL's floor for a chat message: the backend's CPU per statement for a round trip
(`SELECT 1`) and for the smallest durable write (one row inserted in its own transaction),
prepared, from one connection; PostgreSQL on this machine (it reads the backend's /proc).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sf_bench \
        flock /tmp/sf-bench.lock .venv/bin/python bench/pg_floor.py

Compare with the PostgreSQL column of bench/ws_load.py (docs/benchmarks.md, "the floor").
Its table (`bench_floor_probe`) is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import cpu_seconds

STATEMENTS = {
    "round trip (SELECT 1)": ("SELECT 1", None),
    "one row inserted, committed": (
        "INSERT INTO bench_floor_probe (sender, content) VALUES (%s, %s)",
        (7, "12|1765000000.123456"),
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--statements", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or sys.exit("Set DATABASE_URL.")
    with psycopg.connect(url, autocommit=True) as conn:
        # A logged table, as the messages table is: the floor of a durable write.
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_floor_probe (id bigserial PRIMARY KEY, "
            "sender bigint, content text, created_at timestamptz DEFAULT now())"
        )
        try:
            pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
            for label, (sql, params) in STATEMENTS.items():
                for _ in range(args.rounds):
                    cpu0, wall0 = cpu_seconds(pid), time.perf_counter()
                    for _ in range(args.statements):
                        conn.execute(sql, params, prepare=True)
                    cpu = (cpu_seconds(pid) - cpu0) / args.statements
                    wall = (time.perf_counter() - wall0) / args.statements
                    print(f"{label:30} backend CPU {1e6 * cpu:6.1f} µs  wall {1e6 * wall:6.1f} µs")
        finally:
            conn.execute("DROP TABLE bench_floor_probe")


if __name__ == "__main__":
    main()
