"""Who may use the realtime endpoints: signed-in members; suspended ones may only read."""

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
