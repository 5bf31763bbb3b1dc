"""Search at a million studios, through the whole Django stack, with the page cache off.

    flock /tmp/sf-bench.lock .venv/bin/python bench/search.py [--repeat N] [--legacy-runs N]

Runs in services mode against SERVICES_DATABASE_URL (a database loaded with
`seed_demo --scale 1000000`, e.g. by bench/seed_1m.sh) and SERVICES_REDIS_URL. Every
request goes through django.test.Client: middleware, URL routing, the view, the
serializer, JSON rendering — in-process, so no network or server noise is counted.

Cases (docs/benchmarks.md, "Search"): radius 50 + type + service and radius 500 + type +
service around 20 real cities (the 10 most populous of the gazetteer among them), a text
query, a city filter, featured, a studio page (if GET /api/studios/{id} exists), and the
legacy algorithm on the same radius queries: load every ACTIVE studio matching type and
service, haversine in Python, sort in Python. Writes bench/results/search-<time>.json
and the EXPLAIN ANALYZE of each case's main query to bench/results/search-plans-<time>.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ["DATABASE_URL"] = os.environ.get("SERVICES_DATABASE_URL") or os.environ["DATABASE_URL"]
os.environ["REDIS_URL"] = os.environ.get("SERVICES_REDIS_URL") or os.environ["REDIS_URL"]
os.environ.update(
    DJANGO_SETTINGS_MODULE="project.settings",
    DJANGO_DEBUG="0",  # production settings: no query log kept in memory
    SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-" + "x" * 40),
    ALLOWED_HOSTS="testserver",
    SECURE_SSL_REDIRECT="0",
    SEARCH_CACHE_SECONDS="0",  # the cache off: every request does the work
    DB_CONN_MAX_AGE=os.environ.get("DB_CONN_MAX_AGE", "60"),  # persistent, as in production
    GEOCODER_ENABLED="0",
    LOG_LEVEL="WARNING",
)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from tqdm import tqdm  # noqa: E402

from directory.models import Studio, StudioSearch, StudioStatus  # noqa: E402
from directory.selectors.places import gazetteer  # noqa: E402

EXTRA_CITIES = [  # ten more, spread over the globe (Fiji and the Arctic included)
    "London",
    "New York City",
    "Los Angeles",
    "Paris",
    "Sydney",
    "Nairobi",
    "Toronto",
    "Berlin",
    "Suva",
    "Tromsø",
]
TYPES = ["HOME", "RECORDING", "VO_COACH", "EDITING", "PODCAST", "VOICEOVER"]
SERVICES = ["SOURCE_CONNECT", "ZOOM", "CLEANFEED", "ISDN", "SESSION_LINK_PRO", "TEAMS"]
TEXT_QUERIES = ["quiet fox", "nightingale booth", "priya patel", "nightingle", "copper wi"]
EARTH_RADIUS_MI = 3958.7613


def cities() -> list[tuple[str, float, float]]:
    """The 10 most populous gazetteer cities, then EXTRA_CITIES."""
    g = gazetteer()
    everyone = {c for entries in g.by_name.values() for c in entries}
    largest = sorted(everyone, key=lambda c: -c.population)[:10]
    chosen = [(c.name, c.latitude, c.longitude) for c in largest]
    for name in EXTRA_CITIES:
        city = g.lookup(name)
        chosen.append((city.name, city.latitude, city.longitude))
    return chosen


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(ms: list[float]) -> dict:
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(percentile(ms, 0.95), 1),
        "max_ms": round(max(ms), 1),
    }


class Runner:
    def __init__(self) -> None:
        self.client = Client()
        self.max_queries: dict[str, int] = {}
        self.plans: list[str] = []

    def get(self, case: str, path: str) -> tuple[float, dict]:
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = self.client.get(path)
            elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        self.max_queries[case] = max(self.max_queries.get(case, 0), len(queries))
        return elapsed, response.json()

    def explain(self, title: str, path: str) -> None:
        """EXPLAIN ANALYZE of the request's heaviest query (the page + count query)."""
        with CaptureQueriesContext(connection) as queries:
            self.client.get(path)
        sql = max(queries.captured_queries, key=lambda q: float(q["time"]))["sql"]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        self.plans.append(f"### {title}\n\nGET {path}\n\n```\n{plan}\n```\n")


