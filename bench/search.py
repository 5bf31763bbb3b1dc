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

`--unfiltered` runs the "studios near me" suite instead (issue 14): a fresh random mix
of every common query — a place + radius 50 with no filter, with a type, a service,
both, with text; text alone; a city alone — around the ten largest cities and five more
(centres jittered up to 5 miles), pages 1–5, every sort each kind allows, each query
asked once, then the same mix again (warm); then London, Toronto, Shanghai, Lagos and
Berlin on their own (pages 1–5: radius 50 by distance, the city alone by name, text +
radius — a rare phrase and a common word; the five cities' requests interleaved, a round
of them per repeat); then the
legacy algorithm on the same unfiltered queries. With `--http http://127.0.0.1:PORT` the
requests go to a running Daphne instead of the in-process client. `--cold` marks the
first pass as cold and stops after the mix: run it right after restarting PostgreSQL (a
private instance: docs/benchmarks.md) and dropping the OS cache (`sync; echo 3 >
/proc/sys/vm/drop_caches`); the first request of each pass is reported on its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import random
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

from common.pagination import DEFAULT_PAGE_SIZE  # noqa: E402
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


class HttpClient:
    """GET over one kept-alive HTTP/1.1 connection to a running server (Daphne)."""

    def __init__(self, base: str) -> None:
        host = base.split("//", 1)[1].rstrip("/")
        self.connection = http.client.HTTPConnection(host, timeout=60)

    def get(self, path: str):
        self.connection.request("GET", path, headers={"Host": "testserver"})
        response = self.connection.getresponse()
        body = response.read()

        class Response:
            status_code = response.status
            content = body

            @staticmethod
            def json():
                return json.loads(body)

        return Response


class Runner:
    def __init__(self, http: str | None = None) -> None:
        self.client = HttpClient(http) if http else Client()
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


def legacy_unfiltered(lat: float, lng: float, radius: float) -> tuple[int, list]:
    """The old site's algorithm with no filter: every ACTIVE visible studio loaded."""
    rows = Studio.objects.filter(status=StudioStatus.ACTIVE, is_profile_visible=True)
    p1, l1 = math.radians(lat), math.radians(lng)
    hits, loaded = [], 0
    for sid, name, slat, slng, premium, verified in rows.values_list(
        "id", "name", "latitude", "longitude", "is_premium", "is_verified"
    ).iterator(chunk_size=20000):
        loaded += 1
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
    return loaded, hits[:20]


LARGEST = ["London", "Toronto", "Shanghai", "Lagos", "Berlin"]
SORTS_TRIED = ["distance", "name", "newest", "rating"]
# The common queries (issue 14) and the sorts each can ask.
KINDS = {
    "radius": ["distance", "name", "newest", "rating"],
    "radius + type": ["distance", "name", "newest", "rating"],
    "radius + service": ["distance", "name", "newest", "rating"],
    "radius + type + service": ["distance", "name", "newest", "rating"],
    "radius + text": ["relevance", "distance", "name", "newest", "rating"],
    "text": ["relevance", "name", "newest", "rating"],
    "city": ["name", "newest", "rating"],
}
MIX_TEXT = [
    *TEXT_QUERIES,
    "kestrel",
    "velvet studios",
    "lighthouse",
    "foxglo",
    "marble arch sound",
    "booth",
    "greenroom productions",
]


def _jitter(rng: random.Random, lat: float, lng: float) -> tuple[float, float]:
    """A centre up to 5 miles from (lat, lng): each query new, none repeated."""
    bearing, miles = rng.uniform(0, 2 * math.pi), rng.uniform(0, 5)
    jlat = lat + miles / 69.0 * math.cos(bearing)
    jlng = lng + miles / (69.0 * max(0.2, math.cos(math.radians(lat)))) * math.sin(bearing)
    return round(jlat, 5), round(jlng, 5)


