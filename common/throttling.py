"""DRF throttles: writes are limited per user (per IP when anonymous); reads are not.

Rates come from settings (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], set from
API_WRITE_RATE / API_ANON_WRITE_RATE). A view that must never be throttled — a webhook a
provider retries — sets `throttle_classes = ()`.
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class UserWriteRateThrottle(SimpleRateThrottle):
    scope = "writes"

    def get_rate(self) -> str | None:
        # Read at request time (DRF binds the rates at import), so settings changes apply.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonWriteRateThrottle(UserWriteRateThrottle):
    scope = "anon_writes"

    def get_cache_key(self, request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
