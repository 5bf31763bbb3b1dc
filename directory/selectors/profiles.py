"""Reads of profiles: one's own, and other people's public profile."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from common.errors import NotFound

from ..models import (
    Studio,
    StudioImage,
    StudioStatus,
    User,
    UserMetadata,
    UserProfile,
    username_validator,
)


def own_profile_get(*, user: User) -> User:
    """The signed-in user with their profile loaded (one query)."""
    return User.objects.select_related("profile").get(pk=user.pk)


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


def profile_of(user: User) -> UserProfile:
    """The user's profile, or an unsaved default one (accounts created outside the
    signup flow may not have a row yet)."""
    try:
        return user.profile
    except UserProfile.DoesNotExist:
        profile = UserProfile(user=user)
        profile.created_at = profile.updated_at = None  # not the unsaved db_default
        return profile


def user_metadata_get(*, user: User, key: str) -> UserMetadata:
    entry = UserMetadata.objects.filter(user=user, key=key).first()
    if entry is None:
        raise NotFound(f"No metadata under {key!r}.")
    return entry


def user_metadata_list(*, user: User) -> QuerySet[UserMetadata]:
    return UserMetadata.objects.filter(user=user).order_by("key")