def common_query(rng: random.Random, kind: str, city: tuple[str, float, float]) -> tuple[str, str]:
    """(sort, path) of one random query of a kind around / in a city, page 1–5."""
    name, lat, lng = city
    sort = rng.choice(KINDS[kind])
    params: dict = {"page": rng.randint(1, 5), "sort": sort}
    if kind.startswith("radius"):
        params["lat"], params["lng"] = _jitter(rng, lat, lng)
        params["radius"] = 50
    if "type" in kind:
        params["studio_types"] = rng.choice(TYPES)
    if "service" in kind:
        params["services"] = rng.choice(SERVICES)
    if "text" in kind:
        params["q"] = rng.choice(MIX_TEXT)
    if kind == "city":
        params["city"] = name
    return sort, _search(**params)


def largest_places() -> list[tuple[str, float, float]]:
    g = gazetteer()
    return [(name, *(lambda c: (c.latitude, c.longitude))(g.lookup(name))) for name in LARGEST]


def query_mix(seed: int, count: int, places) -> list[tuple[str, str, str]]:
    """(kind, sort, path) of `count` fresh random common queries, every kind as often, around
    the ten largest of `places` and LARGEST, shuffled; the same seed, the same mix."""
    rng = random.Random(seed)
    around = places[:10] + largest_places()
    mix = []
    for i in range(count):
        kind = list(KINDS)[i % len(KINDS)]
        mix.append((kind, *common_query(rng, kind, rng.choice(around))))
    rng.shuffle(mix)
    return mix


