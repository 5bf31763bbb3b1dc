"""Reads of reviews for moderators and for their writers (the public ones are in
selectors.studios)."""

from __future__ import annotations

from django.db.models import QuerySet

from common.errors import NotFound
from directory.models import Review, ReviewStatus


def _with_people() -> QuerySet[Review]:
    return Review.objects.select_related(
        "studio", "reviewer", "owner", "moderated_by", "response__author"
    )


def reviews_for_moderation(*, status: str | None, flagged: bool | None) -> QuerySet[Review]:
    """The queue: pending reviews flagged first, then oldest first; other statuses newest first."""
    queryset = _with_people()
    if status:
        queryset = queryset.filter(status=status)
    if flagged is not None:
        queryset = queryset.filter(is_flagged=flagged)
    if status == ReviewStatus.PENDING:
        return queryset.order_by("-is_flagged", "created_at", "id")
    return queryset.order_by("-created_at", "-id")


def review_for_moderation(*, review_id: int) -> Review:
    review = _with_people().filter(pk=review_id).first()
    if review is None:
        raise NotFound("No such review.")
    return review


def reviews_of_reviewer(*, user_id: int, studio_id: int | None = None) -> QuerySet[Review]:
    """A reviewer's own reviews in every state (pending and rejected ones included),
    newest first: the studio page shows the viewer's own one this way."""
    queryset = Review.objects.select_related("studio", "response__author").filter(
        reviewer_id=user_id
    )
    if studio_id is not None:
        queryset = queryset.filter(studio_id=studio_id)
    return queryset.order_by("-created_at", "-id")
