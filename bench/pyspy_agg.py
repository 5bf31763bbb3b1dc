"""Aggregate py-spy raw profiles (`py-spy record -f raw`) by function and by part.

    .venv/bin/python bench/pyspy_agg.py daphne.*.raw            # parts, self, total
    .venv/bin/python bench/pyspy_agg.py --under 'RealtimeConsumer._start ' daphne.*.raw

Parts: each sample goes to the part of the innermost frame (below the event loop's
`_run_once`) that names one; what names none is the event loop itself. Used for the
reconnect storm's profile (docs/benchmarks.md, "Issue 13: where a reconnect's CPU goes").
"""

from __future__ import annotations

import argparse
import collections
import re
from pathlib import Path

PARTS = [
    ("socket writes to the clients", ["_write_at_once"]),
    ("PostgreSQL statements (psycopg, pool, realtime/db.py)", ["realtime/db.py", "psycopg"]),
    (
        "Redis (channel layer, pub/sub reader, presence)",
        ["redis/", "channels_redis/", "realtime/presence.py", "realtime/layers.py"],
    ),
    ("Daphne/Twisted/autobahn (HTTP, handshake, framing)", ["twisted/", "autobahn/", "daphne/"]),
    (
        "our Python (origin, auth, consumer, ordering, JSON, channels)",
        ["realtime/", "channels/", "json/", "django/", "common/"],
    ),
]


def load(paths: list[str]) -> collections.Counter[str]:
    stacks: collections.Counter[str] = collections.Counter()
    for path in paths:
        for line in Path(path).read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if stack:
                stacks[stack] += int(count)
    return stacks


def short(frame: str) -> str:
    match = re.match(r"(.*) \((.*?):\d+\)$", frame)
    if not match:
        return frame
    name, path = match.groups()
    path = re.sub(r".*site-packages/", "", path)
    path = re.sub(r".*/lib/python3\.\d+/", "", path)
    path = re.sub(r"^/.*?/(realtime|common|project|bench)/", r"\1/", path)
    return f"{name} ({path})"


def part(frames: list[str]) -> str:
    loop = max((i for i, f in enumerate(frames) if "BaseEventLoop._run_once" in f), default=-1)
    for frame in reversed(frames[loop + 1 :]):
        for name, needles in PARTS:
            if any(n in frame for n in needles):
                return name
    return "event loop (select, callbacks, task steps)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("raw", nargs="+")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--under", help="regex: the children of the first matching frame")
    args = parser.parse_args()
    stacks = load(args.raw)
    total = sum(stacks.values())
    parts: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    children: collections.Counter[str] = collections.Counter()
    for stack, count in stacks.items():
        frames = stack.split(";")
        parts[part(frames)] += count
        named = [short(f) for f in frames]
        own[named[-1]] += count
        for name in set(named):
            inclusive[name] += count
        if args.under:
            for i, name in enumerate(named):
                if re.search(args.under, name):
                    children[named[i + 1] if i + 1 < len(named) else "<self>"] += count
                    break
    print(f"{total} samples")
    sections = [("parts", parts), ("self", own), ("total", inclusive)]
    if args.under:
        sections = [(f"under {args.under}", children)]
    for title, counter in sections:
        print(f"== {title}")
        for name, count in counter.most_common(args.top):
            print(f"{100 * count / total:6.1f}%  {name}")


if __name__ == "__main__":
    main()
