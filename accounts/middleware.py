"""HTTP middleware of the accounts concern.

SuspensionMiddleware — suspension, enforced on every HTTP request that carries a session
cookie or a session token: the pages (including /admin/ and /accounts/), allauth's
endpoints and the whole API, except the API views that authenticate nobody
(`authentication_classes = []`: the Stripe webhook). It is the only per-request check
(docs/accounts.md, "Suspension"); DRF's authentication classes and permissions do not
repeat it. A suspended user can still sign out.

RateLimitRetryAfterMiddleware — Retry-After on allauth's 429 answers.

ProviderNotConfiguredMiddleware — 404, not 500, for an unconfigured provider's URLs.
"""

from __future__ import annotations

import re
from http import HTTPStatus

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, get_resolver, resolve

from common.api import is_api_request
from common.auth import request_session_token_auth, user_is_suspended

from .adapters import suspended_response

HEADLESS_APP_PREFIX = "/_allauth/app/"
APP_AUTH_HEADER = "X-Session-Token"


# What a suspended session may still do: sign out, and the infrastructure probes.
ALLOWED_WHILE_SUSPENDED = {"account_logout", "admin:logout", "healthz", "readyz"}
HEADLESS_SESSION_VIEWS = {
    "headless:browser:account:current_session",
    "headless:app:account:current_session",
}


def _allowed_while_suspended(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
    except Resolver404:
        return False
    if match.view_name in ALLOWED_WHILE_SUSPENDED:
        return True
    if _authenticates_nobody(match.func):
        return True
    return request.method == "DELETE" and match.view_name in HEADLESS_SESSION_VIEWS


def _authenticates_nobody(view) -> bool:
    """A DRF view with no authentication classes (the Stripe webhook, whose credential is
    the signature) never sees the session or token it is sent with: the caller is
    anonymous there, so there is no suspended user to refuse, and the endpoint answers
    as it documents (docs/accounts.md, "Suspension")."""
    view_class = getattr(view, "cls", None)  # APIView.as_view() sets it
    return view_class is not None and not view_class.authentication_classes


class SuspensionMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = self._caller(request)
        if user is not None and user_is_suspended(user) and not _allowed_while_suspended(request):
            return suspended_response(request, user)
        return self.get_response(request)

    @staticmethod
    def _caller(request: HttpRequest):
        """Whom the view will see: allauth's app endpoints use the token only (allauth
        #3883); the API uses the token when one is sent (DRF tries it first), else the
        cookie; everything else the cookie."""
        token = request.headers.get(APP_AUTH_HEADER)
        if request.path.startswith(HEADLESS_APP_PREFIX) or (token and is_api_request(request)):
            found = request_session_token_auth(request, token)
            return found[0] if found else None
        user = request.user
        return user if user.is_authenticated else None


# allauth answers its rate limits with a bare 429. The header tells clients when the
# window they ran into is certain to have moved: the longest window of that view's rates
# ("login_failed" answers with a form error, not a 429).
RATE_LIMITED_ACTIONS = {
    "account_login": ("login",),
    "login": ("login",),
    "account_signup": ("signup",),
    "signup": ("signup",),
    "account_reset_password": ("reset_password",),
    "request_password_reset": ("reset_password",),
    "account_reset_password_from_key": ("reset_password_from_key",),
    "reset_password": ("reset_password_from_key",),
    "account_change_password": ("change_password",),
    "change_password": ("change_password",),
    "account_email": ("manage_email",),
    "manage_email": ("manage_email",),
    "account_reauthenticate": ("reauthenticate",),
    "reauthenticate": ("reauthenticate",),
}
_DURATION_RE = re.compile(r"^(\d*)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _window_seconds(rate: str) -> int:
    """ "20/m/ip" → 60, "5/300s/key" → 300; 0 if unparsable."""
    parts = rate.split("/")
    match = _DURATION_RE.match(parts[1].strip()) if len(parts) >= 2 else None
    if not match:
        return 0
    return int(match.group(1) or 1) * _UNIT_SECONDS[match.group(2)]


def allauth_retry_after(url_name: str | None) -> int:
    from allauth.account import app_settings as account_settings

    rates = account_settings.RATE_LIMITS
    actions = RATE_LIMITED_ACTIONS.get(url_name or "", tuple(rates))
    windows = [
        _window_seconds(rate)
        for action in actions
        for rate in (rates.get(action) or "").split(",")
        if rate.strip()
    ]
    return max(windows, default=0) or 60


class RateLimitRetryAfterMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == HTTPStatus.TOO_MANY_REQUESTS and "Retry-After" not in response:
            match = getattr(request, "resolver_match", None)
            response["Retry-After"] = str(allauth_retry_after(match.url_name if match else None))
        return response


class ProviderNotConfiguredMiddleware:
    """The Google, Facebook and X login URLs exist whether or not their app is configured
    (so the URLconf is the same everywhere); unconfigured, allauth raises
    SocialApp.DoesNotExist, which this turns into the 404 it means."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        from allauth.socialaccount.models import SocialApp

        if isinstance(exception, SocialApp.DoesNotExist):
            handler = get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(404)
            return handler(request, exception=Http404("This sign-in provider is not configured."))
        return None
