"""The WebSocket handshake's Origin check: scheme, host and port, as browsers mean "origin".

Channels' AllowedHostsOriginValidator compared only the Origin's host with ALLOWED_HOSTS,
so a page on another port of an allowed host (another app on the same machine) could
open a socket carrying the victim's session cookie. Here a handshake is accepted when:

- its Origin is exactly the origin the socket is served from — scheme (http for ws,
  https for wss or behind SECURE_PROXY_SSL_HEADER), host and port of the Host header, the
  host being in ALLOWED_HOSTS — or one of CSRF_TRUSTED_ORIGINS (the same list Django's
  CSRF check trusts); any other Origin is refused with HTTP 403;
- it has no Origin at all: only browsers send one, and only browsers send cookies a
  third party could ride on, so the handshake goes on without the cookie (the session
  cookie is dropped before authentication); the client authenticates with the `auth`
  frame and an app session token (docs/realtime-protocol.md, "Origin").
"""

from __future__ import annotations

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise(origin: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin string, or None if it is not an http(s) origin."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def _served_scheme(scope: dict, headers: dict[bytes, bytes]) -> str:
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        name = proxy[0].removeprefix("HTTP_").replace("_", "-").lower().encode()
        if headers.get(name, b"").decode("latin1").split(",")[0].strip() == proxy[1]:
            return "https"
    return "https" if scope.get("scheme") in ("wss", "https") else "http"


def served_origin(scope: dict, headers: dict[bytes, bytes]) -> tuple[str, str, int] | None:
    """The origin this socket is served from, or None if the Host is not allowed."""
    host = headers.get(b"host", b"").decode("latin1")
    domain, port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    scheme = _served_scheme(scope, headers)
    return scheme, domain.strip("[]"), int(port) if port else DEFAULT_PORTS[scheme]


def origin_allowed(origin: str, scope: dict, headers: dict[bytes, bytes]) -> bool:
    parsed = normalise(origin)
    if parsed is None:
        return False
    served = served_origin(scope, headers)
    if served is not None and parsed == served:
        return True
    trusted = {normalise(o) for o in getattr(settings, "CSRF_TRUSTED_ORIGINS", [])}
    return parsed in trusted


class OriginCheckMiddleware:
    """Wraps the WebSocket stack (project/asgi.py) in place of AllowedHostsOriginValidator."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.application(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        origin = headers.get(b"origin")
        if origin is None:
            without_cookie = [(k, v) for k, v in scope.get("headers") or [] if k != b"cookie"]
            return await self.application(dict(scope, headers=without_cookie), receive, send)
        if not origin_allowed(origin.decode("latin1"), scope, headers):
            return await WebsocketDenier()(scope, receive, send)
        del headers, origin  # this frame lives as long as the socket: keep nothing in it
        return await self.application(scope, receive, send)