def legacy_search(lat: float, lng: float, radius: float, types: list[str], services: list[str]):
    """The old site's algorithm: every ACTIVE studio of the types and services, then
    haversine and sort in Python."""
    rows = list(
        Studio.objects.filter(
            status=StudioStatus.ACTIVE,
            is_profile_visible=True,
            studio_types__studio_type__in=types,
            services__service__in=services,
        )
        .distinct()
        .values_list("id", "name", "latitude", "longitude", "is_premium", "is_verified")
    )
    p1, l1 = math.radians(lat), math.radians(lng)
    hits = []
    for sid, name, slat, slng, premium, verified in rows:
        if slat is None:
            continue
        p2, l2 = math.radians(float(slat)), math.radians(float(slng))
        a = (
            math.sin((p2 - p1) / 2) ** 2
            + math.cos(p1) * math.cos(p2) * math.sin((l2 - l1) / 2) ** 2
        )
        if 2 * EARTH_RADIUS_MI * math.asin(math.sqrt(a)) <= radius:
            hits.append((not premium, not verified, name, sid))
    hits.sort()
    return len(rows), hits[:20]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="requests per city and case")
    parser.add_argument("--legacy-runs", type=int, default=1, help="legacy runs per city")
    parser.add_argument(
        "--radius-only",
        action="store_true",
        help="only the two radius cases, without the legacy algorithm (to compare plans: "
        "SEARCH_FACET_PLAN=0 times the single-GiST general plan)",
    )
    args = parser.parse_args()

    runner = Runner()
    places = cities()
    studios = Studio.objects.count()
    results: dict[str, dict] = {}
    started = dt.datetime.now(dt.UTC)
    load_before = Path("/proc/loadavg").read_text().split()[:3]

    def combos(i: int) -> tuple[str, str]:
        return TYPES[i % len(TYPES)], SERVICES[(i * 5 + 1) % len(SERVICES)]

    def radius_case(radius: int) -> None:
        name = f"radius {radius} + type + service"
        times, per_city, counts = [], {}, []
        requests = [
            (city, lat, lng, *combos(i)) for city, lat, lng in places for i in range(args.repeat)
        ]
        for _city, lat, lng, t, s in requests[:: args.repeat]:  # warm up once per city
            runner.get(name, _search(lat=lat, lng=lng, radius=radius, studio_types=t, services=s))
        for city, lat, lng, t, s in tqdm(requests, desc=name, unit=" req"):
            ms, body = runner.get(
                name, _search(lat=lat, lng=lng, radius=radius, studio_types=t, services=s)
            )
            times.append(ms)
            per_city.setdefault(city, []).append(ms)
            counts.append(body["count"])
        results[name] = summary(times) | {
            "matches_median": int(statistics.median(counts)),
            "matches_max": max(counts),
            "per_city_p50_ms": {c: round(statistics.median(v), 1) for c, v in per_city.items()},
        }
        city, lat, lng = places[0]
        t, s = combos(0)
        runner.explain(
            f"{name} around {city}",
            _search(lat=lat, lng=lng, radius=radius, studio_types=t, services=s),
        )

        if args.radius_only:
            return
        legacy_times, legacy_per_city, speedups = [], {}, []
        for city, lat, lng in tqdm(places, desc=f"legacy {radius}", unit=" city"):
            t, s = combos(0)
            ours = statistics.median(per_city[city])
            for _ in range(args.legacy_runs):
                start = time.perf_counter()
                loaded, _ = legacy_search(lat, lng, radius, [t], [s])
                ms = (time.perf_counter() - start) * 1000
                legacy_times.append(ms)
                legacy_per_city[city] = ms
                speedups.append(ms / ours)
        results[f"legacy: {name}"] = summary(legacy_times) | {
            "rows_loaded_last": loaded,
            "speedup_vs_ours_p50_min": round(min(speedups), 1),
            "speedup_vs_ours_p50_median": round(statistics.median(speedups), 1),
            "per_city_ms": {c: round(v) for c, v in legacy_per_city.items()},
        }

    radius_case(50)
    radius_case(500)
    if args.radius_only:
        _write(runner, places, studios, started, load_before, args, results)
        return

    def simple_case(name: str, paths: list[str], explain: str | None = None) -> None:
        for path in paths:
            runner.get(name, path)  # warm-up
        times, counts = [], []
        for _ in range(args.repeat):
            for path in tqdm(paths, desc=name, unit=" req", leave=False):
                ms, body = runner.get(name, path)
                times.append(ms)
                counts.append(body.get("count", len(body.get("results", []))))
        results[name] = summary(times) | {"matches_median": int(statistics.median(counts))}
        if explain:
            runner.explain(name, explain)

    text_paths = [_search(q=q) for q in TEXT_QUERIES]
    simple_case("text query", text_paths, explain=text_paths[0])
    city_paths = [_search(city=name) for name, _, _ in places]
    simple_case("city filter", city_paths, explain=city_paths[0])
    simple_case("featured", ["/api/studios/featured"] * 4)
    try:
        spread = list(range(1, studios + 1, max(1, studios // 200)))  # listed ones, spread
        some = list(
            StudioSearch.objects.filter(studio_id__in=spread).values_list("studio_id", flat=True)[
                :40
            ]
        )
        detail = [reverse("studio-detail", args=[sid]) for sid in some]
    except NoReverseMatch:
        detail = []
    if detail:
        simple_case("studio page", detail)
    else:
        results["studio page"] = {"note": "GET /api/studios/{id} is not on this branch yet"}

    _write(runner, places, studios, started, load_before, args, results)


def _write(runner, places, studios, started, load_before, args, results) -> None:
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    report = {
        "started": started.isoformat(),
        "studios": studios,
        "facet_plan": os.environ.get("SEARCH_FACET_PLAN", "1") != "0",
        "cities": [c for c, _, _ in places],
        "repeat": args.repeat,
        "load_average_before": load_before,
        "load_average_after": Path("/proc/loadavg").read_text().split()[:3],
        "max_queries_per_request": runner.max_queries,
        "results": results,
    }
    (out / f"search-{stamp}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    (out / f"search-plans-{stamp}.txt").write_text("\n".join(runner.plans))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\nwrote bench/results/search-{stamp}.json and search-plans-{stamp}.txt")


def _search(**params) -> str:
    return "/api/studios/search?" + urlencode(params)


if __name__ == "__main__":
    main()
