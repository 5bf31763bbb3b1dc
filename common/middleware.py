"""Request-wide HTTP concerns that are not any one app's."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse

from common.api import error_response_for_status, is_api_request

logger = logging.getLogger(__name__)
access_logger = logging.getLogger("studio_finder.access")


# Headers an error response keeps when its body is replaced.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "X-Request-ID", "Vary")


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() == "application/json"


class ApiErrorMiddleware:
    """Never an HTML page under /api/.

    DRF views already answer errors in the API shape (common.api.exception_handler); this
    catches what Django answers before or instead of a view — an unknown URL or a crash
    while DEBUG is on (the technical pages), a CSRF rejection, a SuspiciousOperation —
    and rewrites it into `{"error": {...}}` with the same status and the headers that
    matter (Allow, Retry-After, ...).
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not is_api_request(request)
            or getattr(response, "streaming", False)
        ):
            return response
        if _is_json(response) and self._has_error_shape(response):
            return response
        # HTML, or JSON in another shape (a third-party view): one shape, same status.
        replacement = error_response_for_status(response.status_code)
        for header in _KEPT_HEADERS:
            if header in response:
                replacement[header] = response[header]
        for cookie in response.cookies.values():
            replacement.cookies[cookie.key] = cookie
        return replacement

    @staticmethod
    def _has_error_shape(response: HttpResponse) -> bool:
        try:
            body = json.loads(response.content or b"null")
        except ValueError:
            return False
        return (
            isinstance(body, dict)
            and isinstance(body.get("error"), dict)
            and {"code", "message", "fields"} <= body["error"].keys()
        )


class AccessLogMiddleware:
    """One log line per HTTP request, through logging, so it carries the request id and
    is JSON when LOG_FORMAT=json (Daphne runs with its own stdout access log off)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self._acall(request)
        started = time.perf_counter()
        response = self.get_response(request)
        self._log(request, response, started)
        return response

    async def _acall(self, request):
        started = time.perf_counter()
        response = await self.get_response(request)
        self._log(request, response, started)
        return response

    @staticmethod
    def _log(request, response, started: float) -> None:
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        user = getattr(request, "user", None)
        access_logger.info(
            "%s %s %s %sms",
            request.method,
            request.get_full_path(),
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
