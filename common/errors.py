"""One error hierarchy for the whole product.

Services raise these; the DRF exception handler (common.api.exception_handler) and the
WebSocket consumer turn them into the same `code` and `message`:

    HTTP:      {"error": {"code": "...", "message": "...", "fields": {...}}}
    WebSocket: {"type": "error", "code": "...", "message": "...", "ref": ...}
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status: int = 400
    code: str = "invalid"
    message: str = "The request could not be completed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.fields = fields or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "fields": self.fields}


class ValidationFailed(DomainError):
    status = 400
    code = "invalid"
    message = "Some fields are not valid."


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    message = "You need to sign in."


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    message = "You are not allowed to do this."


class Suspended(Forbidden):
    """The account is suspended: every authenticated request and socket is refused."""

    code = "suspended"
    message = "This account is suspended."


class EmailNotVerified(Forbidden):
    """Writing reviews and messages waits until the email address is verified."""

    code = "email_unverified"
    message = "Verify your email address first: follow the link we emailed you."


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message = "Not found."


class Conflict(DomainError):
    status = 409
    code = "conflict"
    message = "This conflicts with the current state."


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
    message = "The request body is too large."


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    message = "Too many requests; slow down."

    def __init__(self, message: str | None = None, *, retry_after: int | None = None, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after
