"""Content reports: the moderation queue of the old site."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from common.models import LegacyIdModel, TimestampedModel, choices_check, legacy_id_unique


class ReportedContentType(models.TextChoices):
    """The legacy `ContentType` enum (renamed here so it is not Django's ContentType)."""

    REVIEW = "REVIEW", "Review"
    MESSAGE = "MESSAGE", "Message"
    STUDIO = "STUDIO", "Studio"
    USER = "USER", "User"


class ReportReason(models.TextChoices):
    SPAM = "SPAM", "Spam"
    HARASSMENT = "HARASSMENT", "Harassment"
    HATE_SPEECH = "HATE_SPEECH", "Hate speech"
    INAPPROPRIATE = "INAPPROPRIATE", "Inappropriate"
    FAKE_INFO = "FAKE_INFO", "False information"
    COPYRIGHT = "COPYRIGHT", "Copyright"
    OTHER = "OTHER", "Other"


class ReportStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    REVIEWED = "REVIEWED", "Reviewed"
    RESOLVED = "RESOLVED", "Resolved"
    DISMISSED = "DISMISSED", "Dismissed"


class ContentReport(LegacyIdModel, TimestampedModel):
    """The legacy `content_reports` table.

    People in a report may delete their accounts; the report stays for the moderation
    record with that person emptied (SET NULL), which is why reporter is nullable here.
    """

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="reports_made",
    )
    content_type = models.CharField(max_length=16, choices=ReportedContentType.choices)
    content_id = models.CharField(max_length=64)
    reported_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports_against",
    )
    reason = models.CharField(max_length=16, choices=ReportReason.choices)
    custom_reason = models.TextField(null=True, blank=True)
    status = models.CharField(
        max_length=16,
        choices=ReportStatus.choices,
        default=ReportStatus.PENDING,
        db_default=ReportStatus.PENDING,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports_reviewed",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "content_reports"
        constraints = [
            legacy_id_unique(),
            choices_check("content_type", ReportedContentType),
            choices_check("reason", ReportReason),
            choices_check("status", ReportStatus),
            # "OTHER (requires custom_reason)"
            models.CheckConstraint(
                condition=~Q(reason="OTHER")
                | (Q(custom_reason__isnull=False) & ~Q(custom_reason="")),
                name="content_reports_other_needs_reason",
            ),
            # One open report per reporter and content: a second one is a 409, and two
            # parallel requests cannot both pass the service's check.
            models.UniqueConstraint(
                fields=["reporter", "content_type", "content_id"],
                condition=Q(status="PENDING", reporter__isnull=False),
                name="content_reports_one_open_per_reporter",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="reports_queue_idx"),
            models.Index(fields=["content_type", "content_id"], name="reports_content_idx"),
            models.Index(fields=["reporter", "-created_at"], name="reports_mine_idx"),
            models.Index(fields=["reported_user", "status"], name="reports_against_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reason} on {self.content_type} {self.content_id}"


class AuditTargetType(models.TextChoices):
    USER = "USER", "User"
    STUDIO = "STUDIO", "Studio"
    REVIEW = "REVIEW", "Review"
    MESSAGE = "MESSAGE", "Message"
    REPORT = "REPORT", "Report"
    SUBSCRIPTION = "SUBSCRIPTION", "Subscription"
    REFUND = "REFUND", "Refund"


class AuditLogEntry(models.Model):
    """One moderation or admin action: append-only.

    PostgreSQL refuses UPDATE and DELETE on this table (a trigger, migration 0004), for
    every role the application connects as. There are no foreign keys on purpose: a
    deleted user or studio must not cascade into (or SET NULL on) the record of what was
    done to it, so the actor and target are kept as ids plus a label taken at the time.
    """

    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=150, blank=True, default="", db_default="")
    action = models.CharField(max_length=40)
    # AuditTargetType's values (checked below); not a `choices` field, because the legacy
    # enums are the only enum columns of the schema and this one is ours.
    target_type = models.CharField(max_length=16)
    target_id = models.CharField(max_length=64)
    target_label = models.CharField(max_length=200, blank=True, default="", db_default="")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True, db_default=Now())

    class Meta:
        db_table = "moderation_audit_log"
        constraints = [
            models.CheckConstraint(
                condition=Q(target_type__in=AuditTargetType.values),
                name="audit_log_target_type_valid",
            )
        ]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-id"], name="audit_target_idx"),
            models.Index(fields=["actor_id", "-id"], name="audit_actor_idx"),
            models.Index(fields=["-created_at"], name="audit_recent_idx"),
        ]
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log"

    def __str__(self) -> str:
        return f"{self.action} on {self.target_type} {self.target_id} by {self.actor_label}"
