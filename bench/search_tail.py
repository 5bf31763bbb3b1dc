"""Which queries of bench/search.py's mix are slow every time, and where their time goes.

    flock /tmp/sf-bench.lock .venv/bin/python bench/search_tail.py [--passes 5] [--seeds 43,44]

The same environment as bench/search.py (SERVICES_DATABASE_URL on the 1,000,000-studio
seed, in process, the page cache off). The mix of each seed (`--unfiltered`'s: every common
query, pages 1–5, every sort) is asked `--passes` times; each query's median is its cost,
so one slow moment of the machine does not make a query slow. Prints the p50 / p95 / max of
those medians per kind, then the slowest queries with each of their statements' times (as
Django records them, to the millisecond) and the statement's first characters.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search
from django.db import connection
from django.test.utils import CaptureQueriesContext


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--seeds", default="43", help="comma-separated mix seeds")
    parser.add_argument("--mix", type=int, default=140)
    parser.add_argument("--show", type=int, default=25, help="slowest queries listed")
    args = parser.parse_args(sys.argv[1:])
    runner = search.Runner()
    for path in ("/readyz", search._search(radius="x")):  # the process warm, as search.py
        runner.client.get(path)
    places = search.cities()
    mix = [
        query
        for seed in args.seeds.split(",")
        for query in search.query_mix(int(seed), args.mix, places)
    ]
    times: list[list[float]] = [[] for _ in mix]
    statements: list[list[tuple[float, str]]] = [[] for _ in mix]
    for _ in range(args.passes):
        for i, (_kind, _sort, path) in enumerate(mix):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = runner.client.get(path)
                times[i].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            statements[i] = [
                (float(q["time"]) * 1000, " ".join(q["sql"].split())[:90])
                for q in queries.captured_queries
            ]
    medians = sorted(((statistics.median(t), i) for i, t in enumerate(times)), reverse=True)
    by_kind: dict[str, list[float]] = {}
    for median, i in medians:
        by_kind.setdefault(mix[i][0], []).append(median)
    for kind, values in by_kind.items():
        values.sort()
        p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
        p50 = statistics.median(values)
        print(f"{kind:26s} p50 {p50:5.1f}  p95 {p95:5.1f}  max {values[-1]:5.1f}")
    for median, i in medians[: args.show]:
        kind, sort, path = mix[i]
        print(f"{median:6.1f} ms  {kind:24s} {sort:9s} {path}")
        for ms, sql in statements[i]:
            print(f"          {ms:6.2f}  {sql}")


if __name__ == "__main__":
    main()
