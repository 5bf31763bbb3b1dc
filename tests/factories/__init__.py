"""One factory per concept (factory_boy). Import from here: `from tests.factories import ...`."""

from .accounts import (
    SocialAccountFactory,
    SocialTokenFactory,
    UserFactory,
    UserMetadataFactory,
    UserProfileFactory,
)
from .billing import (
    PendingSubscriptionFactory,
    RefundFactory,
    StripeCustomerFactory,
    StripeEventFactory,
    SubscriptionFactory,
)
from .directory import (
    FaqFactory,
    LegacyContactFactory,
    PoiFactory,
    ReviewFactory,
    ReviewResponseFactory,
    SavedSearchFactory,
    StudioFactory,
    StudioImageFactory,
    StudioServiceFactory,
    StudioTypeFactory,
)
from .moderation import AuditLogEntryFactory, ContentReportFactory
from .realtime import (
    EventFactory,
    MessageFactory,
    NotificationFactory,
    NotificationPreferenceFactory,
    UserConnectionFactory,
)

__all__ = [
    "AuditLogEntryFactory",
    "ContentReportFactory",
    "EventFactory",
    "FaqFactory",
    "LegacyContactFactory",
    "MessageFactory",
    "NotificationFactory",
    "NotificationPreferenceFactory",
    "PendingSubscriptionFactory",
    "PoiFactory",
    "RefundFactory",
    "ReviewFactory",
    "ReviewResponseFactory",
    "SavedSearchFactory",
    "SocialAccountFactory",
    "SocialTokenFactory",
    "StripeCustomerFactory",
    "StripeEventFactory",
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


def factory_for(model: type) -> type:
    """The factory of a model (one factory per concept), for tests generated over models."""
    for name in __all__:
        candidate = globals()[name]
        if candidate._meta.model is model:
            return candidate
    raise LookupError(f"No factory for {model.__name__}: add one to tests/factories/.")
