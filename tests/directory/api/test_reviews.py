"""The review endpoints: writing, answering, moderating — over HTTP, with the error shape."""

from __future__ import annotations

import pytest

from directory.models import Review, ReviewStatus
from realtime.models import Notification, NotificationType
from tests.factories import ReviewFactory, StudioFactory, UserFactory
from tests.support.api import assert_needs_login, error_of

pytestmark = pytest.mark.django_db

GOOD = "A lovely quiet booth with great gear."


def _post_review(api, studio, **overrides):
    payload = {"studio_id": studio.pk, "rating": 5, "content": GOOD, **overrides}
    return api.post("/api/reviews", payload, format="json")


def test_a_verified_user_writes_a_pending_review(api):
    studio = StudioFactory()
    api.force_login(UserFactory())
    response = _post_review(api, studio, is_anonymous=True)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "PENDING"
    assert body["is_anonymous"] is True
    assert body["studio_id"] == studio.pk
    # Pending: not on the studio page yet.
    assert api.get(f"/api/studios/{studio.pk}").json()["reviews"]["count"] == 0


def test_reviews_need_a_login(api):
    assert_needs_login(_post_review(api, StudioFactory()))


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [("unverified", 403, "email_unverified"), ("owner", 403, "own_studio")],
)
def test_who_may_not_review(api, who, status, code):
    studio = StudioFactory()
    api.force_login(UserFactory(email_verified=False) if who == "unverified" else studio.owner)
    response = _post_review(api, studio)
    assert response.status_code == status
    assert error_of(response)["code"] == code


def test_a_second_review_of_the_same_studio_is_a_409(api):
    studio = StudioFactory()
    api.force_login(UserFactory())
    assert _post_review(api, studio).status_code == 201
    response = _post_review(api, studio, rating=1)
    assert response.status_code == 409
    assert error_of(response)["code"] == "already_reviewed"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": "five"}, "rating"),
        ({"content": "too short"}, "content"),
        ({"content": "x" * 2001}, "content"),
        ({"content": None}, "content"),
        ({"studio_id": "abc"}, "studio_id"),
        ({"is_anonymous": "perhaps"}, "is_anonymous"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, overrides, field):
    api.force_login(UserFactory())
    response = _post_review(api, StudioFactory(), **overrides)
    assert response.status_code == 400
    assert field in error_of(response)["fields"]


def test_an_unknown_studio_is_a_404(api):
    api.force_login(UserFactory())
    response = api.post(
        "/api/reviews", {"studio_id": 987654321, "rating": 5, "content": GOOD}, format="json"
    )
    assert response.status_code == 404


def test_malformed_json_is_a_400_not_a_500(api):
    api.force_login(UserFactory())
    response = api.generic("POST", "/api/reviews", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_request"


# --- Owner responses --------------------------------------------------------------------------


def test_the_owner_answers_once(api):
    review = ReviewFactory(status=ReviewStatus.APPROVED)
    api.force_login(review.studio.owner)
    response = api.post(
        f"/api/reviews/{review.pk}/response", {"content": "Thank you!"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["content"] == "Thank you!"
    assert Notification.objects.get(user=review.reviewer).type == NotificationType.REVIEW_RESPONSE

    again = api.post(f"/api/reviews/{review.pk}/response", {"content": "More"}, format="json")
    assert again.status_code == 409
    page = api.get(f"/api/studios/{review.studio_id}").json()
    assert page["reviews"]["results"][0]["response"]["content"] == "Thank you!"


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("reviewer", 403), ("other", 403)])
def test_only_the_owner_answers(api, who, status):
    review = ReviewFactory(status=ReviewStatus.APPROVED)
    if who == "reviewer":
        api.force_login(review.reviewer)
    elif who == "other":
        api.force_login(UserFactory(owner=True))
    response = api.post(f"/api/reviews/{review.pk}/response", {"content": "Hi"}, format="json")
    if status == 401:
        assert_needs_login(response)
    else:
        assert response.status_code == status
        assert error_of(response)["code"] == "not_studio_owner"


# --- Moderation -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "user", "owner"])
def test_moderation_is_for_admins(api, who):
    review = ReviewFactory()
    if who != "anonymous":
        api.force_login(review.reviewer if who == "user" else review.studio.owner)
    for response in (
        api.get("/api/admin/reviews"),
        api.get(f"/api/admin/reviews/{review.pk}"),
        api.patch(f"/api/admin/reviews/{review.pk}", {"status": "APPROVED"}, format="json"),
    ):
        if who == "anonymous":
            assert_needs_login(response)
        else:
            assert response.status_code == 403
    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING


def test_the_queue_shows_flagged_first_then_oldest(api, settings, django_assert_max_num_queries):
    plain_old = ReviewFactory()
    plain_new = ReviewFactory()
    flagged = ReviewFactory(is_flagged=True, flagged_terms=["scam"], is_anonymous=True)
    ReviewFactory(status=ReviewStatus.APPROVED)
    api.force_login(UserFactory(admin=True))

    with django_assert_max_num_queries(4):  # session, user, count, page
        body = api.get("/api/admin/reviews").json()

    assert [r["id"] for r in body["results"]] == [flagged.pk, plain_old.pk, plain_new.pk]
    first = body["results"][0]
    assert first["flagged_terms"] == ["scam"]
    assert first["reviewer"]["username"] == flagged.reviewer.username  # moderators see who
    only_flagged = api.get("/api/admin/reviews", {"flagged": "true"}).json()
    assert only_flagged["count"] == 1
    approved = api.get("/api/admin/reviews", {"status": "APPROVED"}).json()
    assert approved["count"] == 1


def test_an_admin_approves_and_the_owner_is_notified(api):
    review = ReviewFactory()
    admin = UserFactory(admin=True)
    api.force_login(admin)

    response = api.patch(f"/api/admin/reviews/{review.pk}", {"status": "APPROVED"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "APPROVED"
    assert body["moderated_by"]["username"] == admin.username
    notification = Notification.objects.get(user=review.studio.owner)
    assert notification.type == NotificationType.REVIEW_RECEIVED
    assert api.get(f"/api/studios/{review.studio_id}").json()["reviews"]["count"] == 1


def test_an_admin_rejects(api):
    review = ReviewFactory(status=ReviewStatus.APPROVED)
    api.force_login(UserFactory(admin=True))
    api.patch(f"/api/admin/reviews/{review.pk}", {"status": "REJECTED"}, format="json")
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.REJECTED
    assert api.get(f"/api/studios/{review.studio_id}").json()["reviews"]["count"] == 0


@pytest.mark.parametrize("status", ["PENDING", "DELETED", ""])
def test_moderation_takes_approved_or_rejected_only(api, status):
    review = ReviewFactory()
    api.force_login(UserFactory(admin=True))
    response = api.patch(f"/api/admin/reviews/{review.pk}", {"status": status}, format="json")
    assert response.status_code == 400
    assert "status" in error_of(response)["fields"]


def test_moderating_a_missing_review_is_a_404(api):
    api.force_login(UserFactory(admin=True))
    response = api.patch("/api/admin/reviews/987654321", {"status": "APPROVED"}, format="json")
    assert response.status_code == 404
