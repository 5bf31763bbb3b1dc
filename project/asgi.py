"""ASGI entry point: HTTP through Django (but Stripe's webhook: billing/asgi.py), WebSockets
through Channels, one process."""

import gc
import os

# No garbage collection while the process builds what it keeps for life (Django, the task
# modules, the gazetteer's ~400,000 objects): each full collection walked the growing heap
# again — seven of them, 0.8-1.2 s of CPU before the process could listen. One collection
# at the end, then that heap is frozen out of the collector (below).
_collecting = gc.isenabled()
gc.disable()

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

try:
    from common.asgi import get_asgi_application

    # Django's handler with its sync stack on reused threads (common/asgi.py).
    django_asgi_app = get_asgi_application()

    from channels.routing import ProtocolTypeRouter, URLRouter

    from billing.asgi import StripeWebhookApp
    from realtime import daphne as realtime_daphne
    from realtime.auth import SocketAuthMiddleware
    from realtime.origin import OriginCheckMiddleware
    from realtime.routing import websocket_urlpatterns

    realtime_daphne.configure()  # a frame over Daphne's cap gets a close frame, not a drop

    from common.jobs import load_task_modules

    # Every task registered before the first request: not in the first chat send (common/jobs.py).
    load_task_modules()

    from directory.selectors.places import gazetteer

    # The place gazetteer is built before the process serves, not in its first radius search
    # (about 1.6 s of CPU). Built on a thread beside the event loop, it took the GIL from the
    # loop for seconds (event-loop lags to 0.4 s) just as a deploy's clients reconnected.
    gazetteer()

    # What start-up built lives as long as the process: some 400,000 objects, most of them the
    # gazetteer's, that every full garbage collection walked again — 127 ms with the event loop
    # stopped (a 157 ms search among 8 ms ones). Frozen, a full collection walks only what
    # serving made. Collected first, so no garbage is frozen with them.
    gc.collect()
    gc.freeze()
finally:
    if _collecting:  # also when start-up failed: a process that lives on must collect
        gc.enable()

# A young generation of 10,000 objects rather than 700: every generation is collected up to
# 14 times less often for the same net allocations, the full collection (which also waits
# for the long-lived heap to grow by a quarter) included. Every socket a process holds is in that
# heap: at 5,000 sockets a process, a reconnect storm's full collections took
# 4.5-6.8 s of its CPU, up to 1.6 s at a time with the event loop stopped; after, one
# while serving, of 2 ms (docs/benchmarks.md, "Issue 13: the collector").
gc.set_threshold(10_000, 10, 10)

application = ProtocolTypeRouter(
    {
        # Stripe's webhook beside Django's middleware stack, several posts at once per
        # process (billing/asgi.py); every other request through Django.
        "http": StripeWebhookApp(django_asgi_app),
        # Origin: scheme, host and port (realtime/origin.py); no Origin, no cookie.
        "websocket": OriginCheckMiddleware(SocketAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)
