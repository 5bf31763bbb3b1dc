"""DRF permission classes for roles. Views list them; no role check lives in a view body.

The access rules of the old site (docs/accounts.md, "Roles and access"):

- `/api/admin/*` — `IsAdmin`
- `/api/studio/manage/*` — `IsStudioOwnerOrAdmin` (+ `IsOwnerOrAdmin` on the object)
- every write — a login (`IsAuthenticated` or `ReadOnlyOrAuthenticated`)
- writing reviews and messages — also `IsEmailVerified`
- public reads — `AllowAny`

Suspended accounts never reach a permission class: authentication refuses them first
(common/authentication.py).
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission, IsAuthenticated

from accounts.models import Role
from common.permissions import IsEmailVerified

__all__ = [
    "AllowAny",
    "IsAdmin",
    "IsAuthenticated",
    "IsEmailVerified",
    "IsOwnerOrAdmin",
    "IsStudioOwnerOrAdmin",
    "ReadOnlyOrAuthenticated",
]


def _is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.role == Role.ADMIN)


class IsAdmin(BasePermission):
    """/api/admin/*: ADMIN only."""

    def has_permission(self, request, view) -> bool:
        return _is_admin(request.user)


class IsStudioOwnerOrAdmin(BasePermission):
    """/api/studio/manage/*: STUDIO_OWNER or ADMIN."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role in (Role.STUDIO_OWNER, Role.ADMIN))


class IsOwnerOrAdmin(BasePermission):
    """Object level: the object's owner, or an ADMIN.

    The owner is read from `view.owner_field` (default "owner_id"), so the same class
    serves studios (`owner_id`), reviews (`reviewer_id`) and saved searches (`user_id`).
    Views that fetch objects themselves call `self.check_object_permissions(request, obj)`.
    """

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj) -> bool:
        if _is_admin(request.user):
            return True
        owner_field = getattr(view, "owner_field", "owner_id")
        return getattr(obj, owner_field, None) == request.user.pk


class ReadOnlyOrAuthenticated(BasePermission):
    """Public reads; every write needs a login."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or bool(
            request.user and request.user.is_authenticated
        )


class CanListOrCreateStudios(BasePermission):
    """The /api/studio/manage/ collection: creating a studio needs only a login — the first
    studio makes a USER a STUDIO_OWNER, so it cannot require that role; listing needs
    STUDIO_OWNER or ADMIN. (Whose studio it is, access_managed_studio checks: 404.)"""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method == "POST" or user.role in (Role.STUDIO_OWNER, Role.ADMIN)
