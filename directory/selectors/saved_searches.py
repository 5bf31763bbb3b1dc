"""Reads of saved searches: a user's list, and what is new for an alert."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import F, Q, QuerySet

from accounts.models import User
from common.errors import NotFound
from directory.models import SavedSearch, Studio
from directory.search.parameters import LocationNotFound, SearchParams
from directory.search.plans import matching_studio_ids
from directory.selectors.studios import publicly_listed


def saved_searches_of(*, user: User) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(user=user).order_by("created_at", "id")


def access_saved_search(*, user: User, saved_search_id: int) -> SavedSearch:
    saved_search = saved_searches_of(user=user).filter(pk=saved_search_id).first()
    if saved_search is None:
        raise NotFound("No such saved search.")
    return saved_search


def published_between(since: dt.datetime, until: dt.datetime) -> Q:
    """Studios that went live in (since, until]. Imported or bulk-loaded rows that never
    went through the workflow have no published_at: their creation time stands in."""
    return Q(published_at__gt=since, published_at__lte=until) | Q(
        published_at__isnull=True, created_at__gt=since, created_at__lte=until
    )


def new_studios_for(
    *, saved_search: SavedSearch, since: dt.datetime, until: dt.datetime, limit: int
) -> tuple[list[Studio], int]:
    """Up to `limit` studios matching the search that went live in the window, and how
    many there are in all. "Matching" is the search's own (directory.search.plans).
    The user's own studios are not news to them. Raises PlaceLookupUnavailable when the
    place needs the geocoder and it cannot answer now."""
    try:
        matches = matching_studio_ids(SearchParams.from_filters(saved_search.filters or {}))
    except LocationNotFound:
        return [], 0  # its place is no longer known: the search itself would list nothing
    queryset = (
        publicly_listed(Studio.objects.all())
        .filter(published_between(since, until), pk__in=matches)
        .exclude(owner_id=saved_search.user_id)
    )
    studios = list(queryset.order_by(F("published_at").desc(nulls_last=True), "-id")[:limit])
    total = len(studios) if len(studios) < limit else queryset.count()
    return studios, total


def users_with_alerts() -> Iterator[int]:
    """Ids of active users with at least one saved search whose alerts are on."""
    return (
        SavedSearch.objects.filter(alerts_enabled=True, user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")
        .iterator(chunk_size=2000)
    )
