"""Reads of other people's public profile, with the studios anyone may see."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from accounts.models import User, username_validator
from common.errors import NotFound

from ..models import Studio, StudioImage, StudioStatus


def public_studios_queryset() -> QuerySet[Studio]:
    """Studios anyone may see on a profile: active and not hidden by their owner."""
    return (
        Studio.objects.filter(status=StudioStatus.ACTIVE, is_profile_visible=True)
        .prefetch_related(
            Prefetch("images", queryset=StudioImage.objects.order_by("sort_order", "id"))
        )
        .order_by("name", "id")
    )


def public_profile_get(*, username: str) -> User:
    """The user behind /api/profiles/{username}, with profile and public studios.

    Case-insensitive, like usernames' uniqueness. Three queries whatever the number of
    studios (user + profile, studios, their images). Unknown, deactivated and malformed
    names are the same 404.
    """
    try:
        username_validator(username)
    except ValidationError:
        raise NotFound("No such profile.") from None
    user = (
        User.objects.select_related("profile")
        .prefetch_related(Prefetch("studios", queryset=public_studios_queryset()))
        .filter(username__iexact=username, is_active=True)
        .first()
    )
    if user is None:
        raise NotFound("No such profile.")
    return user
