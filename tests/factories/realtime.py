import factory
from factory.django import DjangoModelFactory

from realtime.models import (
    Event,
    Message,
    Notification,
    NotificationPreference,
    NotificationType,
    UserConnection,
)

from .directory import UserFactory


class MessageFactory(DjangoModelFactory):
    class Meta:
        model = Message

    sender = factory.SubFactory(UserFactory)
    receiver = factory.SubFactory(UserFactory)
    subject = "Booking enquiry"
    content = "Hello, is the booth free next Tuesday?"


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    type = NotificationType.MESSAGE_RECEIVED
    title = "New message"
    message = "You have a new message."


class UserConnectionFactory(DjangoModelFactory):
    class Meta:
        model = UserConnection

    user = factory.SubFactory(UserFactory)
    connected_user = factory.SubFactory(UserFactory)
    accepted = False


class NotificationPreferenceFactory(DjangoModelFactory):
    class Meta:
        model = NotificationPreference

    user = factory.SubFactory(UserFactory)
    type = NotificationType.MESSAGE_RECEIVED
    in_app = True
    email = False


class EventFactory(DjangoModelFactory):
    """A stored event row; real events come from realtime.events (with ids in commit order)."""

    class Meta:
        model = Event

    user = factory.SubFactory(UserFactory)
    event_id = factory.Sequence(lambda n: n + 1)
    type = "notification.count"
    payload = factory.LazyFunction(lambda: {"type": "notification.count", "unread": 0})
