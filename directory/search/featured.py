"""The homepage's featured studios and the premium page's spotlight profiles."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, IntegerField, Q, QuerySet
from django.utils import timezone

from ..models import StudioSearch
from .cards import StudioCard, studio_cards


def featured_studios(*, limit: int = 6) -> list[StudioCard]:
    """Up to `limit` listed studios whose owner is featured: the pinned owner's first, the
    rest in a new random order on every call (legacy homepage)."""
    base = StudioSearch.objects.filter(studio__owner__profile__is_featured=True)
    pinned_username = settings.FEATURED_PINNED_USERNAME
    pinned = list(
        base.filter(studio__owner__username__iexact=pinned_username)
        .order_by("studio_created_at", "studio_id")
        .values_list("studio_id", flat=True)[:1]
        if pinned_username
        else []
    )
    others = list(
        base.exclude(studio__owner__username__iexact=pinned_username or "")
        .order_by("?")
        .values_list("studio_id", flat=True)[: limit - len(pinned)]
    )
    return studio_cards([(sid, None) for sid in pinned + others])


def spotlight_profiles() -> QuerySet:
    """Active users whose profile is in the spotlight, for the premium page."""
    from accounts.models import User

    return (
        User.objects.filter(profile__is_spotlight=True, is_active=True)
        .exclude(is_suspended_indefinitely=True)
        .exclude(suspended_until__gt=timezone.now())
        .select_related("profile")
        .annotate(
            listed_studios=Count(
                "studios",
                filter=Q(studios__search_row__isnull=False),
                output_field=IntegerField(),
            )
        )
        .order_by("display_name", "id")
    )
