"""Who may use the realtime endpoints: signed-in members.

Suspended accounts get 403 `suspended` on every request from the project's suspension
middleware before any view runs; writes check it again here, so the rule holds for a
view reached some other way (a test client, a future mount)."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from common.errors import NotAuthenticated, Suspended


class IsMember(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            raise NotAuthenticated()
        if request.method not in SAFE_METHODS and getattr(user, "is_suspended", False):
            raise Suspended()
        return True
