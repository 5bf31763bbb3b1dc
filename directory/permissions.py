"""DRF permission classes for roles. Views list them; no role check lives in a view body."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import Role


class IsAdmin(BasePermission):
    """/api/admin/*: ADMIN only."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.ADMIN)


class IsStudioOwnerOrAdmin(BasePermission):
    """/api/studio/manage/*: STUDIO_OWNER or ADMIN."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role in (Role.STUDIO_OWNER, Role.ADMIN))


class ReadOnlyOrAuthenticated(BasePermission):
    """Public reads; every write needs a login."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or bool(
            request.user and request.user.is_authenticated
        )
