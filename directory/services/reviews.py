"""Reviews: write one, moderate it, answer it.

The legacy rules: a signed-in reviewer with a verified email, rating 1–5, content 10–2000
characters, never one's own studio, once per studio, always PENDING until a moderator
approves it. Text is stored exactly as typed (no sanitising, no HTML): every place that
renders it as HTML escapes it. Content matching REVIEW_BLOCKLIST is flagged for the
moderator, not refused: the moderator decides.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from common.auth import ensure_can_write_content
from common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from directory.models import Review, ReviewResponse, ReviewStatus, Studio, StudioStatus
from realtime.models import NotificationType
from realtime.services import notify

CONTENT_MIN, CONTENT_MAX = 10, 2000
RESPONSE_MAX = 2000


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@lru_cache(maxsize=8)
def _blocklist_patterns(terms: tuple[str, ...]) -> tuple[tuple[str, re.Pattern], ...]:
    patterns = []
    for term in terms:
        words = _normalise(term).split()
        if words:
            body = r"\s+".join(re.escape(word) for word in words)
            patterns.append((term.strip(), re.compile(rf"(?<!\w){body}(?!\w)")))
    return tuple(patterns)


def blocklisted_terms(text: str) -> list[str]:
    """The REVIEW_BLOCKLIST entries that occur in text as whole words, any case."""
    normalised = _normalise(text)
    return [
        term
        for term, pattern in _blocklist_patterns(tuple(settings.REVIEW_BLOCKLIST))
        if pattern.search(normalised)
    ]


def _validate_content(content: str) -> str:
    length = len(content.strip())
    if not CONTENT_MIN <= length <= CONTENT_MAX:
        raise ValidationFailed(
            fields={"content": [f"Write between {CONTENT_MIN} and {CONTENT_MAX} characters."]}
        )
    return content


def review_create(
    *, reviewer: User, studio_id: int, rating: int, content: str, is_anonymous: bool = False
) -> Review:
    ensure_can_write_content(reviewer)  # suspended: 403 suspended; unverified: email_unverified
    if not 1 <= rating <= 5:
        raise ValidationFailed(fields={"rating": ["Give a rating from 1 to 5."]})
    content = _validate_content(content)
    studio = Studio.objects.filter(
        pk=studio_id, status=StudioStatus.ACTIVE, is_profile_visible=True
    ).first()
    if studio is None:
        raise NotFound("No such studio.", fields={"studio_id": ["No such studio."]})
    if studio.owner_id == reviewer.pk:
        raise Forbidden("You cannot review your own studio.", code="own_studio")
    if Review.objects.filter(studio=studio, reviewer=reviewer).exists():
        raise Conflict("You have already reviewed this studio.", code="already_reviewed")

    flagged = blocklisted_terms(content)
    try:
        with transaction.atomic():
            review = Review.objects.create(
                studio=studio,
                reviewer=reviewer,
                owner_id=studio.owner_id,
                rating=rating,
                content=content,
                is_anonymous=is_anonymous,
                status=ReviewStatus.PENDING,
                is_flagged=bool(flagged),
                flagged_terms=flagged,
            )
    except IntegrityError:
        # A parallel request won the (studio, reviewer) unique constraint.
        raise Conflict("You have already reviewed this studio.", code="already_reviewed") from None
    return review


def _own_review_for_update(*, review_id: int, reviewer: User) -> Review:
    """The reviewer's own review, locked; anyone else's is 404 (as if it did not exist)."""
    review = (
        Review.objects.select_for_update(of=("self",))
        .filter(pk=review_id, reviewer_id=reviewer.pk)
        .first()
    )
    if review is None:
        raise NotFound("No such review.")
    return review


def review_update(
    *,
    review_id: int,
    reviewer: User,
    rating: int | None = None,
    content: str | None = None,
    is_anonymous: bool | None = None,
) -> Review:
    """The reviewer changes their review until the owner has answered it.

    Changed text has not been read by a moderator: the review goes back to PENDING (off the
    studio page until approved again) and the blocklist is checked again. Once the owner
    has replied, the review is what the reply answers: 409 `review_answered`.
    """
    ensure_can_write_content(reviewer)
    if rating is not None and not 1 <= rating <= 5:
        raise ValidationFailed(fields={"rating": ["Give a rating from 1 to 5."]})
    if content is not None:
        content = _validate_content(content)
    with transaction.atomic():
        review = _own_review_for_update(review_id=review_id, reviewer=reviewer)
        if ReviewResponse.objects.filter(review_id=review.pk).exists():
            raise Conflict(
                "The owner has answered this review: it can no longer be changed.",
                code="review_answered",
            )
        for name, value in (
            ("rating", rating),
            ("content", content),
            ("is_anonymous", is_anonymous),
        ):
            if value is not None:
                setattr(review, name, value)
        flagged = blocklisted_terms(review.content or "")
        review.is_flagged = bool(flagged)
        review.flagged_terms = flagged
        review.status = ReviewStatus.PENDING
        review.moderated_by = None
        review.moderated_at = None
        review.save()
    return review


def review_delete(*, review_id: int, reviewer: User) -> None:
    """The reviewer withdraws their review, in any state; the owner's reply goes with it."""
    with transaction.atomic():
        _own_review_for_update(review_id=review_id, reviewer=reviewer).delete()


