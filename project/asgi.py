"""ASGI entry point: HTTP through Django (but Stripe's webhook: billing/asgi.py), WebSockets
through Channels, one process."""

import os

from common.heap import built_for_life

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

# What start-up builds lives as long as the process: built with the collector off, then
# frozen out of its way (common/heap.py).
with built_for_life():
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

application = ProtocolTypeRouter(
    {
        # Stripe's webhook beside Django's middleware stack, several posts at once per
        # process (billing/asgi.py); every other request through Django.
        "http": StripeWebhookApp(django_asgi_app),
        # Origin: scheme, host and port (realtime/origin.py); no Origin, no cookie.
        "websocket": OriginCheckMiddleware(SocketAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)
