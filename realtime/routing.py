"""WebSocket URL routes."""

from django.urls import path, re_path

from .consumers import RealtimeConsumer


async def refuse_unknown_path(scope, receive, send) -> None:
    """A handshake on any other path: closed before it is accepted, which Daphne answers
    with HTTP 403 (Channels' router raises for a path it has no route for: a 500)."""
    if (await receive())["type"] == "websocket.connect":
        await send({"type": "websocket.close"})


websocket_urlpatterns: list = [
    path("ws/", RealtimeConsumer.as_asgi()),
    re_path(r"", refuse_unknown_path),
]
