"""Suspension, enforced on every request that carries a session or a session token.

DRF views are covered by the authentication classes (common/authentication.py); this
middleware covers the rest: the pages (including /admin/ and /accounts/), allauth's
headless endpoints and any non-DRF view under /api/. A suspended user can still sign out.
"""

from __future__ import annotations

from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from common.api import error_body, is_api_request
from common.auth import (
    authenticate_session_token,
    suspended_error,
    suspension_details,
    user_is_suspended,
)

HEADLESS_PREFIX = "/_allauth/"
HEADLESS_APP_PREFIX = "/_allauth/app/"


def _is_sign_out(request: HttpRequest) -> bool:
    path = request.path
    if path in (reverse("account_logout"), reverse("admin:logout")):
        return True
    return (
        request.method == "DELETE"
        and path.startswith(HEADLESS_PREFIX)
        and path.endswith("/auth/session")
    )


class SuspensionMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = self._caller(request)
        if user is not None and user_is_suspended(user) and not _is_sign_out(request):
            return self._refuse(request, user)
        return self.get_response(request)

    @staticmethod
    def _caller(request: HttpRequest):
        if request.path.startswith(HEADLESS_APP_PREFIX):
            # App endpoints ignore the cookie and use the token only (allauth #3883).
            return authenticate_session_token(request.headers.get("X-Session-Token"))
        user = request.user
        return user if user.is_authenticated else None

    @staticmethod
    def _refuse(request: HttpRequest, user) -> HttpResponse:
        error = suspended_error(user)
        if is_api_request(request):
            return JsonResponse(
                error_body(error.code, error.message, error.fields), status=error.status
            )
        if request.path.startswith(HEADLESS_PREFIX):
            body = {
                "status": HTTPStatus.FORBIDDEN,
                "errors": [{"code": error.code, "message": error.message, **error.fields}],
            }
            return JsonResponse(body, status=HTTPStatus.FORBIDDEN)
        return TemplateResponse(
            request,
            "account/suspended.html",
            {"suspension": suspension_details(user), "message": error.message},
            status=HTTPStatus.FORBIDDEN,
        ).render()
