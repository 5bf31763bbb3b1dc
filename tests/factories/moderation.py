import factory
from factory.django import DjangoModelFactory

from moderation.models import ContentReport, ReportedContentType, ReportReason

from .directory import UserFactory


class ContentReportFactory(DjangoModelFactory):
    class Meta:
        model = ContentReport

    reporter = factory.SubFactory(UserFactory)
    content_type = ReportedContentType.USER
    content_id = factory.Sequence(str)
    reason = ReportReason.SPAM
