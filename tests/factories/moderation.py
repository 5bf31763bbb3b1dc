import factory
from factory.django import DjangoModelFactory

from moderation.models import (
    AuditLogEntry,
    AuditTargetType,
    ContentReport,
    ReportedContentType,
    ReportReason,
)

from .directory import UserFactory


class ContentReportFactory(DjangoModelFactory):
    class Meta:
        model = ContentReport

    reporter = factory.SubFactory(UserFactory)
    content_type = ReportedContentType.USER
    content_id = factory.Sequence(str)
    reason = ReportReason.SPAM


class AuditLogEntryFactory(DjangoModelFactory):
    """Rows of the append-only log (the services write them through audit_record)."""

    class Meta:
        model = AuditLogEntry

    actor_label = "system"
    action = "user.warn"
    target_type = AuditTargetType.USER
    target_id = factory.Sequence(str)
