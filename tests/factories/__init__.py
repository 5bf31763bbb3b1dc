"""One factory per concept (factory_boy). Import from here: `from tests.factories import ...`."""

from .billing import PendingSubscriptionFactory, RefundFactory, SubscriptionFactory
from .directory import (
    FaqFactory,
    ReviewFactory,
    ReviewResponseFactory,
    SavedSearchFactory,
    StudioFactory,
    StudioImageFactory,
    StudioServiceFactory,
    StudioTypeFactory,
    UserFactory,
    UserMetadataFactory,
    UserProfileFactory,
)
from .moderation import ContentReportFactory
from .realtime import MessageFactory, NotificationFactory, UserConnectionFactory

__all__ = [
    "ContentReportFactory",
    "FaqFactory",
    "MessageFactory",
    "NotificationFactory",
    "PendingSubscriptionFactory",
    "RefundFactory",
    "ReviewFactory",
    "ReviewResponseFactory",
    "SavedSearchFactory",
    "StudioFactory",
    "StudioImageFactory",
    "StudioServiceFactory",
    "StudioTypeFactory",
    "SubscriptionFactory",
    "UserConnectionFactory",
    "UserFactory",
    "UserMetadataFactory",
    "UserProfileFactory",
]
