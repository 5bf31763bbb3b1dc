"""A user's sessions end with the user (the legacy `sessions` rule: CASCADE on user_id).

Django's session table has no user column, so allauth's UserSession rows (user FK,
CASCADE) carry the link, like the legacy `sessions.user_id`. Two receivers keep it true:
every login records its session (allauth's own logins already do; this adds Django's, such
as the admin's login form), and deleting a user deletes the Django sessions of their
UserSession rows before the rows themselves cascade away.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def record_login_session(*, request: HttpRequest | None, **kwargs: Any) -> None:
    """Record the session of every login, not only allauth's."""
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or not session.session_key or not (user and user.is_authenticated):
        return  # a login without a request or a stored session (e.g. Client.force_login)
    try:
        UserSession.objects.create_from_request(request)
    except PermissionDenied:
        return  # no client IP to record; allauth refuses such a row


def end_sessions_of_deleted_user(*, instance: Any, **kwargs: Any) -> None:
    """Delete the user's Django sessions (with the db engine: in the deleting transaction)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    for key in UserSession.objects.filter(user_id=instance.pk).values_list(
        "session_key", flat=True
    ):
        store.delete(key)
