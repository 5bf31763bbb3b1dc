"""DRF authentication for the whole API: allauth's session token for apps, the session
cookie (+ CSRF) for browsers. A suspended account never gets this far: the suspension
middleware (accounts/middleware.py) refuses every request of it, by token or cookie, before
any view runs (docs/accounts.md, "Suspension")."""

from __future__ import annotations

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from common.auth import request_session_token_auth


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """`X-Session-Token: <meta.session_token from /_allauth/app/v1/auth/login>`."""

    def authenticate(self, request):
        token = self.get_session_token(request)
        if not token:
            return None
        # The same lookup the suspension middleware made for this request, not a second one.
        result = request_session_token_auth(request._request, token)
        if result is None:
            raise exceptions.AuthenticationFailed(
                "The session token is invalid or has expired; sign in again."
            )
        return result

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to anonymous requests; no browser prompt.
        return 'Session realm="api"'


class CsrfSessionAuthentication(SessionAuthentication):
    """The browser's session cookie; writes need the CSRF token in X-CSRFToken."""

    def enforce_csrf(self, request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            raise exceptions.PermissionDenied(
                f"{exc.detail} Send the csrftoken cookie's value in X-CSRFToken, or "
                "authenticate with X-Session-Token.",
                code="csrf_failed",
            ) from exc
