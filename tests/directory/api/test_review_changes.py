"""A reviewer changes or withdraws their review (PATCH/DELETE /api/reviews/{id}) and reads
their own reviews in every state (GET /api/user/reviews); the rules as each kind of user."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import Review, ReviewResponse, ReviewStatus
from tests.factories import ReviewFactory, ReviewResponseFactory, UserFactory
from tests.support.api import assert_needs_login, error_of

pytestmark = pytest.mark.django_db

BETTER = "Even better on a second visit: new foam."


def test_the_writer_changes_a_review_and_it_waits_for_moderation_again(api, settings):
    settings.REVIEW_BLOCKLIST = ["rubbish"]
    moderator = UserFactory(admin=True)
    review = ReviewFactory(status=ReviewStatus.APPROVED, moderated_by=moderator)
    api.force_login(review.reviewer)

    response = api.patch(
        f"/api/reviews/{review.pk}",
        {"rating": 3, "content": "Rubbish acoustics, sadly.", "is_anonymous": True},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rating"], body["status"], body["is_anonymous"]) == (3, "PENDING", True)
    assert body["studio"] == {"id": review.studio_id, "name": review.studio.name}
    review.refresh_from_db()
    assert review.content == "Rubbish acoustics, sadly."
    assert review.moderated_by is None
    assert review.moderated_at is None
    assert review.is_flagged
    assert review.flagged_terms == ["rubbish"]
    # Off the studio page until approved again.
    assert api.get(f"/api/studios/{review.studio_id}").json()["reviews"]["count"] == 0


def test_changes_keep_the_length_rules(api):
    review = ReviewFactory()
    api.force_login(review.reviewer)
    for content in ("too short", "x" * 2001, "          short     "):
        response = api.patch(f"/api/reviews/{review.pk}", {"content": content}, format="json")
        assert response.status_code == 400, content
        assert "content" in error_of(response)["fields"]
    response = api.patch(f"/api/reviews/{review.pk}", {"rating": 6}, format="json")
    assert response.status_code == 400
    review.refresh_from_db()
    assert review.content == "A lovely quiet booth with great gear."


def test_an_answered_review_can_no_longer_change_but_can_be_withdrawn(api):
    review = ReviewFactory(status=ReviewStatus.APPROVED)
    ReviewResponseFactory(review=review, author=review.studio.owner)
    api.force_login(review.reviewer)

    response = api.patch(f"/api/reviews/{review.pk}", {"content": BETTER}, format="json")
    assert response.status_code == 409
    assert error_of(response)["code"] == "review_answered"

    assert api.delete(f"/api/reviews/{review.pk}").status_code == 204
    assert not Review.objects.filter(pk=review.pk).exists()
    assert not ReviewResponse.objects.filter(review_id=review.pk).exists()


@pytest.mark.parametrize("who", ["studio_owner", "other_member", "admin"])
def test_nobody_else_changes_or_withdraws_a_review(api, who):
    review = ReviewFactory(status=ReviewStatus.APPROVED)
    caller = {
        "studio_owner": review.studio.owner,
        "other_member": UserFactory(),
        "admin": UserFactory(admin=True),
    }[who]
    api.force_login(caller)
    response = api.patch(f"/api/reviews/{review.pk}", {"content": BETTER}, format="json")
    assert response.status_code == 404
    assert api.delete(f"/api/reviews/{review.pk}").status_code == 404
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED


def test_unverified_and_suspended_writers_may_not_change_a_review(api):
    unverified = ReviewFactory(reviewer=UserFactory(unverified=True))
    api.force_login(unverified.reviewer)
    response = api.patch(f"/api/reviews/{unverified.pk}", {"rating": 1}, format="json")
    assert response.status_code == 403
    assert error_of(response)["code"] == "email_unverified"

    suspended = ReviewFactory(reviewer=UserFactory(suspended=True))
    api.force_login(suspended.reviewer)
    response = api.patch(f"/api/reviews/{suspended.pk}", {"rating": 1}, format="json")
    assert response.status_code == 403


def test_anonymous_callers_need_a_login(api):
    review = ReviewFactory()
    assert_needs_login(api.patch(f"/api/reviews/{review.pk}", {"rating": 1}, format="json"))
    assert_needs_login(api.delete(f"/api/reviews/{review.pk}"))
    assert_needs_login(api.get("/api/user/reviews"))


def test_your_reviews_in_every_state_with_the_answer(api):
    me = UserFactory()
    pending = ReviewFactory(reviewer=me)
    approved = ReviewFactory(reviewer=me, status=ReviewStatus.APPROVED)
    ReviewResponseFactory(review=approved, author=approved.studio.owner, content="Thanks!")
    ReviewFactory(reviewer=me, status=ReviewStatus.REJECTED)
    ReviewFactory()  # someone else's
    api.force_login(me)

    body = api.get("/api/user/reviews").json()
    assert body["count"] == 3
    assert {r["status"] for r in body["results"]} == {"PENDING", "APPROVED", "REJECTED"}

    one = api.get("/api/user/reviews", {"studio_id": pending.studio_id}).json()
    assert [r["id"] for r in one["results"]] == [pending.pk]
    assert one["results"][0]["response"] is None
    answered = api.get("/api/user/reviews", {"studio_id": approved.studio_id}).json()
    assert answered["results"][0]["response"]["content"] == "Thanks!"
    assert api.get("/api/user/reviews", {"studio_id": "x"}).status_code == 400


def test_your_reviews_cost_the_same_queries_however_many(api):
    me = UserFactory()
    api.force_login(me)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/user/reviews").status_code == 200
        return len(captured)

    ReviewFactory(reviewer=me, status=ReviewStatus.APPROVED)
    few = queries()
    for _ in range(4):
        review = ReviewFactory(reviewer=me, status=ReviewStatus.APPROVED)
        ReviewResponseFactory(review=review, author=review.studio.owner)
    assert queries() == few


def test_the_owner_rewords_and_withdraws_their_answer(api):
    review = ReviewFactory(status=ReviewStatus.APPROVED)
    ReviewResponseFactory(review=review, author=review.studio.owner, content="Thanks!")
    url = f"/api/reviews/{review.pk}/response"
    api.force_login(review.studio.owner)

    response = api.patch(url, {"content": "Thank you, come again."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["content"] == "Thank you, come again."
    assert api.patch(url, {"content": "   "}, format="json").status_code == 400
    assert ReviewResponse.objects.get(review=review).content == "Thank you, come again."

    assert api.delete(url).status_code == 204
    assert not ReviewResponse.objects.filter(review=review).exists()
    assert api.delete(url).status_code == 404
    assert api.patch(url, {"content": "Again"}, format="json").status_code == 404
    # Withdrawn: the owner may answer again, and the writer may change their review again.
    assert api.post(url, {"content": "A better answer."}, format="json").status_code == 201
    api.force_login(review.reviewer)
    assert api.delete(url).status_code == 403


@pytest.mark.parametrize("who", ["reviewer", "other_member", "admin"])
def test_nobody_else_changes_the_owners_answer(api, who):
    review = ReviewFactory(status=ReviewStatus.APPROVED)
    ReviewResponseFactory(review=review, author=review.studio.owner, content="Thanks!")
    caller = {
        "reviewer": review.reviewer,
        "other_member": UserFactory(),
        "admin": UserFactory(admin=True),
    }[who]
    api.force_login(caller)
    url = f"/api/reviews/{review.pk}/response"
    response = api.patch(url, {"content": "Hijacked"}, format="json")
    assert response.status_code == 403
    assert error_of(response)["code"] == "not_studio_owner"
    assert api.delete(url).status_code == 403
    assert ReviewResponse.objects.get(review=review).content == "Thanks!"
