"""POST /api/moderation/reports and GET /api/moderation/reports/mine: every reporting rule,
as each kind of user, and admins told live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from directory.models import ReviewStatus, StudioStatus
from moderation.models import ContentReport, ReportStatus
from realtime.models import Event, Notification, NotificationType
from tests.factories import (
    ContentReportFactory,
    MessageFactory,
    ReviewFactory,
    StudioFactory,
    UserFactory,
)
from tests.support.api import assert_needs_login, error_of

pytestmark = pytest.mark.django_db


def _report(api, content_type, content_id, reason="SPAM", **extra):
    body = {"content_type": content_type, "content_id": str(content_id), "reason": reason, **extra}
    return api.post("/api/moderation/reports", body, format="json")


def test_a_verified_user_reports_a_studio_and_the_owner_is_the_reported_user(api):
    studio = StudioFactory()
    reporter = UserFactory()
    api.force_login(reporter)
    response = _report(api, "STUDIO", studio.pk, "FAKE_INFO")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "PENDING"
    assert body["content_id"] == str(studio.pk)
    report = ContentReport.objects.get(pk=body["id"])
    assert report.reporter == reporter
    assert report.reported_user_id == studio.owner_id
    assert report.reason == "FAKE_INFO"


def test_anonymous_callers_must_sign_in(api):
    assert_needs_login(_report(api, "STUDIO", StudioFactory().pk))


def test_an_unverified_user_is_refused(api):
    api.force_login(UserFactory(email_verified=False))
    response = _report(api, "STUDIO", StudioFactory().pk)
    assert response.status_code == 403
    assert error_of(response)["code"] == "email_unverified"
    assert not ContentReport.objects.exists()


def test_a_suspended_user_is_refused(api):
    user = UserFactory(is_suspended_indefinitely=True, suspension_reason="spam")
    api.force_login(user)
    response = _report(api, "STUDIO", StudioFactory().pk)
    assert response.status_code == 403
    assert error_of(response)["code"] == "suspended"


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_owners_and_admins_may_report_too(api, who):
    user = UserFactory(owner=True) if who == "owner" else UserFactory(admin=True)
    api.force_login(user)
    assert _report(api, "USER", UserFactory().pk).status_code == 201


def test_a_message_only_by_its_participants(api):
    message = MessageFactory()
    api.force_login(UserFactory())
    outsider = _report(api, "MESSAGE", message.pk, "HARASSMENT")
    assert outsider.status_code == 404
    assert error_of(outsider)["fields"] == {"content_id": ["No such message."]}
    api.force_login(message.receiver)
    response = _report(api, "MESSAGE", message.pk, "HARASSMENT")
    assert response.status_code == 201
    assert ContentReport.objects.get().reported_user == message.sender


def test_one_cannot_report_ones_own_content(api):
    message = MessageFactory()
    api.force_login(message.sender)
    response = _report(api, "MESSAGE", message.pk)
    assert response.status_code == 400
    assert error_of(response)["code"] == "own_content"


def test_a_hidden_studio_and_a_pending_review_are_404_to_others(api):
    hidden = StudioFactory(status=StudioStatus.PENDING)
    pending = ReviewFactory(status=ReviewStatus.PENDING)
    api.force_login(UserFactory())
    assert _report(api, "STUDIO", hidden.pk).status_code == 404
    assert _report(api, "REVIEW", pending.pk).status_code == 404
    # The studio's owner sees the pending review of their studio, and may report it.
    api.force_login(pending.studio.owner)
    assert _report(api, "REVIEW", pending.pk).status_code == 201
    assert ContentReport.objects.get().reported_user == pending.reviewer


def test_an_approved_review_is_reported_against_its_writer(api):
    review = ReviewFactory(status=ReviewStatus.APPROVED)
    api.force_login(UserFactory())
    assert _report(api, "REVIEW", review.pk, "HATE_SPEECH").status_code == 201
    assert ContentReport.objects.get().reported_user == review.reviewer


@pytest.mark.parametrize("content_id", ["0", "abc", "99999999", "-1", "9" * 30])
def test_missing_or_malformed_content_is_a_404(api, content_id):
    api.force_login(UserFactory())
    response = _report(api, "USER", content_id)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_deactivated_account_cannot_be_reported(api):
    api.force_login(UserFactory())
    assert _report(api, "USER", UserFactory(is_active=False).pk).status_code == 404


@pytest.mark.parametrize(
    ("custom_reason", "status"),
    [
        (None, 400),
        ("", 400),
        ("too short", 400),
        ("x" * 1001, 400),
        ("x" * 10, 201),
        ("x" * 1000, 201),
    ],
)
def test_other_needs_a_custom_reason_of_10_to_1000_characters(api, custom_reason, status):
    api.force_login(UserFactory())
    extra = {} if custom_reason is None else {"custom_reason": custom_reason}
    response = _report(api, "USER", UserFactory().pk, "OTHER", **extra)
    assert response.status_code == status, response.content
    if status == 400:
        assert "custom_reason" in error_of(response)["fields"]


@pytest.mark.parametrize(
    ("field", "value"), [("content_type", "POST"), ("reason", "RUDE"), ("content_id", "x" * 65)]
)
def test_bad_input_names_the_field(api, field, value):
    api.force_login(UserFactory())
    body = {"content_type": "USER", "content_id": str(UserFactory().pk), "reason": "SPAM"}
    body[field] = value
    response = api.post("/api/moderation/reports", body, format="json")
    assert response.status_code == 400
    assert field in error_of(response)["fields"]


def test_one_open_report_per_reporter_and_content(api):
    target = UserFactory()
    api.force_login(UserFactory())
    assert _report(api, "USER", target.pk).status_code == 201
    again = _report(api, "USER", target.pk, "HARASSMENT")
    assert again.status_code == 409
    assert error_of(again)["code"] == "already_reported"
    # Once the first is closed, a new report is welcome.
    ContentReport.objects.update(status=ReportStatus.DISMISSED)
    assert _report(api, "USER", target.pk).status_code == 201


def test_the_database_holds_one_open_report_per_reporter_and_content():
    from django.db import IntegrityError, transaction

    first = ContentReportFactory(content_type="USER", content_id="42")
    with pytest.raises(IntegrityError), transaction.atomic():
        ContentReportFactory(reporter=first.reporter, content_type="USER", content_id="42")
    ContentReportFactory(
        reporter=first.reporter, content_type="USER", content_id="42", status="DISMISSED"
    )


def test_reports_are_throttled_per_user(api, settings):
    settings.MODERATION_REPORT_RATE = "3/hour"
    reporter = UserFactory()
    api.force_login(reporter)
    statuses = [_report(api, "USER", UserFactory().pk).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    api.force_login(UserFactory())  # another person has their own allowance
    assert _report(api, "USER", UserFactory().pk).status_code == 201


def test_admins_get_a_notification_and_the_badge_after_commit(
    api, django_capture_on_commit_callbacks
):
    admins = [UserFactory(admin=True), UserFactory(admin=True)]
    ContentReportFactory()  # one open already
    api.force_login(UserFactory())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _report(api, "STUDIO", StudioFactory().pk, "SPAM")
    assert response.status_code == 201
    assert callbacks, "the push waits for the commit"
    for admin in admins:
        notification = Notification.objects.get(user=admin)
        assert notification.type == NotificationType.REPORT_RECEIVED
        assert notification.data["report_id"] == response.json()["id"]
        badge = Event.objects.get(user=admin, type="moderation.queue")
        assert badge.payload == {"type": "moderation.queue", "open_reports": 2}
    assert not Notification.objects.exclude(user__in=admins).exists()


def test_my_reports_list_only_mine_with_their_outcome(api, django_assert_num_queries):
    me = UserFactory()
    mine = [
        ContentReportFactory(reporter=me, status=s) for s in ("PENDING", "DISMISSED", "RESOLVED")
    ]
    ContentReportFactory()  # someone else's
    api.force_login(me)
    api.get("/api/moderation/reports/mine")  # warm the session
    with django_assert_num_queries(4):  # session, user, count, page
        response = api.get("/api/moderation/reports/mine")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [r["id"] for r in body["results"]] == [r.pk for r in reversed(mine)]
    assert {r["status"] for r in body["results"]} == {"PENDING", "DISMISSED", "RESOLVED"}
    assert "reviewed_by" not in body["results"][0]


def test_my_reports_need_a_login(api):
    assert_needs_login(api.get("/api/moderation/reports/mine"))


def test_a_suspension_that_ended_lets_one_report_again(api):
    user = UserFactory(suspended_until=timezone.now() - timedelta(minutes=1))
    api.force_login(user)
    assert _report(api, "USER", UserFactory().pk).status_code == 201
