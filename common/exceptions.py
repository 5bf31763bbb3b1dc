"""Bridges between the domain errors and DRF's exception types."""

from __future__ import annotations

from rest_framework.exceptions import APIException

from common.errors import DomainError


class DomainAPIException(APIException):
    """Carries a DomainError where DRF insists on an APIException (authentication and
    permission classes), so DRF's own bookkeeping runs and the handler still answers
    with the domain error's code, message and fields."""

    def __init__(self, error: DomainError) -> None:
        self.domain_error = error
        self.status_code = error.status
        super().__init__(detail=error.message, code=error.code)
