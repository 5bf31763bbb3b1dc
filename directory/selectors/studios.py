"""Reads of studios: the public studio page, and the studios one may manage."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Avg, Count, Prefetch, Q, QuerySet

from accounts.models import Role, User
from common.errors import NotFound
from common.pagination import Page, paginate
from directory.models import Review, ReviewStatus, Studio, StudioImage, StudioStatus

RATINGS = (5, 4, 3, 2, 1)
STUDIO_PAGE_REVIEWS = 20


@dataclass(frozen=True)
class RatingSummary:
    count: int
    average: Decimal | None
    distribution: list[dict[str, Any]]  # [{"rating": 5, "count": n, "percentage": p}, …]


@dataclass(frozen=True)
class StudioPage:
    studio: Studio
    rating: RatingSummary
    reviews: Page


def _is_admin(user: User | AnonymousUser | None) -> bool:
    return bool(user and user.is_authenticated and user.role == Role.ADMIN)


def publicly_listed(queryset: QuerySet[Studio]) -> QuerySet[Studio]:
    return queryset.filter(status=StudioStatus.ACTIVE, is_profile_visible=True)


def _visible_to(viewer: User | AnonymousUser | None) -> Q:
    """Everyone sees listed studios; an owner also previews their own, an admin any."""
    listed = Q(status=StudioStatus.ACTIVE, is_profile_visible=True)
    if _is_admin(viewer):
        return Q()
    if viewer is not None and viewer.is_authenticated:
        return listed | Q(owner_id=viewer.pk)
    return listed


def rating_summary(*, studio_id: int) -> RatingSummary:
    """Average and the 5-to-1 distribution of approved reviews, in one query."""
    counts = Review.objects.filter(studio_id=studio_id, status=ReviewStatus.APPROVED).aggregate(
        total=Count("id"),
        average=Avg("rating"),
        **{f"r{n}": Count("id", filter=Q(rating=n)) for n in RATINGS},
    )
    total = counts["total"]
    average = (
        Decimal(str(counts["average"])).quantize(Decimal("0.01"), ROUND_HALF_UP) if total else None
    )
    distribution = [
        {
            "rating": n,
            "count": counts[f"r{n}"],
            "percentage": (
                float(
                    (Decimal(counts[f"r{n}"] * 100) / total).quantize(Decimal("0.1"), ROUND_HALF_UP)
                )
                if total
                else 0.0
            ),
        }
        for n in RATINGS
    ]
    return RatingSummary(count=total, average=average, distribution=distribution)


def approved_reviews(*, studio_id: int) -> QuerySet[Review]:
    """Newest first, with the reviewer and the owner's response in the same query."""
    return (
        Review.objects.filter(studio_id=studio_id, status=ReviewStatus.APPROVED)
        .select_related("reviewer", "response__author")
        .order_by("-created_at", "-id")
    )


def _studio_with_relations() -> QuerySet[Studio]:
    return Studio.objects.select_related("owner__profile").prefetch_related(
        Prefetch("images", queryset=StudioImage.objects.order_by("sort_order", "id")),
        "studio_types",
        "services",
    )


def studio_visible(*, studio_id: int, viewer: User | AnonymousUser | None) -> Studio:
    """The studio if this viewer may see it; one 404 for missing and hidden alike."""
    studio = Studio.objects.filter(_visible_to(viewer), pk=studio_id).first()
    if studio is None:
        raise NotFound("No such studio.")
    return studio


def studio_page(*, studio_id: int, viewer: User | AnonymousUser | None) -> StudioPage:
    """Everything the studio page shows, in six queries whatever the studio holds."""
    studio = _studio_with_relations().filter(_visible_to(viewer), pk=studio_id).first()
    if studio is None:
        raise NotFound("No such studio.")
    summary = rating_summary(studio_id=studio.pk)
    reviews = paginate(
        approved_reviews(studio_id=studio.pk),
        page=1,
        page_size=STUDIO_PAGE_REVIEWS,
        count=summary.count,
    )
    return StudioPage(studio=studio, rating=summary, reviews=reviews)


def studio_reviews_page(
    *, studio_id: int, viewer: User | AnonymousUser | None, page: int, page_size: int
) -> Page:
    studio = studio_visible(studio_id=studio_id, viewer=viewer)
    return paginate(approved_reviews(studio_id=studio.pk), page=page, page_size=page_size)


# --- Management ---------------------------------------------------------------------------


def managed_studios(*, user: User, owner_username: str | None = None) -> QuerySet[Studio]:
    """An owner's own studios; an admin's are all of them (optionally one owner's)."""
    queryset = Studio.objects.select_related("owner").prefetch_related(
        Prefetch("images", queryset=StudioImage.objects.order_by("sort_order", "id")),
        "studio_types",
        "services",
    )
    if user.role == Role.ADMIN:
        if owner_username:
            queryset = queryset.filter(owner__username__iexact=owner_username)
    else:
        queryset = queryset.filter(owner=user)
    return queryset.order_by("-created_at", "-id")


def access_managed_studio(*, user: User, studio_id: int) -> Studio:
    """Fetch and authorise in one place: the owner's or, for an admin, any studio.

    Someone else's studio is "not found", like a missing one, so drafts do not leak.
    """
    studio = managed_studios(user=user).filter(pk=studio_id).first()
    if studio is None:
        raise NotFound("No such studio.")
    return studio


def access_managed_image(*, user: User, studio_id: int, image_id: int) -> StudioImage:
    queryset = StudioImage.objects.select_related("studio").filter(pk=image_id, studio_id=studio_id)
    if user.role != Role.ADMIN:
        queryset = queryset.filter(studio__owner=user)
    image = queryset.first()
    if image is None:
        raise NotFound("No such image.")
    return image
