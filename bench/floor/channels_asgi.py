"""Daphne entry point of the Channels floor (bench/floor/consumers.py): no Django apps, no
database, no channel layer."""

from django.conf import settings

settings.configure(DEBUG=False, INSTALLED_APPS=[], DATABASES={}, CHANNEL_LAYERS={})

import django  # noqa: E402

django.setup()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import re_path  # noqa: E402

from bench.floor.consumers import FloorConsumer  # noqa: E402


async def _not_found(scope, receive, send):
    await receive()
    await send({"type": "http.response.start", "status": 404, "headers": []})
    await send({"type": "http.response.body", "body": b""})


application = ProtocolTypeRouter(
    {"http": _not_found, "websocket": URLRouter([re_path(r"^ws/$", FloorConsumer.as_asgi())])}
)