def _notify_owner_of_review(review: Review) -> None:
    who = "Someone" if review.is_anonymous else review.reviewer.display_name
    notify(
        user_id=review.studio.owner_id,
        type=NotificationType.REVIEW_RECEIVED,
        title=f"New review of {review.studio.name}",
        message=f"{who} rated {review.studio.name} {review.rating} out of 5.",
        data={"review_id": review.pk, "studio_id": review.studio_id, "rating": review.rating},
        action_url=f"/studios/{review.studio_id}#review-{review.pk}",
    )


def review_moderate(*, review: Review, moderator: User, status: str) -> Review:
    """Approve or reject. The owner is told when a review goes live; repeats are no-ops."""
    if status not in (ReviewStatus.APPROVED, ReviewStatus.REJECTED):
        raise ValidationFailed(fields={"status": ["Choose APPROVED or REJECTED."]})
    with transaction.atomic():
        review = (
            Review.objects.select_for_update(of=("self",))
            .select_related("studio", "reviewer")
            .get(pk=review.pk)
        )
        if review.status == status:
            return review
        review.status = status
        review.moderated_by = moderator
        review.moderated_at = timezone.now()
        review.save(update_fields=["status", "moderated_by", "moderated_at", "updated_at"])
        if status == ReviewStatus.APPROVED:
            _notify_owner_of_review(review)
        # Review counts and ratings in search results change with approval either way.
    return review


def review_respond(*, review_id: int, author: User, content: str) -> ReviewResponse:
    """The studio owner's one public answer to an approved review."""
    ensure_can_write_content(author)
    content_length = len(content.strip())
    if not 1 <= content_length <= RESPONSE_MAX:
        raise ValidationFailed(fields={"content": [f"Write 1 to {RESPONSE_MAX} characters."]})
    try:
        with transaction.atomic():
            review = (
                Review.objects.select_for_update(of=("self",))
                .select_related("studio")
                .filter(pk=review_id, status=ReviewStatus.APPROVED)
                .first()
            )
            if review is None:
                raise NotFound("No such review.")
            if review.studio.owner_id != author.pk:
                raise Forbidden(
                    "Only the studio's owner can respond to its reviews.", code="not_studio_owner"
                )
            if ReviewResponse.objects.filter(review=review).exists():
                raise Conflict("This review already has a response.", code="already_responded")
            response = ReviewResponse.objects.create(review=review, author=author, content=content)
            notify(
                user_id=review.reviewer_id,
                type=NotificationType.REVIEW_RESPONSE,
                title=f"{review.studio.name} responded to your review",
                message=f"The owner of {review.studio.name} responded to your review.",
                data={"review_id": review.pk, "studio_id": review.studio_id},
                action_url=f"/studios/{review.studio_id}#review-{review.pk}",
            )
    except IntegrityError:
        raise Conflict("This review already has a response.", code="already_responded") from None
    return response


def _own_response_for_update(*, review_id: int, author: User) -> ReviewResponse:
    """The answer to a review of the author's studio, locked (404 without one, 403 for
    anyone but the studio's current owner — as for answering)."""
    response = (
        ReviewResponse.objects.select_for_update(of=("self",))
        .select_related("review__studio", "author")
        .filter(review_id=review_id)
        .first()
    )
    if response is None:
        raise NotFound("This review has no response.")
    if response.review.studio.owner_id != author.pk:
        raise Forbidden(
            "Only the studio's owner can change its responses.", code="not_studio_owner"
        )
    return response


def review_response_update(*, review_id: int, author: User, content: str) -> ReviewResponse:
    """The owner rewords their answer (no new notification: the reviewer was told once)."""
    ensure_can_write_content(author)
    if not 1 <= len(content.strip()) <= RESPONSE_MAX:
        raise ValidationFailed(fields={"content": [f"Write 1 to {RESPONSE_MAX} characters."]})
    with transaction.atomic():
        response = _own_response_for_update(review_id=review_id, author=author)
        response.content = content
        response.save(update_fields=["content", "updated_at"])
    return response


def review_response_delete(*, review_id: int, author: User) -> None:
    """The owner withdraws their answer; they may answer again, and the reviewer may
    change their review again."""
    with transaction.atomic():
        _own_response_for_update(review_id=review_id, author=author).delete()
