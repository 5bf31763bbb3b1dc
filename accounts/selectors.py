"""Reads of one's own account: profile and metadata."""

from __future__ import annotations

from django.db.models import QuerySet

from common.errors import NotFound

from .models import User, UserMetadata, UserProfile


def own_profile_get(*, user: User) -> User:
    """The signed-in user with their profile loaded (one query)."""
    return User.objects.select_related("profile").get(pk=user.pk)


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
