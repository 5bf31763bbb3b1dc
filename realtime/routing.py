"""WebSocket URL routes."""

from django.urls import path

from .consumers import RealtimeConsumer

websocket_urlpatterns: list = [path("ws/", RealtimeConsumer.as_asgi())]
