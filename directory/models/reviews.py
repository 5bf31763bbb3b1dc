"""Reviews of studios and their owners' responses."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from common.models import LegacyIdModel, TimestampedModel, choices_check, legacy_id_unique

from .studios import Studio


class ReviewStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    APPROVED = "APPROVED", "Approved"
    REJECTED = "REJECTED", "Rejected"


class Review(LegacyIdModel, TimestampedModel):
    """The legacy `reviews` table: moderated, one per (studio, reviewer)."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews_written"
    )
    # The studio's owner when the review was written (denormalised by the legacy site).
    # PROTECT: deleting a former owner must not delete reviews of a studio they handed on.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_received"
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    content = models.TextField(null=True, blank=True)
    is_anonymous = models.BooleanField(default=False, db_default=False)
    status = models.CharField(
        max_length=16,
        choices=ReviewStatus.choices,
        default=ReviewStatus.PENDING,
        db_default=ReviewStatus.PENDING,
    )
    # Set when the content matched REVIEW_BLOCKLIST: the moderator sees why.
    is_flagged = models.BooleanField(default=False, db_default=False)
    flagged_terms = models.JSONField(default=list, db_default=[], blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "reviews"
        constraints = [
            legacy_id_unique(),
            models.UniqueConstraint(fields=["studio", "reviewer"], name="review_once_per_studio"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="reviews_rating_1_to_5"
            ),
            choices_check("status", ReviewStatus),
            models.CheckConstraint(
                condition=~Q(reviewer=models.F("owner")), name="reviews_not_own_studio"
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="reviews_status_idx"),
            # Studio page: approved reviews newest first, and the rating aggregates.
            models.Index(
                fields=["studio", "-created_at"],
                condition=Q(status="APPROVED"),
                name="reviews_approved_idx",
            ),
            # Rating average and 5-to-1 distribution of a studio's approved reviews, and the
            # "sort by rating" aggregate over all studios: index-only scans.
            models.Index(
                fields=["studio", "rating"],
                condition=Q(status="APPROVED"),
                name="reviews_approved_rating_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ on {self.studio_id}"


class ReviewResponse(LegacyIdModel, TimestampedModel):
    """The legacy `review_responses` table: at most one owner response per review."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="response")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_responses"
    )
    content = models.TextField()

    class Meta:
        db_table = "review_responses"
        constraints = [legacy_id_unique()]

    def __str__(self) -> str:
        return f"Response to {self.review_id}"
