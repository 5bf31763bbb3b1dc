"""Reads of the moderation app: what a report points at, the queue, a reporter's list.

The queue's page costs a fixed number of queries whatever its length: the reports (with
their people), one query per kind of content on the page for the previews, one for the
reported users' report history and one for their warnings and suspensions, plus the count
and the pending reviews.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from accounts.models import Role, User
from common.errors import NotFound
from directory.models import Review, ReviewStatus, Studio
from directory.selectors.reviews import reviews_for_moderation
from directory.selectors.studios import studio_visible
from realtime.models import Message

from .models import AuditLogEntry, AuditTargetType, ContentReport, ReportedContentType, ReportStatus


@dataclass(frozen=True)
class ReportedContent:
    content_type: str
    content_id: str
    owner_id: int | None  # the reported user: whoever wrote or owns the content


def _int_id(content_id: str) -> int:
    try:
        value = int(str(content_id).strip())
    except (TypeError, ValueError):
        raise NotFound("No such content.", fields={"content_id": ["No such content."]}) from None
    if not 0 < value < 2**63:
        raise NotFound("No such content.", fields={"content_id": ["No such content."]})
    return value


def reportable_content(*, content_type: str, content_id: str, viewer: User) -> ReportedContent:
    """The content if it exists and this viewer may see it; one 404 for missing and hidden.

    A message only by its two participants; a review once approved (or by its writer and
    the studio's owner); a studio as its page shows it; a profile of an active account.
    """
    pk = _int_id(content_id)
    owner_id: int | None
    if content_type == ReportedContentType.MESSAGE:
        row = (
            Message.objects.filter(pk=pk)
            .filter(Q(sender_id=viewer.pk) | Q(receiver_id=viewer.pk))
            .values_list("sender_id", flat=True)
        )
        if not row:
            raise NotFound("No such message.", fields={"content_id": ["No such message."]})
        owner_id = row[0]
    elif content_type == ReportedContentType.REVIEW:
        visible = Q(status=ReviewStatus.APPROVED) | Q(reviewer_id=viewer.pk) | Q(owner_id=viewer.pk)
        if viewer.role == Role.ADMIN:
            visible = Q()
        row = Review.objects.filter(visible, pk=pk).values_list("reviewer_id", flat=True)
        if not row:
            raise NotFound("No such review.", fields={"content_id": ["No such review."]})
        owner_id = row[0]
    elif content_type == ReportedContentType.STUDIO:
        try:
            owner_id = studio_visible(studio_id=pk, viewer=viewer).owner_id
        except NotFound:
            raise NotFound("No such studio.", fields={"content_id": ["No such studio."]}) from None
    elif content_type == ReportedContentType.USER:
        if not User.objects.filter(pk=pk, is_active=True).exists():
            raise NotFound("No such profile.", fields={"content_id": ["No such profile."]})
        owner_id = pk
    else:
        raise NotFound("No such content.")
    return ReportedContent(content_type=content_type, content_id=str(pk), owner_id=owner_id)


def reports_mine(*, reporter: User) -> QuerySet[ContentReport]:
    return ContentReport.objects.filter(reporter=reporter).order_by("-created_at", "-id")


def open_reports_count() -> int:
    return ContentReport.objects.filter(status=ReportStatus.PENDING).count()


def admin_ids() -> list[int]:
    return list(
        User.objects.filter(role=Role.ADMIN, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def report_queue(
    *, status: str | None = None, content_type: str | None = None, reason: str | None = None
) -> QuerySet[ContentReport]:
    """Oldest first among open reports (fairness); newest first once closed."""
    qs = ContentReport.objects.select_related("reporter", "reported_user", "reviewed_by")
    if status:
        qs = qs.filter(status=status)
    if content_type:
        qs = qs.filter(content_type=content_type)
    if reason:
        qs = qs.filter(reason=reason)
    if status == ReportStatus.PENDING:
        return qs.order_by("created_at", "id")
    return qs.order_by("-created_at", "-id")


def pending_reviews(*, limit: int) -> tuple[int, list[Review]]:
    """Reviews awaiting approval, as the review queue orders them (flagged first)."""
    qs = reviews_for_moderation(status=ReviewStatus.PENDING, flagged=None)
    return qs.count(), list(qs[:limit])


def _preview_message(m: Message) -> dict[str, Any]:
    return {
        "kind": "message",
        "content": m.content,
        "subject": m.subject,
        "sender": m.sender.username if m.sender else None,
        "receiver": m.receiver.username if m.receiver else None,
        "created_at": m.created_at,
    }


def _preview_review(r: Review) -> dict[str, Any]:
    return {
        "kind": "review",
        "content": r.content,
        "rating": r.rating,
        "status": r.status,
        "studio": {"id": r.studio_id, "name": r.studio.name},
        "reviewer": r.reviewer.username if r.reviewer else None,
        "created_at": r.created_at,
    }


def _preview_studio(s: Studio) -> dict[str, Any]:
    return {
        "kind": "studio",
        "id": s.pk,
        "name": s.name,
        "city": s.city,
        "status": s.status,
        "is_verified": s.is_verified,
        "description": (s.description or "")[:300],
        "owner": s.owner.username if s.owner else None,
    }


def _preview_user(u: User) -> dict[str, Any]:
    return {
        "kind": "user",
        "id": u.pk,
        "username": u.username,
        "display_name": u.display_name,
        "is_suspended": u.is_suspended,
    }


def content_previews(reports: list[ContentReport]) -> dict[tuple[str, str], dict[str, Any]]:
    """(content_type, content_id) → a preview; content gone since is simply absent."""
    ids: dict[str, set[int]] = defaultdict(set)
    for report in reports:
        if str(report.content_id).isdigit():
            ids[report.content_type].add(int(report.content_id))
    previews: dict[tuple[str, str], dict[str, Any]] = {}
    loaders = {
        ReportedContentType.MESSAGE: (
            lambda pks: Message.objects.select_related("sender", "receiver").filter(pk__in=pks),
            _preview_message,
        ),
        ReportedContentType.REVIEW: (
            lambda pks: Review.objects.select_related("studio", "reviewer").filter(pk__in=pks),
            _preview_review,
        ),
        ReportedContentType.STUDIO: (
            lambda pks: Studio.objects.select_related("owner").filter(pk__in=pks),
            _preview_studio,
        ),
        ReportedContentType.USER: (lambda pks: User.objects.filter(pk__in=pks), _preview_user),
    }
    for content_type, pks in ids.items():
        load, shape = loaders[content_type]
        for obj in load(sorted(pks)):
            previews[(content_type, str(obj.pk))] = shape(obj)
    return previews


def user_histories(user_ids: set[int]) -> dict[int, dict[str, int]]:
    """Per reported user: reports against them by outcome, warnings and suspensions."""
    histories = {
        u: {"reports": 0, "resolved": 0, "dismissed": 0, "warnings": 0, "suspensions": 0}
        for u in user_ids
    }
    if not user_ids:
        return histories
    for row in (
        ContentReport.objects.filter(reported_user_id__in=user_ids)
        .values("reported_user_id")
        .annotate(
            total=Count("id"),
            resolved=Count("id", filter=Q(status=ReportStatus.RESOLVED)),
            dismissed=Count("id", filter=Q(status=ReportStatus.DISMISSED)),
        )
    ):
        h = histories[row["reported_user_id"]]
        h.update(reports=row["total"], resolved=row["resolved"], dismissed=row["dismissed"])
    for row in (
        AuditLogEntry.objects.filter(
            target_type=AuditTargetType.USER,
            target_id__in=[str(u) for u in user_ids],
            action__in=["user.warn", "user.suspend"],
        )
        .values("target_id")
        .annotate(
            warnings=Count("id", filter=Q(action="user.warn")),
            suspensions=Count("id", filter=Q(action="user.suspend")),
        )
    ):
        h = histories[int(row["target_id"])]
        h.update(warnings=row["warnings"], suspensions=row["suspensions"])
    return histories


def audit_entries(*, target_type: str | None = None, target_id: str | None = None):
    qs = AuditLogEntry.objects.order_by("-id")
    if target_type:
        qs = qs.filter(target_type=target_type)
    if target_id:
        qs = qs.filter(target_id=str(target_id))
    return qs
