"""ASGI entry point: HTTP through Django (but Stripe's webhook: billing/asgi.py), WebSockets
through Channels, one process."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

from common.asgi import get_asgi_application

# Django's handler with its sync stack on reused threads (common/asgi.py).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from billing.asgi import StripeWebhookApp  # noqa: E402
from realtime import daphne as realtime_daphne  # noqa: E402
from realtime.auth import SocketAuthMiddleware  # noqa: E402
from realtime.origin import OriginCheckMiddleware  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

realtime_daphne.configure()  # a frame over Daphne's cap gets a close frame, not a drop

from directory.selectors.places import warm_gazetteer_in_background  # noqa: E402

# The place gazetteer builds beside the start, not in the first search (1.6 s).
warm_gazetteer_in_background()

application = ProtocolTypeRouter(
    {
        # Stripe's webhook beside Django's middleware stack, several posts at once per
        # process (billing/asgi.py); every other request through Django.
        "http": StripeWebhookApp(django_asgi_app),
        # Origin: scheme, host and port (realtime/origin.py); no Origin, no cookie.
        "websocket": OriginCheckMiddleware(SocketAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)
