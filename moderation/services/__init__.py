"""Every write of the moderation app (see docs/moderation.md)."""

from .audit import audit_record
from .reports import report_action, report_create
from .workflows import (
    account_reinstate,
    account_suspend,
    review_decide,
    studio_approve,
    studio_deactivate,
    studio_verify,
    user_warn,
)

__all__ = [
    "account_reinstate",
    "account_suspend",
    "audit_record",
    "report_action",
    "report_create",
    "review_decide",
    "studio_approve",
    "studio_deactivate",
    "studio_verify",
    "user_warn",
]
