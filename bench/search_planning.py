"""What PostgreSQL spends planning the search's statements, against running them.

    SERVICES_DATABASE_URL=… SERVICES_REDIS_URL=… \
        .venv/bin/python bench/search_planning.py [--per-kind 12]

Each query of bench/search.py's mix (its `--unfiltered` kinds, the same seed, the same
queries) is asked once in process with its statements recorded; each statement is then
run twice under `EXPLAIN (ANALYZE, SUMMARY, TIMING OFF)` on the same connection, and the
second run's "Planning Time" and "Execution Time" are summed per request (warm: the
first run fills the connection's catalog caches). Reported per kind: statements, planning
and execution per request, in ms. docs/benchmarks.md, "the centre's point written out".
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search
from django.db import connection
from django.test.utils import CaptureQueriesContext


def _timed(sql: str) -> tuple[float, float]:
    with connection.cursor() as cursor:
        for _ in range(2):
            cursor.execute("EXPLAIN (ANALYZE, SUMMARY, TIMING OFF) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
    planning = float(re.search(r"Planning Time: ([\d.]+)", plan).group(1))
    execution = float(re.search(r"Execution Time: ([\d.]+)", plan).group(1))
    return planning, execution


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-kind", type=int, default=12, help="queries of each kind")
    parser.add_argument("--seed", type=int, default=43)
    args = parser.parse_args()
    mix = search.query_mix(args.seed, args.per_kind * len(search.KINDS), search.cities())
    client = search.Client()
    totals: dict[str, list[float]] = {}
    for kind, _sort, path in mix:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200, path
        # captured_queries hold each statement with its values in (psycopg's mogrify).
        statements = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip()[:1] in "S("]
        row = totals.setdefault(kind, [0.0, 0.0, 0.0, 0.0])
        row[0] += 1
        row[1] += len(statements)
        for sql in statements:
            planning, execution = _timed(sql)
            row[2] += planning
            row[3] += execution
    print(f"{'kind':26s} statements/req  planning ms/req  execution ms/req")
    for kind, (requests, statements, planning, execution) in totals.items():
        print(
            f"{kind:26s} {statements / requests:14.1f} {planning / requests:15.2f}"
            f" {execution / requests:17.2f}"
        )


if __name__ == "__main__":
    main()
