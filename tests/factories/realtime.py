import factory
from factory.django import DjangoModelFactory

from realtime.models import Message, Notification, NotificationType, UserConnection

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
