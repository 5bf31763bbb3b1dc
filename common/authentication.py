"""DRF authentication for the whole API: allauth's session token for apps, the session
cookie (+ CSRF) for browsers. Both refuse a suspended account with 403 `suspended`,
so no view can forget the check (docs/accounts.md, "Suspension")."""

from __future__ import annotations

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from common.auth import suspended_error, user_is_suspended
from common.exceptions import DomainAPIException


def _refuse_suspended(result):
    if result is not None and user_is_suspended(result[0]):
        raise DomainAPIException(suspended_error(result[0]))
    return result


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """`X-Session-Token: <meta.session_token from /_allauth/app/v1/auth/login>`."""

    def authenticate(self, request):
        token = self.get_session_token(request)
        if not token:
            return None
        result = super().authenticate(request)
        if result is None:
            raise exceptions.AuthenticationFailed(
                "The session token is invalid or has expired; sign in again."
            )
        return _refuse_suspended(result)

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to anonymous requests; no browser prompt.
        return 'Session realm="api"'


class CsrfSessionAuthentication(SessionAuthentication):
    """The browser's session cookie; writes need the CSRF token in X-CSRFToken."""

    def authenticate(self, request):
        return _refuse_suspended(super().authenticate(request))

    def enforce_csrf(self, request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            raise exceptions.PermissionDenied(
                f"{exc.detail} Send the csrftoken cookie's value in X-CSRFToken, or "
                "authenticate with X-Session-Token.",
                code="csrf_failed",
            ) from exc
