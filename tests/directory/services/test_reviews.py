"""Every legacy review rule, moderation with its notification, owner responses, the blocklist."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from directory.models import Review, ReviewStatus, StudioStatus
from directory.services.reviews import (
    blocklisted_terms,
    review_create,
    review_moderate,
    review_respond,
)
from realtime.models import Notification, NotificationType
from tests.factories import ReviewFactory, ReviewResponseFactory, StudioFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD = "A lovely quiet booth with great gear."


def test_a_review_starts_pending_and_is_stored_as_typed():
    studio = StudioFactory()
    text = "  <script>alert('x')</script> & <b>bold</b> — ünïcode ✓  "
    review = review_create(reviewer=UserFactory(), studio_id=studio.pk, rating=4, content=text)

    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING
    assert review.content == text  # no sanitising, no escaping: escaped where rendered
    assert review.owner_id == studio.owner_id
    assert review.is_flagged is False


def test_an_unverified_reviewer_is_refused():
    with pytest.raises(Forbidden) as error:
        review_create(
            reviewer=UserFactory(email_verified=False),
            studio_id=StudioFactory().pk,
            rating=5,
            content=GOOD,
        )
    assert error.value.code == "email_unverified"


def test_with_email_verification_off_unverified_reviewers_may_write(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "none"
    review = review_create(
        reviewer=UserFactory(email_verified=False),
        studio_id=StudioFactory().pk,
        rating=5,
        content=GOOD,
    )
    assert review.status == ReviewStatus.PENDING


def test_a_suspended_reviewer_is_refused():
    with pytest.raises(Forbidden) as error:
        review_create(
            reviewer=UserFactory(is_suspended_indefinitely=True),
            studio_id=StudioFactory().pk,
            rating=5,
            content=GOOD,
        )
    assert error.value.code == "suspended"


@pytest.mark.parametrize("rating", [0, 6, -1, 100])
def test_ratings_are_one_to_five(rating):
    with pytest.raises(ValidationFailed) as error:
        review_create(
            reviewer=UserFactory(), studio_id=StudioFactory().pk, rating=rating, content=GOOD
        )
    assert "rating" in error.value.fields


@pytest.mark.parametrize("rating", [1, 5])
def test_the_rating_bounds_are_allowed(rating):
    studio = StudioFactory()
    review = review_create(reviewer=UserFactory(), studio_id=studio.pk, rating=rating, content=GOOD)
    stored = Review.objects.get(pk=review.pk)
    assert (stored.studio_id, stored.rating, stored.status) == (
        studio.pk,
        rating,
        ReviewStatus.PENDING,
    )


@pytest.mark.parametrize(
    ("content", "ok"),
    [
        ("x" * 9, False),
        ("x" * 10, True),
        ("x" * 2000, True),
        ("x" * 2001, False),
        ("         x         ", False),
    ],
)
def test_content_is_10_to_2000_characters(content, ok):
    call = lambda: review_create(  # noqa: E731
        reviewer=UserFactory(), studio_id=StudioFactory().pk, rating=3, content=content
    )
    if ok:
        assert Review.objects.get(pk=call().pk).content == content.strip()
    else:
        with pytest.raises(ValidationFailed) as error:
            call()
        assert "content" in error.value.fields
        assert not Review.objects.exists()


def test_nobody_reviews_their_own_studio():
    studio = StudioFactory()
    with pytest.raises(Forbidden) as error:
        review_create(reviewer=studio.owner, studio_id=studio.pk, rating=5, content=GOOD)
    assert error.value.code == "own_studio"


def test_once_per_studio():
    reviewer, studio = UserFactory(), StudioFactory()
    review_create(reviewer=reviewer, studio_id=studio.pk, rating=5, content=GOOD)
    with pytest.raises(Conflict) as error:
        review_create(reviewer=reviewer, studio_id=studio.pk, rating=1, content=GOOD)
    assert error.value.code == "already_reviewed"


@pytest.mark.django_db(transaction=True)
def test_once_per_studio_even_when_two_requests_race():
    reviewer, studio = UserFactory(), StudioFactory()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt():
        barrier.wait()
        try:
            review_create(reviewer=reviewer, studio_id=studio.pk, rating=5, content=GOOD)
            outcomes.append("created")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "created"]
    assert Review.objects.filter(studio=studio).count() == 1


@pytest.mark.parametrize(
    "studio_kwargs",
    [
        {"status": StudioStatus.DRAFT},
        {"status": StudioStatus.PENDING},
        {"status": StudioStatus.INACTIVE},
        {"is_profile_visible": False},
    ],
)
def test_only_listed_studios_can_be_reviewed(studio_kwargs):
    studio = StudioFactory(**studio_kwargs)
    with pytest.raises(NotFound):
        review_create(reviewer=UserFactory(), studio_id=studio.pk, rating=5, content=GOOD)


def test_blocklisted_words_flag_the_review_for_the_moderator(settings):
    settings.REVIEW_BLOCKLIST = ["scam", "rip off", "Ünfair"]
    review = review_create(
        reviewer=UserFactory(),
        studio_id=StudioFactory().pk,
        rating=1,
        content="A total SCAM, a real rip   off and ünfair.",
    )
    assert review.status == ReviewStatus.PENDING  # flagged, not refused: a person decides
    assert review.is_flagged is True
    assert review.flagged_terms == ["scam", "rip off", "Ünfair"]


def test_the_blocklist_matches_whole_words_only(settings):
    settings.REVIEW_BLOCKLIST = ["ass"]
    assert blocklisted_terms("A classic bass sound, great assistant.") == []
    assert blocklisted_terms("What an ass!") == ["ass"]


def test_approval_publishes_and_notifies_the_owner_once(django_capture_on_commit_callbacks):
    review = ReviewFactory()
    admin = UserFactory(admin=True)

    with django_capture_on_commit_callbacks(execute=True):
        review_moderate(review=review, moderator=admin, status=ReviewStatus.APPROVED)
    review_moderate(review=review, moderator=admin, status=ReviewStatus.APPROVED)  # repeat

    review.refresh_from_db()
    assert (review.status, review.moderated_by) == (ReviewStatus.APPROVED, admin)
    assert review.moderated_at is not None
    notification = Notification.objects.get(user=review.studio.owner)
    assert notification.type == NotificationType.REVIEW_RECEIVED
    assert notification.data == {
        "review_id": review.pk,
        "studio_id": review.studio_id,
        "rating": review.rating,
    }
    assert review.reviewer.display_name in notification.message


def test_the_owner_is_not_told_who_wrote_an_anonymous_review():
    review = ReviewFactory(is_anonymous=True)
    review_moderate(review=review, moderator=UserFactory(admin=True), status="APPROVED")
    notification = Notification.objects.get(user=review.studio.owner)
    assert review.reviewer.display_name not in notification.message
    assert review.reviewer.username not in str(notification.data)


def test_rejection_notifies_nobody():
    review = ReviewFactory()
    review_moderate(review=review, moderator=UserFactory(admin=True), status="REJECTED")
    review.refresh_from_db()
    assert review.status == ReviewStatus.REJECTED
    assert not Notification.objects.exists()


def test_moderation_cannot_send_a_review_back_to_pending():
    with pytest.raises(ValidationFailed):
        review_moderate(review=ReviewFactory(), moderator=UserFactory(admin=True), status="PENDING")


def test_the_owner_responds_once_and_the_reviewer_is_told():
    review = ReviewFactory(status=ReviewStatus.APPROVED)
    response = review_respond(
        review_id=review.pk, author=review.studio.owner, content="Thanks <3 & see you!"
    )
    assert response.content == "Thanks <3 & see you!"
    notification = Notification.objects.get(user=review.reviewer)
    assert notification.type == NotificationType.REVIEW_RESPONSE
    assert notification.data == {"review_id": review.pk, "studio_id": review.studio_id}

    with pytest.raises(Conflict) as error:
        review_respond(review_id=review.pk, author=review.studio.owner, content="Again")
    assert error.value.code == "already_responded"


@pytest.mark.parametrize("who", ["reviewer", "stranger", "admin"])
def test_only_the_studio_owner_responds(who):
    review = ReviewFactory(status=ReviewStatus.APPROVED)
    author = {
        "reviewer": review.reviewer,
        "stranger": UserFactory(owner=True),
        "admin": UserFactory(admin=True),
    }[who]
    with pytest.raises(Forbidden) as error:
        review_respond(review_id=review.pk, author=author, content="Hello")
    assert error.value.code == "not_studio_owner"


@pytest.mark.parametrize("status", [ReviewStatus.PENDING, ReviewStatus.REJECTED])
def test_unpublished_reviews_cannot_be_answered(status):
    review = ReviewFactory(status=status)
    with pytest.raises(NotFound):
        review_respond(review_id=review.pk, author=review.studio.owner, content="Hello")


def test_a_response_needs_some_text():
    review = ReviewFactory(status=ReviewStatus.APPROVED)
    with pytest.raises(ValidationFailed):
        review_respond(review_id=review.pk, author=review.studio.owner, content="   ")


def test_an_existing_response_from_the_legacy_import_counts():
    response = ReviewResponseFactory(review__status=ReviewStatus.APPROVED)
    with pytest.raises(Conflict):
        review_respond(
            review_id=response.review_id, author=response.review.studio.owner, content="Two"
        )
