"""The Django admin writes through the services: studios approved get published_at,
verified ones send STUDIO_VERIFIED, suspensions close sockets; workflow fields are
read-only; the report queue's bulk actions; the audit log read-only and filterable."""

from __future__ import annotations

import pytest

from directory.models import Studio, StudioStatus
from moderation.models import AuditLogEntry, ReportStatus
from moderation.services import audit_record
from realtime.models import Notification, NotificationType
from tests.factories import ContentReportFactory, StudioFactory, UserFactory

pytestmark = pytest.mark.django_db

STUDIOS = "/admin/directory/studio/"
USERS = "/admin/accounts/user/"
REPORTS = "/admin/moderation/contentreport/"
AUDIT = "/admin/moderation/auditlogentry/"


@pytest.fixture
def admin_user(client):
    admin = UserFactory(admin=True)
    client.force_login(admin)
    return admin


def _bulk(client, url, action, objs, **extra):
    return client.post(
        url,
        {"action": action, "_selected_action": [o.pk for o in objs], "index": 0, **extra},
        follow=True,
    )


def test_approving_a_studio_sets_published_at_and_is_audited(client, admin_user):
    studio = StudioFactory(status=StudioStatus.PENDING, published_at=None)
    response = _bulk(client, STUDIOS, "approve_studios", [studio], reason="Looks genuine")
    assert "1 studio(s) approved." in response.content.decode()
    studio.refresh_from_db()
    assert studio.status == StudioStatus.ACTIVE
    assert studio.published_at is not None
    entry = AuditLogEntry.objects.get(target_type="STUDIO", target_id=str(studio.pk))
    assert entry.action == "studio.approve"
    assert entry.reason == "Looks genuine"
    assert entry.actor_id == admin_user.pk


def test_verifying_a_studio_sends_studio_verified(client, admin_user):
    studio = StudioFactory(is_verified=False)
    _bulk(client, STUDIOS, "verify_studios", [studio])
    studio.refresh_from_db()
    assert studio.is_verified
    notification = Notification.objects.get(user=studio.owner)
    assert notification.type == NotificationType.STUDIO_VERIFIED


def test_deactivating_and_a_refused_transition_is_reported_not_a_500(client, admin_user):
    active, draft = StudioFactory(), StudioFactory(status=StudioStatus.DRAFT)
    response = _bulk(client, STUDIOS, "deactivate_studios", [active, draft])
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 studio(s) deactivated." in html
    assert "cannot become INACTIVE" in html
    assert Studio.objects.get(pk=active.pk).status == StudioStatus.INACTIVE
    assert Studio.objects.get(pk=draft.pk).status == StudioStatus.DRAFT


def test_studio_workflow_fields_are_read_only_in_the_form(client, admin_user):
    studio = StudioFactory(name="Old name")
    html = client.get(f"{STUDIOS}{studio.pk}/change/").content.decode()
    for field in ("status", "is_verified", "is_premium", "published_at"):
        assert f'name="{field}"' not in html
    assert 'name="name"' in html


def test_suspending_from_the_admin_goes_through_the_service(
    client, admin_user, django_capture_on_commit_callbacks
):
    from common.signals import user_access_revoked

    target = UserFactory()
    revoked = []

    def listener(sender, user_id, reason, **kwargs):
        revoked.append((user_id, reason))

    user_access_revoked.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = _bulk(client, USERS, "suspend_users", [target], reason="Spam", days="3")
    finally:
        user_access_revoked.disconnect(listener)
    assert "1 user(s) suspended." in response.content.decode()
    target.refresh_from_db()
    assert target.is_suspended
    assert target.suspension_reason == "Spam"
    assert revoked == [(target.pk, "suspended")]
    assert AuditLogEntry.objects.filter(action="user.suspend", target_id=str(target.pk)).exists()

    _bulk(client, USERS, "reinstate_users", [target])
    target.refresh_from_db()
    assert not target.is_suspended


def test_suspending_needs_a_reason(client, admin_user):
    target = UserFactory()
    response = _bulk(client, USERS, "suspend_users", [target])
    assert "Give a reason to suspend." in response.content.decode()
    target.refresh_from_db()
    assert not target.is_suspended


def test_suspension_fields_are_read_only_in_the_user_form(client, admin_user):
    html = client.get(f"{USERS}{UserFactory().pk}/change/").content.decode()
    for field in ("suspended_until", "is_suspended_indefinitely", "suspension_reason"):
        assert f'name="{field}"' not in html