def unfiltered(args, runner: Runner, places, results: dict) -> None:
    """Issue 14's suite: every common query in a fresh random mix (pages 1–5, every sort),
    then the largest cities on their own, then the legacy algorithm."""
    big = largest_places()
    mix = query_mix(args.seed, args.mix, places)
    # The process warm — imports, URL routing, the pool's connections — not the data: a
    # readiness probe (SELECT 1) and a search refused by validation (400, no query).
    for path in ("/readyz", _search(radius="x")):
        runner.client.get(path)
    for label in ("first pass" + (" (cold)" if args.cold else ""), "warm pass"):
        by_kind: dict[str, list[float]] = {}
        by_sort: dict[str, list[float]] = {}
        times, estimates = [], 0
        for kind, sort, path in tqdm(mix, desc=label, unit=" req"):
            ms, body = runner.get(kind, path)
            if not times:
                results[f"first request of the {label}"] = {"ms": round(ms, 1), "path": path}
            times.append(ms)
            by_kind.setdefault(kind, []).append(ms)
            by_sort.setdefault(sort, []).append(ms)
            estimates += bool(body.get("count_is_estimate"))
        results[f"common queries mix, pages 1-5, every sort, {label}"] = summary(times) | {
            "count_is_estimate": estimates,
            "per_kind": {k: summary(v) for k, v in by_kind.items()},
            "per_sort": {s: summary(v) for s, v in by_sort.items()},
        }
    if args.cold:
        return  # the cold run measures the first pass; the rest is the warm run's
    per_city: dict[str, dict] = {}
    for label, query in (
        (
            "radius 50, no filter, distance",
            lambda lat, lng, _: {"lat": lat, "lng": lng, "radius": 50},
        ),
        ("city only, name", lambda _lat, _lng, name: {"city": name}),
        (
            "text 'quiet fox' + radius 50",
            lambda lat, lng, _: {"lat": lat, "lng": lng, "radius": 50, "q": "quiet fox"},
        ),
        # A common word: thousands of matches around London (its count estimated, the page
        # read tier by tier), hundreds around Berlin (exact, one statement) — pages 1–5
        # list studios in both, so the ratio compares pages of the same size.
        (
            "text 'sound' + radius 50",
            lambda lat, lng, _: {"lat": lat, "lng": lng, "radius": 50, "q": "sound"},
        ),
    ):
        # The cities' requests interleaved, one round of them per repeat: a machine whose
        # speed drifts during the run (this one switches between two states) weighs on
        # every city alike, not on whichever came first.
        rows = {city: {} for city, _, _ in big}
        for page in range(1, 6):
            paths = {city: _search(**query(lat, lng, city), page=page) for city, lat, lng in big}
            ms: dict[str, list[float]] = {city: [] for city in paths}
            for city, path in paths.items():
                _, body = runner.get("largest cities", path)  # warm
                rows[city]["matches"] = body["count"]
                rows[city]["count_is_estimate"] = body.get("count_is_estimate")
            for _ in range(args.repeat):
                for city, path in paths.items():
                    ms[city].append(runner.get("largest cities", path)[0])
            for city in paths:
                rows[city][f"page {page} p50_ms"] = round(statistics.median(ms[city]), 1)
        per_city[label] = rows
        london = statistics.median(v for k, v in rows["London"].items() if k.endswith("p50_ms"))
        berlin = statistics.median(v for k, v in rows["Berlin"].items() if k.endswith("p50_ms"))
        rows["London / Berlin (median of pages 1-5)"] = round(london / berlin, 2)
        # Where Berlin's matches end before page 5, its later pages are empty (no cards to
        # load) and cheaper than London's full ones: the same ratio over the pages that
        # list studios in both cities.
        # And over the pages full in both (the same number of cards to load and render).
        fewest = min(rows["London"]["matches"], rows["Berlin"]["matches"])
        for pages, what in (
            ([page for page in range(1, 6) if (page - 1) * DEFAULT_PAGE_SIZE < fewest], "results"),
            ([page for page in range(1, 6) if page * DEFAULT_PAGE_SIZE <= fewest], "full"),
        ):
            if 0 < len(pages) < 5:
                ratios = [
                    rows["London"][f"page {page} p50_ms"] / rows["Berlin"][f"page {page} p50_ms"]
                    for page in pages
                ]
                span = f"page {pages[0]}" if len(pages) == 1 else f"pages {pages[0]}-{pages[-1]}"
                label = f"London / Berlin ({span}, {what} in both)"
                rows[label] = round(statistics.median(ratios), 2)
    results["largest cities on their own"] = per_city
    radius_rows = per_city["radius 50, no filter, distance"]
    if args.legacy_runs:
        legacy = {}
        for city, lat, lng in tqdm(big, desc="legacy unfiltered", unit=" city"):
            start = time.perf_counter()
            loaded, _ = legacy_unfiltered(lat, lng, 50)
            ms = (time.perf_counter() - start) * 1000
            ours = radius_rows[city]["page 1 p50_ms"]
            legacy[city] = {
                "legacy_ms": round(ms),
                "rows_loaded": loaded,
                "ours_page_1_p50_ms": ours,
                "speedup": round(ms / ours),
            }
        results["legacy: unfiltered radius 50, page 1"] = legacy
    if not args.http:  # EXPLAIN needs the queries, which only the in-process client sees
        runner.explain("unfiltered radius 50 around London", _search(location="London", radius=50))
        runner.explain("city only: London", _search(city="London"))
        runner.explain("text: quiet fox", _search(q="quiet fox"))


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
    parser.add_argument("--unfiltered", action="store_true", help="issue 14's suite only")
    parser.add_argument("--mix", type=int, default=120, help="queries in the random mix")
    parser.add_argument("--seed", type=int, default=None, help="the mix's seed (default: fresh)")
    parser.add_argument("--cold", action="store_true", help="the first pass follows a cold start")
    parser.add_argument("--http", default=None, help="a running server, e.g. http://127.0.0.1:8765")
    args = parser.parse_args()

    runner = Runner(args.http)
    places = cities()
    results: dict[str, dict] = {}
    started = dt.datetime.now(dt.UTC)
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    if args.unfiltered:
        unfiltered(args, runner, places, results)
        _write(runner, places, started, load_before, args, results)
        return

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
        _write(runner, places, started, load_before, args, results)
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
        studios = Studio.objects.count()
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

    _write(runner, places, started, load_before, args, results)


def _write(runner, places, started, load_before, args, results) -> None:
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    studios = Studio.objects.count()  # after the run: a cold run must not warm the studios
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    report = {
        "started": started.isoformat(),
        "studios": studios,
        "facet_plan": os.environ.get("SEARCH_FACET_PLAN", "1") != "0",
        "knn_plan": os.environ.get("SEARCH_KNN_PLAN", "1") != "0",
        "through": args.http or "in-process django.test.Client",
        "command": " ".join(sys.argv),
        "cities": [c for c, _, _ in places],
        "repeat": args.repeat,
        "load_average_before": load_before,
        "load_average_after": load_after,
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
