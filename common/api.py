"""DRF glue: the single exception handler that gives every /api/ error one JSON shape.

    {"error": {"code": "...", "message": "...", "fields": {...}}}

400 `invalid` (fields name what is wrong) or `malformed_request`; 401 `not_authenticated`;
403 `forbidden`, `suspended`, `email_unverified`, `csrf_failed`; 404 `not_found`;
405 `method_not_allowed`; 409 `conflict` (and more specific codes); 413
`payload_too_large`; 415 `unsupported_media_type`; 429 `rate_limited` with `Retry-After`;
500 `server_error`. Responses that Django itself produces under /api/ (an unknown URL, a
CSRF failure, a crash) get the same shape from the handlers below and from
`common.middleware.ApiErrorMiddleware`.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import Conflict, DomainError, PayloadTooLarge
from common.exceptions import DomainAPIException

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"

_DRF_CODES = {
    drf.ParseError: "malformed_request",
    drf.AuthenticationFailed: "not_authenticated",
    drf.NotAuthenticated: "not_authenticated",
    drf.PermissionDenied: "forbidden",
    drf.NotFound: "not_found",
    drf.MethodNotAllowed: "method_not_allowed",
    drf.NotAcceptable: "not_acceptable",
    drf.UnsupportedMediaType: "unsupported_media_type",
    drf.Throttled: "rate_limited",
}

# Codes for a bare status, when no exception says more (Django's own error responses).
STATUS_CODES = {
    400: ("malformed_request", "The request could not be understood."),
    401: ("not_authenticated", "You need to sign in."),
    403: ("forbidden", "You are not allowed to do this."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
    409: ("conflict", "This conflicts with the current state."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "This content type is not supported."),
    429: ("rate_limited", "Too many requests; slow down."),
    500: ("server_error", "Something went wrong on our side; it was logged."),
}


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


# Paths whose errors are JSON in our shape: the API and allauth's headless endpoints (whose
# own errors keep allauth's shape; what Django answers for them — an unknown URL, a CSRF
# rejection, a disallowed Host — is ours, as for the API).
JSON_PREFIXES = (API_PREFIX, "/_allauth/")


def wants_json_errors(request: HttpRequest) -> bool:
    return request.path_info.startswith(JSON_PREFIXES)


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def error_response_for_status(status: int, message: str | None = None) -> JsonResponse:
    code, default_message = STATUS_CODES.get(status, ("error", "The request failed."))
    return JsonResponse(error_body(code, message or default_message), status=status)


def _flatten(detail: Any) -> Any:
    """DRF ErrorDetail trees → plain lists/dicts of strings."""
    if isinstance(detail, dict):
        return {str(key): _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def _code_for(exc: drf.APIException) -> str:
    """A specific code the raiser chose (`PermissionDenied(code="csrf_failed")`, a
    permission class's `code`), else the generic code of the exception class."""
    generic = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
    codes = exc.get_codes()
    if isinstance(codes, str) and codes != exc.default_code:
        return codes
    return generic


def _message_for(detail: Any) -> str:
    if isinstance(detail, (list, dict)):
        flat = _flatten(detail)
        values = flat.values() if isinstance(flat, dict) else flat
        return " ".join(str(v) for v in values)
    return str(detail)


def _domain_response(error: DomainError) -> Response:
    response = Response(error_body(error.code, error.message, error.fields), status=error.status)
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(math.ceil(retry_after))
    return response


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainAPIException):
        return _domain_response(exc.domain_error)
    if isinstance(exc, DomainError):
        return _domain_response(exc)
    if isinstance(exc, (ProtectedError, RestrictedError)):
        # A delete that other rows still depend on: the service should have said why,
        # but the client must never see a 500 for it.
        return _domain_response(Conflict("Other records still depend on this."))
    if isinstance(exc, RequestDataTooBig):
        return _domain_response(PayloadTooLarge())
    if isinstance(exc, DjangoValidationError):
        exc = drf.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's 500 handling answers (JSON under /api/)

    if isinstance(exc, drf.ValidationError):
        detail = _flatten(exc.detail)
        if not isinstance(detail, dict):
            detail = {"non_field_errors": detail}
        response.data = error_body("invalid", "Some fields are not valid.", detail)
    else:
        response.data = error_body(_code_for(exc), _message_for(exc.detail))
    if isinstance(exc, drf.Throttled):
        # DRF writes "%d" of the wait, which turns 0.4 s into "0": round up instead.
        response["Retry-After"] = str(max(1, math.ceil(exc.wait or 1)))
    return response


# --- Django's own error views, for anything outside DRF -------------------------------


def handler400(request, exception=None):
    if wants_json_errors(request):
        return error_response_for_status(400)
    from django.views.defaults import bad_request

    return bad_request(request, exception)


def handler403(request, exception=None):
    if wants_json_errors(request):
        return error_response_for_status(403)
    from django.views.defaults import permission_denied

    return permission_denied(request, exception)


def handler404(request, exception=None):
    """JSON under /api/ and /_allauth/, Django's page elsewhere."""
    if wants_json_errors(request):
        return error_response_for_status(404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request):
    if wants_json_errors(request):
        return error_response_for_status(500)
    from django.views.defaults import server_error

    return server_error(request)


def csrf_failure(request, reason: str = ""):
    """settings.CSRF_FAILURE_VIEW: JSON under /api/ and /_allauth/, Django's page elsewhere."""
    if wants_json_errors(request):
        return JsonResponse(
            error_body(
                "csrf_failed",
                "CSRF check failed: send the csrftoken cookie's value in X-CSRFToken, "
                "or authenticate with X-Session-Token instead of the session cookie.",
            ),
            status=403,
        )
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason=reason)
