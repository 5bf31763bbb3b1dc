"""POST /api/stripe/webhook served straight from ASGI, beside Django's middleware stack.

Why: through Django's middleware stack (measured under Django's stock ASGI handler, before
common/asgi.py) webhook posts waited in line behind each other's database and Redis round
trips: about 80 events/s from two Daphne processes, p99 near 400 ms (docs/benchmarks.md).
Here the same service, `webhook_event_receive`, runs in the default thread pool, several
posts at once per process, with nothing of the stack it does not need.

What the stack gave this endpoint and is kept: the ALLOWED_HOSTS check, the body size
limit, the JSON error shape `{"error": {"code", "message", "fields"}}`, per-request
database connection handling (`close_old_connections`, as Django's request signals do), a
log line per refused post. Nothing else applied: the endpoint has no session, cookie, CSRF,
throttle or HTML. The DRF view (`billing.api.StripeWebhookApi`) stays the URLconf's and
OpenAPI's description of the same contract, and answers when this app is not mounted
(WSGI, the test client).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DataError, close_old_connections
from django.http.request import split_domain_port, validate_host

from common.errors import DomainError

from .services import webhook_event_receive

logger = logging.getLogger("billing.webhook")

PATH = "/api/stripe/webhook"


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": {}}}


def _receive(payload: bytes, signature: str | None) -> tuple[int, dict[str, Any]]:
    """The request, in a pool thread: the service, its errors as JSON, the connection."""
    close_old_connections()
    try:
        stored, event_id = webhook_event_receive(payload=payload, signature=signature)
        return 200, {"received": True, "duplicate": not stored, "id": event_id}
    except DomainError as exc:
        logger.warning("stripe webhook refused: %s", exc.code)
        return exc.status, {"error": exc.as_dict()}
    except DataError:  # text PostgreSQL cannot store (a NUL), signed by someone
        return 400, _error("bad_event", "The event is not a Stripe event.")
    finally:
        close_old_connections()


class StripeWebhookApp:
    """Route `PATH` here and every other HTTP request to `django_app`."""

    def __init__(self, django_app) -> None:
        self.django_app = django_app
        self.receive = sync_to_async(_receive, thread_sensitive=False)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH:
            await self.django_app(scope, receive, send)
            return
        status, body = await self._handle(scope, receive)
        data = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(data)).encode()),
                    (b"x-content-type-options", b"nosniff"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": data})

    async def _handle(self, scope, receive) -> tuple[int, dict[str, Any]]:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        raw = headers.get("host", "")
        if settings.USE_X_FORWARDED_HOST and "x-forwarded-host" in headers:
            raw = headers["x-forwarded-host"]
        host, _ = split_domain_port(raw)
        allowed = settings.ALLOWED_HOSTS
        if settings.DEBUG and not allowed:  # as HttpRequest.get_host()
            allowed = [".localhost", "127.0.0.1", "[::1]"]
        if not host or not validate_host(host, allowed):
            return 400, _error("bad_host", "Invalid Host header.")
        if scope["method"] != "POST":
            return 405, _error("method_not_allowed", f'Method "{scope["method"]}" not allowed.')
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return 400, _error("disconnected", "The client went away.")
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if limit is not None and size > limit:
                return 413, _error("payload_too_large", "The request body is too large.")
            if not message.get("more_body"):
                break
        return await self.receive(b"".join(chunks), headers.get("stripe-signature"))
