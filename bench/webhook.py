"""Stripe webhooks: intake throughput and latency, then one worker draining the backlog.

Phase 1 — intake: signed events (stripe-python's signer) are POSTed to
/api/stripe/webhook on Daphne processes from several client processes, a few keep-alive
connections each, with no worker running. Reports accepted events/s and latency
percentiles. 10% of the posts are duplicate deliveries of an earlier event.

Phase 2 — backlog: one Celery worker (prefork with concurrency 1, or `--worker-pool solo`;
acks_late) starts and applies the queued events; a subscription is read from a local fake
Stripe (tests/fakes/stripe.py, over HTTP, as in production) unless our last committed read
of it happened after the event (docs/billing.md). Reports events/s from the first to the
last `processed_at`.

Posts go to billing/asgi.py as Daphne serves them (`--app project.asgi:django_asgi_app`:
through Django's middleware stack and the DRF view instead). The servers use the database
connection pool (DB_POOL, on by default; the worker drops it).

    cd /work/main/.worktrees/billing && set -a && source ../billing.env && set +a && \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sf_billing_bench \\
    flock /tmp/sf-bench.lock .venv/bin/python bench/webhook.py --events 1500 --subscriptions 100

Run no tests on the same Redis database meanwhile: the suite's `cache.clear()` is a
FLUSHDB, which empties the benchmark's queue (its own key prefix does not protect it).

Targets (issue 10): ≥300 events/s accepted with p99 ≤100 ms; backlog ≥100 events/s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, SERVER_ENV, Server, migrate, percentile, run_id, setup_django

WEBHOOK_SECRET = "whsec_bench_studio_finder"  # noqa: S105 - a local benchmark secret


def _poster(port: int, payloads: list[tuple[str, str]], connections: int, out) -> None:
    """Post (payload, signature) pairs over `connections` keep-alive connections."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    chunks = [payloads[i::connections] for i in range(connections)]

    def run(chunk):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for payload, signature in chunk:
            start = time.perf_counter()
            conn.request(
                "POST",
                "/api/stripe/webhook",
                body=payload,
                headers={
                    "Content-Type": "application/json",
                    "Stripe-Signature": signature,
                    "Host": "127.0.0.1",
                },
            )
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((latencies, statuses))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=6000)
    parser.add_argument("--subscriptions", type=int, default=200)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4, help="posting processes")
    parser.add_argument("--connections", type=int, default=2, help="per posting process")
    parser.add_argument(
        "--app",
        default="project.asgi:application",
        help="the ASGI app; project.asgi:django_asgi_app posts through Django's stack instead "
        "of billing/asgi.py, for comparison",
    )
    parser.add_argument(
        "--worker-pool",
        default="prefork",
        choices=["prefork", "solo"],
        help="the worker's pool (one process either way: prefork with concurrency 1 runs "
        "tasks in one child, solo in the worker process itself)",
    )
    parser.add_argument(
        "--worker-prefetch",
        type=int,
        default=None,
        help="the worker's --prefetch-multiplier (default: CELERY_WORKER_PREFETCH_MULTIPLIER)",
    )
    parser.add_argument(
        "--worker-conn-max-age", type=int, default=60, help="the worker's WORKER_DB_CONN_MAX_AGE"
    )
    args = parser.parse_args()

    os.environ["STRIPE_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    # A queue of its own: a worker of the test suite on the same Redis database must not
    # take the benchmark's tasks (nor the benchmark's worker the suite's).
    for name in ("CELERY_KEY_PREFIX", "CACHE_KEY_PREFIX"):
        os.environ[name] = os.environ.get(name, "") + "bench-webhook:"
    setup_django()
    migrate()

    import stripe
    from django.contrib.auth import get_user_model

    from billing.models import StripeEvent
    from directory.models import Studio
    from tests.fakes.stripe import SECRET_KEY, FakeStripe, start

    fake = FakeStripe()
    start(fake)
    rid = run_id()
    User = get_user_model()
    subs = []
    for i in range(args.subscriptions):
        user, _ = User.objects.get_or_create(
            username=f"billbench{i:04d}", defaults={"email": f"billbench{i:04d}@example.com"}
        )
        studio = Studio.objects.filter(owner=user).first() or Studio.objects.create(
            owner=user, name=f"Bench studio {i}", city="London"
        )
        customer = fake.customer_create(email=user.email)
        meta = {"user_id": str(user.pk), "studio_id": str(studio.pk)}
        subs.append(fake.subscription_create(customer=customer["id"], metadata=meta))

    # The events: created once per subscription, then updates; 10% re-deliveries. Their
    # `created` is the real time, as Stripe's (the fake's own clock steps a second per
    # object so that tests can order events, and would run far ahead here).
    originals = []
    created = int(time.time())
    for i in range(int(args.events * 0.9)):
        sub = subs[i % len(subs)]
        kind = "customer.subscription.created" if i < len(subs) else "customer.subscription.updated"
        originals.append(fake.event(kind, sub, event_id=f"evt_{rid}_{i:06d}", created=created))
    rng = random.Random(1)
    payloads = originals + [rng.choice(originals) for _ in range(args.events - len(originals))]
    rng.shuffle(payloads)
    now = int(time.time())
    signed = [
        (p, stripe.WebhookSignature.generate_signature_header(p, WEBHOOK_SECRET, now))
        for p in payloads
    ]

    env = {
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_API_BASE": fake.url,
        "STRIPE_PRICE_ID": "price_premium_yearly",
    }
    servers = [Server(args.app, env=env).ready() for _ in range(args.servers)]
    try:
        # Warm each server (imports, connections) before measuring.
        for server in servers:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            for _ in range(20):
                conn.request(
                    "POST", "/api/stripe/webhook", body="{}", headers={"Host": "127.0.0.1"}
                )
                conn.getresponse().read()
        out: mp.Queue = mp.Queue()
        procs = []
        for c in range(args.clients):
            port = servers[c % len(servers)].port
            procs.append(
                mp.Process(
                    target=_poster, args=(port, signed[c :: args.clients], args.connections, out)
                )
            )
        t0 = time.perf_counter()
        for p in procs:
            p.start()
        results = [out.get() for _ in procs]
        elapsed = time.perf_counter() - t0
        for p in procs:
            p.join()
    finally:
        for server in servers:
            server.stop()

    latencies = [x for lat, _ in results for x in lat]
    statuses: dict[int, int] = {}
    for _, st in results:
        for code, n in st.items():
            statuses[code] = statuses.get(code, 0) + n
    stored = StripeEvent.objects.filter(stripe_event_id__startswith=f"evt_{rid}_").count()
    print(
        json.dumps(
            {
                "phase": "intake",
                "posts": len(latencies),
                "statuses": statuses,
                "stored": stored,
                "expected_stored": len(originals),
                "seconds": round(elapsed, 2),
                "accepted_per_s": round(len(latencies) / elapsed, 1),
                "p50_ms": round(percentile(latencies, 50) * 1000, 1),
                "p95_ms": round(percentile(latencies, 95) * 1000, 1),
                "p99_ms": round(percentile(latencies, 99) * 1000, 1),
                "servers": args.servers,
                "app": args.app,
                "clients": args.clients,
                "connections_per_client": args.connections,
            }
        ),
        flush=True,
    )

    # Phase 2: one worker drains the backlog.
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "project",
            "worker",
            f"--pool={args.worker_pool}",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            *([f"--prefetch-multiplier={args.worker_prefetch}"] if args.worker_prefetch else []),
        ],
        cwd=ROOT,
        # The worker (sync, one process) keeps its connection across tasks; Daphne must not
        # (a thread per request under ASGI: persistent connections leak, Django's docs say
        # so, and a run with them ran PostgreSQL out of connections).
        env={
            **os.environ,
            **SERVER_ENV,
            **env,
            "WORKER_DB_CONN_MAX_AGE": str(args.worker_conn_max_age),
        },
        stdout=subprocess.DEVNULL,
    )
    mine = StripeEvent.objects.filter(stripe_event_id__startswith=f"evt_{rid}_")
    try:
        deadline = time.monotonic() + 600
        while mine.filter(status="RECEIVED").exists() and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(30)
    times = sorted(mine.exclude(processed_at=None).values_list("processed_at", flat=True))
    span = (times[-1] - times[0]).total_seconds() if len(times) > 1 else float("nan")
    counts = {s: mine.filter(status=s).count() for s in ("PROCESSED", "FAILED", "RECEIVED")}
    print(
        json.dumps(
            {
                "phase": "backlog",
                "events": len(times),
                "statuses": counts,
                "seconds": round(span, 2),
                "events_per_s": round((len(times) - 1) / span, 1) if span else None,
                "worker": f"{args.worker_pool}, concurrency 1",
                "prefetch_multiplier": args.worker_prefetch or "default",
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
