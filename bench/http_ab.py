"""Two running servers, the same requests, paired: what one server's HTTP path costs
against the other's.

    flock /tmp/sf-bench.lock .venv/bin/python bench/http_ab.py \
        --a http://127.0.0.1:18791 --b http://127.0.0.1:18792 [--mix 140] [--rounds 3]

Each server is a Daphne on the same database (e.g. one started from an older checkout,
one from this one: docs/benchmarks.md, "HTTP through one Daphne"). The requests: `/healthz`
(no database, no middleware work worth the name: the handler's own cost), then bench/
search.py's random mix of every common search query (`--unfiltered`'s mix, the same seed
gives the same queries). Every request goes to both servers, in a random order each time,
over one kept-alive connection each, so that both see the same load and the same cache;
reported per kind: each server's p50 / p95 and the median of the paired differences
(a − b). Writes bench/results/http_ab-<time>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search


def _time(client: search.HttpClient, path: str) -> float:
    start = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (path, response.status_code, response.content[:200])
    return elapsed


def _paired(a: list[float], b: list[float]) -> dict:
    return {
        "a": search.summary(a),
        "b": search.summary(b),
        "median a - b ms": round(statistics.median(x - y for x, y in zip(a, b, strict=True)), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", required=True, help="the first server, e.g. http://127.0.0.1:18791")
    parser.add_argument("--b", required=True, help="the second server")
    parser.add_argument("--mix", type=int, default=140, help="search queries in the mix")
    parser.add_argument("--seed", type=int, default=43)
    parser.add_argument("--rounds", type=int, default=3, help="times each query is asked of each")
    parser.add_argument("--healthz", type=int, default=500, help="paired /healthz requests")
    args = parser.parse_args()

    clients = {"a": search.HttpClient(args.a), "b": search.HttpClient(args.b)}
    mix = search.query_mix(args.seed, args.mix, search.cities())
    order = random.Random(args.seed + 1)
    load_before = Path("/proc/loadavg").read_text().split()[:3]

    def ask_both(path: str, times: dict[str, list[float]]) -> None:
        sides = ["a", "b"]
        order.shuffle(sides)
        for side in sides:
            times[side].append(_time(clients[side], path))

    warm: dict[str, list[float]] = {"a": [], "b": []}
    for _kind, _sort, path in search.tqdm(mix, desc="warm-up", unit=" req"):
        ask_both(path, warm)
    health: dict[str, list[float]] = {"a": [], "b": []}
    for _ in search.tqdm(range(args.healthz), desc="/healthz", unit=" req"):
        ask_both("/healthz", health)
    by_kind: dict[str, dict[str, list[float]]] = {}
    every: dict[str, list[float]] = {"a": [], "b": []}
    for round_ in range(args.rounds):
        shuffled = mix[:]
        order.shuffle(shuffled)
        for kind, _sort, path in search.tqdm(shuffled, desc=f"round {round_ + 1}", unit=" req"):
            times = by_kind.setdefault(kind, {"a": [], "b": []})
            ask_both(path, times)
            for side in every:
                every[side].append(times[side][-1])

    results = {
        "a": args.a,
        "b": args.b,
        "load_average_before": load_before,
        "load_average_after": Path("/proc/loadavg").read_text().split()[:3],
        "/healthz": _paired(health["a"], health["b"]),
        "search mix, every kind": _paired(every["a"], every["b"]),
        "per kind": {kind: _paired(t["a"], t["b"]) for kind, t in by_kind.items()},
    }
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = Path(search.ROOT) / "bench" / "results" / f"http_ab-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
