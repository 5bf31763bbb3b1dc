"""The one way to Stripe: a stripe-python client built from the STRIPE_* settings.

`STRIPE_API_BASE` points stripe-python at another server (the tests' fake); the API
version is pinned in settings. Objects come back as plain dicts, so services read the
same shapes as webhook payloads.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import stripe
from django.conf import settings

from common.errors import DomainError


class BillingUnavailable(DomainError):
    status = 503
    code = "billing_unavailable"
    message = "Payments are not configured on this site."


class PaymentProviderError(DomainError):
    status = 502
    code = "payment_provider_error"
    message = "Stripe could not be reached; try again in a moment."


@lru_cache(maxsize=4)
def _client(api_key: str, api_base: str, version: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base},
        stripe_version=version,
        max_network_retries=2,
    )


def client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise BillingUnavailable()
    return _client(
        settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE, settings.STRIPE_API_VERSION
    )


def as_dict(obj: Any) -> dict[str, Any]:
    """A StripeObject as the plain, nested dict of its JSON."""
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def is_transient(exc: Exception) -> bool:
    """Errors worth a retry: the network, rate limits, Stripe's own 5xx."""
    if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError):
        return True
    return isinstance(exc, stripe.StripeError) and (exc.http_status or 500) >= 500
