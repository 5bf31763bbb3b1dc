"""Content reports: the moderation queue of the old site."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

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
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="reports_queue_idx"),
            models.Index(fields=["content_type", "content_id"], name="reports_content_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reason} on {self.content_type} {self.content_id}"
