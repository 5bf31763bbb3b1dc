"""Reporting content and acting on reports (the legacy "Report Flow").

`report_create` — a signed-in user with a verified email reports content they can see;
admins are told live (a REPORT_RECEIVED notification and the open-reports badge).
`report_action` — an admin closes a report with one action, through the owning app's
service; the reporter is told the outcome; the badge follows.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from common.auth import ensure_can_write_content
from common.errors import Conflict, NotFound, ValidationFailed
from directory.models import Review, ReviewStatus, Studio, StudioStatus
from realtime.events import send_event_on_commit
from realtime.models import NotificationType
from realtime.services import notify, notify_many
from realtime.services.removal import message_remove

from ..models import (
    AuditTargetType,
    ContentReport,
    ReportedContentType,
    ReportReason,
    ReportStatus,
)
from ..selectors import admin_ids, open_reports_count, reportable_content
from .audit import audit_record
from .workflows import (
    account_reinstate,
    account_suspend,
    ensure_admin,
    review_decide,
    studio_deactivate,
    user_warn,
)

CUSTOM_REASON_MIN, CUSTOM_REASON_MAX = 10, 1000
RESOLUTION_MAX = 2000
SUSPEND_DAYS_MAX = 3650

ACTIONS = ("dismiss", "mark_reviewed", "remove_content", "warn", "suspend", "reinstate")
# The report's status after each action ("reinstate" keeps a closed report's status).
ACTION_STATUS = {
    "dismiss": ReportStatus.DISMISSED,
    "mark_reviewed": ReportStatus.REVIEWED,
    "remove_content": ReportStatus.RESOLVED,
    "warn": ReportStatus.RESOLVED,
    "suspend": ReportStatus.RESOLVED,
}
CONTENT_NOUN = {
    ReportedContentType.MESSAGE: "message",
    ReportedContentType.REVIEW: "review",
    ReportedContentType.STUDIO: "studio listing",
    ReportedContentType.USER: "profile",
}
OUTCOME_TEXT = {
    ReportStatus.DISMISSED: "We looked at the {noun} you reported and found no breach of the "
    "community rules.",
    ReportStatus.REVIEWED: "We reviewed the {noun} you reported.",
    ReportStatus.RESOLVED: "We acted on the {noun} you reported. Thank you for telling us.",
}


def _push_open_count() -> None:
    """The open-reports badge on every admin's tabs (after commit, like every event)."""
    admins = admin_ids()
    if admins:
        send_event_on_commit(
            event={"type": "moderation.queue", "open_reports": open_reports_count()},
            user_ids=admins,
        )


def _clean_custom_reason(reason: str, custom_reason: str | None) -> str | None:
    text = (custom_reason or "").strip()
    if reason == ReportReason.OTHER and not CUSTOM_REASON_MIN <= len(text) <= CUSTOM_REASON_MAX:
        raise ValidationFailed(
            "Say what is wrong (10 to 1000 characters) when the reason is OTHER.",
            fields={
                "custom_reason": [
                    f"Write between {CUSTOM_REASON_MIN} and {CUSTOM_REASON_MAX} characters."
                ]
            },
        )
    if len(text) > CUSTOM_REASON_MAX:
        raise ValidationFailed(
            fields={"custom_reason": [f"Write at most {CUSTOM_REASON_MAX} characters."]}
        )
    return text or None


def report_create(
    *,
    reporter: User,
    content_type: str,
    content_id: str,
    reason: str,
    custom_reason: str | None = None,
) -> ContentReport:
    """Report content: one open report per reporter and content (409 `already_reported`)."""
    ensure_can_write_content(reporter)  # suspended: 403 suspended; unverified: 403
    if content_type not in ReportedContentType.values:
        raise ValidationFailed(fields={"content_type": ["Unknown content type."]})
    if reason not in ReportReason.values:
        raise ValidationFailed(fields={"reason": ["Unknown reason."]})
    custom = _clean_custom_reason(reason, custom_reason)
    content = reportable_content(content_type=content_type, content_id=content_id, viewer=reporter)
    if content.owner_id == reporter.pk:
        raise ValidationFailed("You cannot report your own content.", code="own_content")

    duplicate = Conflict(
        "You have already reported this; we are looking at it.", code="already_reported"
    )
    open_ = ContentReport.objects.filter(
        reporter=reporter,
        content_type=content.content_type,
        content_id=content.content_id,
        status=ReportStatus.PENDING,
    )
    if open_.exists():
        raise duplicate
    try:
        with transaction.atomic():
            report = ContentReport.objects.create(
                reporter=reporter,
                content_type=content.content_type,
                content_id=content.content_id,
                reported_user_id=content.owner_id,
                reason=reason,
                custom_reason=custom,
                status=ReportStatus.PENDING,
            )
            admins = admin_ids()
            if admins:
                noun = CONTENT_NOUN[content.content_type]
                notify_many(
                    user_ids=admins,
                    type=NotificationType.REPORT_RECEIVED,
                    title=f"A {noun} was reported",
                    message=f"{reporter.username} reported a {noun}: {ReportReason(reason).label}.",
                    data={"report_id": report.pk, "content_type": content.content_type},
                    action_url="/admin/moderation/contentreport/?status__exact=PENDING",
                )
            _push_open_count()
    except IntegrityError:
        # A parallel request won content_reports_one_open_per_reporter.
        raise duplicate from None
    return report


