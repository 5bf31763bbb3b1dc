"""Permission classes every app may use (they know users only by their attributes).

Role classes live in directory/permissions.py; these are the account-state ones that
realtime needs too. Suspension needs no class: the authentication classes refuse a
suspended account before any permission runs (common/authentication.py).
"""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from common.auth import email_verification_gate_enabled
from common.errors import EmailNotVerified


class IsEmailVerified(BasePermission):
    """Signed in with a verified email address (unless verification is switched off).

    For writing reviews and messages: `permission_classes = [IsAuthenticated,
    IsEmailVerified]`. Anonymous callers get 401, unverified ones 403 `email_unverified`.
    """

    message = EmailNotVerified.message
    code = EmailNotVerified.code

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return not email_verification_gate_enabled() or bool(user.email_verified)
