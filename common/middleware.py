"""Request-wide HTTP concerns that are not any one app's."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotFound,
    JsonResponse,
)
from django.http.multipartparser import MultiPartParserError

from common.api import (
    error_body,
    error_response_for_status,
    is_api_request,
    wants_json_errors,
)
from common.text import find_unstorable, unstorable_reason

logger = logging.getLogger(__name__)
access_logger = logging.getLogger("studio_finder.access")


# Headers an error response keeps when its body is replaced.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "X-Request-ID", "Vary")


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() == "application/json"


class ApiErrorMiddleware:
    """Never an HTML page under /api/ or /_allauth/.

    DRF views already answer errors in the API shape (common.api.exception_handler); this
    catches what Django answers before or instead of a view — an unknown URL or a crash
    while DEBUG is on (the technical pages), a CSRF rejection, a SuspiciousOperation —
    and rewrites it into `{"error": {...}}` with the same status and the headers that
    matter (Allow, Retry-After, ...). Under /_allauth/ only what is not JSON is rewritten:
    allauth's own `{"status": ..., "errors": [...]}` answers are its clients' contract.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not wants_json_errors(request)
            or getattr(response, "streaming", False)
        ):
            return response
        if _is_json(response) and (not is_api_request(request) or self._has_error_shape(response)):
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


class _JSONTooComplex(Exception):
    """JSON that Python's parser refuses although it is well formed."""


def _json_body(request: HttpRequest) -> Any:
    """The parsed JSON body, or _UNPARSED when there is none or it is not JSON (the view
    answers that as it always did). Raises _JSONTooComplex for JSON nested too deeply
    for Python's parser or with an integer past its digit limit: DRF's parser answers that
    400 (common/parsers.py), but allauth's headless views catch only JSONDecodeError."""
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if not (content_type == "application/json" or content_type.endswith("+json")):
        return _UNPARSED
    try:
        raw = request.body
    except RequestDataTooBig:
        return _UNPARSED  # the view answers 413 (common.api.exception_handler)
    if not raw:
        return _UNPARSED
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _UNPARSED
    except (ValueError, RecursionError):
        raise _JSONTooComplex from None


_UNPARSED = object()
_TOO_COMPLEX = "JSON parse error - nested too deeply, or a number too long."


class UnstorableInputMiddleware:
    """Refuses a request that carries a NUL character or a lone surrogate — in the query
    string, a form body or anywhere in a JSON body (values and keys) — with 400 before any
    view runs; a NUL in the path is a 404 (no resource has such a name). A JSON body that
    Python's parser cannot read (nested too deeply, an integer of over 4,300 digits) is a
    400 `malformed_request` too.

    The one place for it: DRF views, allauth's headless endpoints (which parse JSON
    themselves) and the pages all sit behind it. Under /api/ and /_allauth/ the answer is
    `{"error": {"code": "invalid", "fields": {"<path>": [...]}}}`; pages get a plain 400.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if unstorable_reason(request.path):
            # No resource is named so: 404, as for any other name that does not exist.
            if wants_json_errors(request):
                return error_response_for_status(404)
            return HttpResponseNotFound("Not found.", content_type="text/plain; charset=utf-8")
        try:
            found = self._find(request)
        except _JSONTooComplex:
            return self._refuse(request, _TOO_COMPLEX, "malformed_request", _TOO_COMPLEX, {})
        if found is None:
            return self.get_response(request)
        where, reason = found
        return self._refuse(
            request, reason, "invalid", "Some fields are not valid.", {where: [reason]}
        )

    @staticmethod
    def _refuse(
        request: HttpRequest, text: str, code: str, message: str, fields: dict
    ) -> HttpResponse:
        """400: `text` on a page; under /api/ and /_allauth/ the error shape."""
        if not wants_json_errors(request):
            return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")
        return JsonResponse(error_body(code, message, fields), status=400)

    @staticmethod
    def _find(request: HttpRequest) -> tuple[str, str] | None:
        sources = [request.GET]
        if _is_form(request):
            # A malformed or oversized form is left to the view, which answers a 4xx.
            with contextlib.suppress(MultiPartParserError, SuspiciousOperation):
                sources.append(request.POST)
        for params in sources:
            for key, values in params.lists():
                for text in (key, *values):
                    reason = unstorable_reason(text)
                    if reason:
                        return (key if text is not key else "non_field_errors"), reason
        body = _json_body(request)
        if body is _UNPARSED:
            return None
        return find_unstorable(body)


def _is_form(request: HttpRequest) -> bool:
    # Django parses urlencoded POST bodies from request.body, which DRF can read again.
    # Not multipart: Django parses it from the stream, after which a DRF view without a
    # form parser cannot read its body at all; DRF's CharField refuses NUL there itself.
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    return request.method == "POST" and content_type == "application/x-www-form-urlencoded"


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
