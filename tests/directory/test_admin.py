"""Django admin: the review moderation actions, escaping, and search-cache bumps."""

from __future__ import annotations

import pytest

from directory.models import ReviewStatus
from realtime.models import Notification, NotificationType
from tests.factories import ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/directory/review/"


def test_the_approve_action_goes_through_the_service(client, django_capture_on_commit_callbacks):
    reviews = ReviewFactory.create_batch(2)
    already = ReviewFactory(status=ReviewStatus.APPROVED)
    client.force_login(UserFactory(admin=True))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST,
            {
                "action": "approve_reviews",
                "_selected_action": [r.pk for r in [*reviews, already]],
            },
            follow=True,
        )

    assert response.status_code == 200
    assert "2 review(s) set to approved." in response.content.decode()
    for review in reviews:
        review.refresh_from_db()
        assert review.status == ReviewStatus.APPROVED
    received = Notification.objects.filter(type=NotificationType.REVIEW_RECEIVED)
    assert received.count() == 2  # not for the review that was approved already


def test_the_reject_action(client):
    review = ReviewFactory()
    client.force_login(UserFactory(admin=True))
    client.post(CHANGELIST, {"action": "reject_reviews", "_selected_action": [review.pk]})
    review.refresh_from_db()
    assert review.status == ReviewStatus.REJECTED
    assert not Notification.objects.exists()


def test_review_text_is_rendered_escaped(client):
    review = ReviewFactory(content="<script>alert('owned')</script> tail")
    client.force_login(UserFactory(admin=True))
    html = client.get(f"{CHANGELIST}{review.pk}/change/").content.decode()
    assert "&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt; tail" in html
    assert "<script>alert('owned')</script>" not in html


def test_the_status_is_changed_by_the_actions_only(client):
    review = ReviewFactory()
    client.force_login(UserFactory(admin=True))
    html = client.get(f"{CHANGELIST}{review.pk}/change/").content.decode()
    assert 'name="status"' not in html