def test_the_review_actions_are_audited(client, admin_user):
    from tests.factories import ReviewFactory

    review = ReviewFactory()
    _bulk(client, "/admin/directory/review/", "reject_reviews", [review], reason="Off-topic")
    entry = AuditLogEntry.objects.get(target_type="REVIEW", target_id=str(review.pk))
    assert (entry.action, entry.reason) == ("review.reject", "Off-topic")


def test_the_queue_filters_and_bulk_dismisses(client, admin_user):
    open_reports = ContentReportFactory.create_batch(2)
    closed = ContentReportFactory(status=ReportStatus.RESOLVED)
    html = client.get(f"{REPORTS}?status__exact=PENDING").content.decode()
    assert "2 reports" in html or "2 content reports" in html
    response = _bulk(client, REPORTS, "dismiss_reports", [*open_reports, closed], reason="Noise")
    assert "2 report(s) dismissed." in response.content.decode()
    for report in open_reports:
        report.refresh_from_db()
        assert report.status == ReportStatus.DISMISSED
        assert report.reviewed_by == admin_user
    closed.refresh_from_db()
    assert closed.status == ReportStatus.RESOLVED


def test_reports_cannot_be_edited_or_added_in_the_admin(client, admin_user):
    report = ContentReportFactory()
    html = client.get(f"{REPORTS}{report.pk}/change/").content.decode()
    assert 'name="status"' not in html
    assert client.get(f"{REPORTS}add/").status_code == 403


def test_the_audit_log_is_read_only_and_filterable_by_target(client, admin_user):
    a = audit_record(actor=admin_user, action="user.warn", target_type="USER", target_id=7)
    b = audit_record(actor=admin_user, action="user.warn", target_type="USER", target_id=8)
    html = client.get(f"{AUDIT}?target_type=USER&target_id=7").content.decode()
    assert f"/{a.pk}/change/" in html
    assert f"/{b.pk}/change/" not in html
    detail = client.get(f"{AUDIT}{a.pk}/change/")
    assert detail.status_code == 200
    assert 'name="reason"' not in detail.content.decode()
    assert client.post(f"{AUDIT}{a.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditLogEntry.objects.filter(pk=a.pk).exists()


def test_the_queue_bulk_removes_content_and_warns(client, admin_user):
    from directory.models import Review, ReviewStatus
    from tests.factories import ReviewFactory

    review = ReviewFactory(status=ReviewStatus.APPROVED)
    on_review = ContentReportFactory(
        content_type="REVIEW", content_id=str(review.pk), reported_user=review.reviewer
    )
    target = UserFactory()
    on_user = ContentReportFactory(
        content_type="USER", content_id=str(target.pk), reported_user=target
    )

    response = _bulk(
        client, REPORTS, "remove_reported_content", [on_review, on_user], reason="Spam"
    )
    html = response.content.decode()
    assert "1 report(s) resolved by removing the content." in html
    assert "A profile cannot be removed" in html  # refused row reported, not a 500
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.REJECTED

    _bulk(client, REPORTS, "warn_reported_users", [on_user], reason="Be civil.")
    on_user.refresh_from_db()
    assert on_user.status == ReportStatus.RESOLVED
    assert on_user.resolution == "Be civil."
    warning = Notification.objects.get(user=target, type=NotificationType.MODERATION_WARNING)
    assert warning.message == "Be civil."


def test_a_studio_form_save_goes_through_studio_update(admin_user, rf, monkeypatch):
    from django.contrib import admin as django_admin
    from django.forms.models import model_to_dict

    import directory.admin as directory_admin

    studio = StudioFactory(name="Old name", status=StudioStatus.ACTIVE)
    calls = []
    real = directory_admin.studio_update

    def spy(**kwargs):
        calls.append(kwargs["data"])
        return real(**kwargs)

    monkeypatch.setattr(directory_admin, "studio_update", spy)
    model_admin = django_admin.site._registry[Studio]
    request = rf.post("/admin/directory/studio/")
    request.user = admin_user
    form_class = model_admin.get_form(request, studio, change=True)
    data = {
        k: v
        for k, v in model_to_dict(studio, fields=form_class.base_fields).items()
        if v is not None
    }
    data.update(name="New name", city="Leeds")
    form = form_class(data, instance=studio)
    assert form.is_valid(), form.errors
    model_admin.save_model(request, form.save(commit=False), form, change=True)
    assert calls == [{"name": "New name", "city": "Leeds"}]
    studio.refresh_from_db()
    assert (studio.name, studio.city, studio.status) == ("New name", "Leeds", StudioStatus.ACTIVE)