def _report_state(report: ContentReport) -> dict[str, Any]:
    return {
        "status": report.status,
        "reviewed_by": report.reviewed_by_id,
        "reviewed_at": report.reviewed_at,
        "resolution": report.resolution,
    }


def _reported_user(report: ContentReport) -> User:
    if report.reported_user_id is None:
        raise Conflict("Nobody is behind this content any more.", code="no_reported_user")
    return User.objects.get(pk=report.reported_user_id)


def _remove_content(*, actor: User, report: ContentReport, resolution: str) -> None:
    gone = Conflict(
        "The content is gone already; dismiss or mark the report reviewed.", code="content_gone"
    )
    pk = int(report.content_id) if str(report.content_id).isdigit() else None
    if report.content_type == ReportedContentType.REVIEW:
        review = Review.objects.filter(pk=pk).first()
        if review is None:
            raise gone
        review_decide(actor=actor, review=review, status=ReviewStatus.REJECTED, reason=resolution)
    elif report.content_type == ReportedContentType.STUDIO:
        studio = Studio.objects.filter(pk=pk).first()
        if studio is None:
            raise gone
        if studio.status == StudioStatus.ACTIVE:
            studio_deactivate(actor=actor, studio=studio, reason=resolution)
    elif report.content_type == ReportedContentType.MESSAGE:
        try:
            snapshot = message_remove(message_id=pk)
        except NotFound:
            raise gone from None
        audit_record(
            actor=actor,
            action="message.remove",
            target_type=AuditTargetType.MESSAGE,
            target_id=pk,
            before=snapshot,
            after=None,
            reason=resolution,
        )
    else:
        raise ValidationFailed(
            "A profile cannot be removed: warn or suspend its owner.", code="nothing_to_remove"
        )


def report_action(
    *,
    report_id: int,
    actor: User,
    action: str,
    resolution: str | None = None,
    days: int | None = None,
) -> ContentReport:
    """Close a report with one action. Concurrent actions: the row lock lets one win and
    the other finds the report closed (409 `report_closed`)."""
    ensure_admin(actor)
    if action not in ACTIONS:
        raise ValidationFailed(fields={"action": [f"Choose one of {', '.join(ACTIONS)}."]})
    resolution = (resolution or "").strip()
    if len(resolution) > RESOLUTION_MAX:
        raise ValidationFailed(fields={"resolution": [f"At most {RESOLUTION_MAX} characters."]})
    if days is not None and (action != "suspend" or not 1 <= days <= SUSPEND_DAYS_MAX):
        raise ValidationFailed(
            fields={
                "days": [
                    f"Only with suspend: 1 to {SUSPEND_DAYS_MAX} days, or none for indefinitely."
                ]
            }
        )

    with transaction.atomic():
        report = ContentReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None:
            raise NotFound("No such report.")
        if action != "reinstate" and report.status != ReportStatus.PENDING:
            raise Conflict(
                f"This report was closed already ({report.status}).", code="report_closed"
            )
        before = _report_state(report)
        why = resolution or f"Report {report.pk}: {ReportReason(report.reason).label}"

        if action == "remove_content":
            _remove_content(actor=actor, report=report, resolution=why)
        elif action == "warn":
            user_warn(actor=actor, user=_reported_user(report), reason=resolution or why)
        elif action == "suspend":
            until = timezone.now() + timedelta(days=days) if days else None
            account_suspend(actor=actor, user=_reported_user(report), reason=why, until=until)
        elif action == "reinstate":
            account_reinstate(actor=actor, user=_reported_user(report), reason=why)

        was_open = report.status == ReportStatus.PENDING
        if action in ACTION_STATUS:
            report.status = ACTION_STATUS[action]
        elif was_open:
            report.status = ReportStatus.REVIEWED
        report.reviewed_by = actor
        report.reviewed_at = timezone.now()
        report.resolution = resolution or report.resolution
        report.save(
            update_fields=["status", "reviewed_by", "reviewed_at", "resolution", "updated_at"]
        )
        audit_record(
            actor=actor,
            action=f"report.{action}",
            target_type=AuditTargetType.REPORT,
            target_id=report.pk,
            target_label=str(report),
            before=before,
            after=_report_state(report),
            reason=resolution,
        )
        if was_open and report.reporter_id:
            noun = CONTENT_NOUN[report.content_type]
            notify(
                user_id=report.reporter_id,
                type=NotificationType.REPORT_OUTCOME,
                title="Your report was reviewed",
                message=OUTCOME_TEXT[report.status].format(noun=noun),
                data={"report_id": report.pk, "status": report.status},
                action_url="/account/reports",
            )
        if was_open:
            _push_open_count()
    return report
