"""The queue (GET /api/admin/reports) and its actions (POST /api/admin/reports/{id}/action):
each action's effect on the content, the users and the report; reporters told; one of two
concurrent actions wins."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from directory.models import Review, ReviewStatus, Studio, StudioStatus
from moderation.models import AuditLogEntry, ReportStatus
from realtime.models import Event, Message, Notification, NotificationType
from tests.factories import (
    ContentReportFactory,
    MessageFactory,
    ReviewFactory,
    StudioFactory,
    UserFactory,
)
from tests.support.api import error_of

pytestmark = pytest.mark.django_db


def _act(api, report, action, **extra):
    return api.post(
        f"/api/admin/reports/{report.pk}/action", {"action": action, **extra}, format="json"
    )


def _report_on(obj, content_type, reported_user, **kw):
    return ContentReportFactory(
        content_type=content_type, content_id=str(obj.pk), reported_user=reported_user, **kw
    )


@pytest.fixture
def admin(api):
    admin = UserFactory(admin=True)
    api.force_login(admin)
    return admin


# --- the queue ----------------------------------------------------------------------------


def test_the_queue_previews_content_and_the_reported_users_history(
    api, admin, django_assert_num_queries
):
    message = MessageFactory(content="you are awful")
    review = ReviewFactory(status=ReviewStatus.APPROVED, content="Terrible, avoid this place")
    studio = StudioFactory(name="Fake Studio")
    reports = [
        _report_on(message, "MESSAGE", message.sender, reporter=message.receiver),
        _report_on(review, "REVIEW", review.reviewer),
        _report_on(studio, "STUDIO", studio.owner),
        _report_on(message.sender, "USER", message.sender),
    ]
    ContentReportFactory(reported_user=message.sender, status=ReportStatus.DISMISSED)
    ReviewFactory(status=ReviewStatus.PENDING)
    api.get("/api/admin/reports")  # warm the session
    # session, user, count, page, 4 previews, 2 histories, pending count, pending page
    with django_assert_num_queries(12):
        response = api.get("/api/admin/reports?status=PENDING")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 4
    by_id = {r["id"]: r for r in body["results"]}
    assert [r["id"] for r in body["results"]] == [r.pk for r in reports]  # oldest first
    assert by_id[reports[0].pk]["preview"]["content"] == "you are awful"
    assert by_id[reports[1].pk]["preview"]["rating"] == review.rating
    assert by_id[reports[2].pk]["preview"]["name"] == "Fake Studio"
    assert by_id[reports[3].pk]["preview"]["username"] == message.sender.username
    history = by_id[reports[0].pk]["history"]
    assert history["reports"] == 3
    assert history["dismissed"] == 1
    assert history["is_suspended"] is False
    assert body["pending_reviews"]["count"] == 1


def test_more_reports_cost_no_more_queries(api, admin, django_assert_num_queries):
    for _ in range(6):
        m = MessageFactory()
        _report_on(m, "MESSAGE", m.sender)
    api.get("/api/admin/reports")
    # session, user, count, page, one kind of preview, 2 histories; no reviews (MESSAGE only)
    with django_assert_num_queries(7):
        response = api.get("/api/admin/reports?status=PENDING&content_type=MESSAGE")
    assert response.json()["count"] == 6


def test_the_queue_filters(api, admin):
    ContentReportFactory(content_type="USER", reason="SPAM")
    ContentReportFactory(content_type="MESSAGE", reason="HARASSMENT", content_id="1")
    ContentReportFactory(content_type="USER", reason="HARASSMENT", status="DISMISSED")
    assert api.get("/api/admin/reports?content_type=USER").json()["count"] == 2
    assert api.get("/api/admin/reports?reason=HARASSMENT").json()["count"] == 2
    body = api.get("/api/admin/reports?status=DISMISSED").json()
    assert body["count"] == 1
    assert body["pending_reviews"] is None
    assert api.get("/api/admin/reports?page=2").json()["results"] == []
    bad = api.get("/api/admin/reports?status=OPEN")
    assert bad.status_code == 400
    assert "status" in error_of(bad)["fields"]


@pytest.mark.parametrize("who", ["anonymous", "user", "owner", "suspended"])
def test_the_queue_and_actions_are_for_admins(api, who):
    report = ContentReportFactory()
    if who != "anonymous":
        api.force_login(
            {
                "user": UserFactory,
                "owner": lambda: UserFactory(owner=True),
                "suspended": lambda: UserFactory(admin=True, is_suspended_indefinitely=True),
            }[who]()
        )
    expected = 401 if who == "anonymous" else 403
    assert api.get("/api/admin/reports").status_code == expected
    assert _act(api, report, "dismiss").status_code == expected
    report.refresh_from_db()
    assert report.status == ReportStatus.PENDING


# --- actions --------------------------------------------------------------------------------


def test_dismiss_records_the_reviewer_and_tells_the_reporter(
    api, admin, django_capture_on_commit_callbacks
):
    report = ContentReportFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = _act(api, report, "dismiss", resolution="Not a breach.")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "DISMISSED"
    assert body["reviewed_by"]["username"] == admin.username
    assert body["reviewed_at"] is not None
    assert body["resolution"] == "Not a breach."
    assert set(body) == {"id", "status", "reviewed_by", "reviewed_at", "resolution"}
    outcome = Notification.objects.get(user=report.reporter)
    assert outcome.type == NotificationType.REPORT_OUTCOME
    assert outcome.data == {"report_id": report.pk, "status": "DISMISSED"}
    badge = Event.objects.filter(user=admin, type="moderation.queue").latest("event_id")
    assert badge.payload["open_reports"] == 0
    entry = AuditLogEntry.objects.get(target_type="REPORT", target_id=str(report.pk))
    assert entry.action == "report.dismiss"
    assert entry.actor_id == admin.pk
    assert entry.before["status"] == "PENDING"
    assert entry.after["status"] == "DISMISSED"


def test_mark_reviewed(api, admin):
    report = ContentReportFactory()
    assert _act(api, report, "mark_reviewed").json()["status"] == "REVIEWED"


def test_remove_content_rejects_a_review(api, admin):
    review = ReviewFactory(status=ReviewStatus.APPROVED)
    report = _report_on(review, "REVIEW", review.reviewer)
    assert _act(api, report, "remove_content").json()["status"] == "RESOLVED"
    review.refresh_from_db()
    assert review.status == ReviewStatus.REJECTED
    assert review.moderated_by == admin
    assert AuditLogEntry.objects.filter(
        target_type="REVIEW", target_id=str(review.pk), action="review.reject"
    ).exists()


def test_remove_content_makes_a_studio_inactive(api, admin):
    studio = StudioFactory(status=StudioStatus.ACTIVE)
    report = _report_on(studio, "STUDIO", studio.owner)
    assert _act(api, report, "remove_content").status_code == 200
    assert Studio.objects.get(pk=studio.pk).status == StudioStatus.INACTIVE
    entry = AuditLogEntry.objects.get(target_type="STUDIO", target_id=str(studio.pk))
    assert (entry.before["status"], entry.after["status"]) == ("ACTIVE", "INACTIVE")


def test_remove_content_removes_a_message_for_both_live(
    api, admin, django_capture_on_commit_callbacks
):
    message = MessageFactory(content="threatening words")
    report = _report_on(message, "MESSAGE", message.sender, reporter=message.receiver)
    with django_capture_on_commit_callbacks(execute=True):
        assert _act(api, report, "remove_content").status_code == 200
    assert not Message.objects.filter(pk=message.pk).exists()
    for person in (message.sender, message.receiver):
        event = Event.objects.get(user=person, type="message.removed")
        assert event.payload["message_id"] == message.pk
    entry = AuditLogEntry.objects.get(target_type="MESSAGE", target_id=str(message.pk))
    assert entry.before["content"] == "threatening words"


def test_remove_content_of_a_profile_is_refused(api, admin):
    user = UserFactory()
    report = _report_on(user, "USER", user)
    response = _act(api, report, "remove_content")
    assert response.status_code == 400
    assert error_of(response)["code"] == "nothing_to_remove"
    report.refresh_from_db()
    assert report.status == ReportStatus.PENDING


def test_content_gone_is_a_409(api, admin):
    report = ContentReportFactory(content_type="MESSAGE", content_id="987654")
    response = _act(api, report, "remove_content")
    assert response.status_code == 409
    assert error_of(response)["code"] == "content_gone"


def test_warn_notifies_the_reported_user(api, admin):
    target = UserFactory()
    report = _report_on(target, "USER", target)
    assert _act(api, report, "warn", resolution="Keep it civil.").json()["status"] == "RESOLVED"
    warning = Notification.objects.get(user=target)
    assert warning.type == NotificationType.MODERATION_WARNING
    assert warning.message == "Keep it civil."
    assert AuditLogEntry.objects.filter(action="user.warn", target_id=str(target.pk)).exists()


def test_suspend_for_days_then_reinstate(api, admin, django_capture_on_commit_callbacks):
    from common.signals import user_access_revoked

    revoked = []

    def listener(sender, user_id, reason, **kwargs):
        revoked.append((user_id, reason))

    user_access_revoked.connect(listener)
    try:
        target = UserFactory()
        report = _report_on(target, "USER", target)
        with django_capture_on_commit_callbacks(execute=True):
            response = _act(api, report, "suspend", days=7, resolution="Spam campaign")
        assert response.json()["status"] == "RESOLVED"
    finally:
        user_access_revoked.disconnect(listener)
    target.refresh_from_db()
    assert target.is_suspended
    assert not target.is_suspended_indefinitely
    assert abs(target.suspended_until - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)
    assert revoked == [(target.pk, "suspended")]
    # The reported user's history now shows it.
    ContentReportFactory(reported_user=target)
    queued = api.get("/api/admin/reports?status=PENDING").json()["results"][0]
    assert queued["history"]["suspensions"] == 1
    assert queued["history"]["is_suspended"] is True
    # Reinstating on the closed report lifts it and keeps the report's status.
    response = _act(api, report, "reinstate", resolution="Appeal accepted")
    assert response.status_code == 200
    assert response.json()["status"] == "RESOLVED"
    target.refresh_from_db()
    assert not target.is_suspended
    assert list(
        AuditLogEntry.objects.filter(target_type="USER", target_id=str(target.pk))
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["user.suspend", "user.reinstate"]


def test_suspend_without_days_is_indefinite(api, admin):
    target = UserFactory()
    report = _report_on(target, "USER", target)
    assert _act(api, report, "suspend").status_code == 200
    target.refresh_from_db()
    assert target.is_suspended_indefinitely


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "ban"}, "action"),
        ({"action": "suspend", "days": 0}, "days"),
        ({"action": "dismiss", "days": 3}, "days"),
        ({"action": "dismiss", "resolution": "x" * 2001}, "resolution"),
    ],
)
def test_bad_actions_name_the_field(api, admin, body, field):
    report = ContentReportFactory()
    response = api.post(f"/api/admin/reports/{report.pk}/action", body, format="json")
    assert response.status_code == 400
    assert field in error_of(response)["fields"]


def test_an_unknown_report_is_a_404(api, admin):
    response = api.post("/api/admin/reports/999999/action", {"action": "dismiss"}, format="json")
    assert response.status_code == 404


def test_a_closed_report_is_a_409(api, admin):
    report = ContentReportFactory(status=ReportStatus.DISMISSED)
    response = _act(api, report, "warn")
    assert response.status_code == 409
    assert error_of(response)["code"] == "report_closed"


def test_an_action_without_a_reported_user_is_a_409(api, admin):
    report = ContentReportFactory(reported_user=None)
    response = _act(api, report, "suspend")
    assert response.status_code == 409
    assert error_of(response)["code"] == "no_reported_user"


def test_an_admin_cannot_suspend_themselves(api, admin):
    report = _report_on(admin, "USER", admin)
    response = _act(api, report, "suspend")
    assert response.status_code == 400
    assert error_of(response)["code"] == "own_account"
    admin.refresh_from_db()
    assert not admin.is_suspended


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_actions_one_wins_the_other_is_a_409():
    first, second = UserFactory(admin=True), UserFactory(admin=True)
    target = UserFactory()
    report = _report_on(target, "USER", target)
    barrier = threading.Barrier(2)
    results: dict[str, tuple[int, dict]] = {}

    def act(admin: User, action: str) -> None:
        client = APIClient()
        client.force_login(admin)
        barrier.wait()
        try:
            response = _act(client, report, action)
            results[action] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(first, "dismiss")),
        threading.Thread(target=act, args=(second, "suspend")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    statuses = sorted(code for code, _ in results.values())
    assert statuses == [200, 409], results
    loser = next(body for code, body in results.values() if code == 409)
    assert loser["error"]["code"] == "report_closed"
    report.refresh_from_db()
    target.refresh_from_db()
    # The winner's effect and only the winner's.
    assert target.is_suspended == (report.status == ReportStatus.RESOLVED)
    assert AuditLogEntry.objects.filter(target_type="REPORT").count() == 1
    assert (
        Notification.objects.filter(
            user=report.reporter, type=NotificationType.REPORT_OUTCOME
        ).count()
        == 1
    )
    assert Review.objects.count() == 0
