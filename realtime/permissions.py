"""Who may use the realtime endpoints: signed-in members.

Suspended accounts never reach a view: the project's suspension middleware answers 403
`suspended` to every request of theirs, reads and writes, by token or cookie
(docs/accounts.md, "Suspension")."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from common.errors import NotAuthenticated


class IsMember(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            raise NotAuthenticated()
        return True
