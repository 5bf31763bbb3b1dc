"""/api/ routes of this app (included by project/urls.py)."""

from django.urls import path

from .api import connections as conn
from .api import messages as msg
from .api import notifications as notif

urlpatterns: list = [
    path(
        "messages",
        msg.MessageCollectionApi.as_view(),
        name="messages",
    ),
    path("messages/read", msg.MessageReadApi.as_view(), name="messages-read"),
    path("conversations", msg.ConversationListApi.as_view(), name="conversations"),
    path(
        "conversations/<str:username>/messages",
        msg.ConversationMessagesApi.as_view(),
        name="conversation-messages",
    ),
    path("user/notifications", notif.NotificationListApi.as_view(), name="notifications"),
    path("user/notifications/read", notif.NotificationReadApi.as_view(), name="notifications-read"),
    path(
        "user/notifications/count", notif.NotificationCountApi.as_view(), name="notifications-count"
    ),
    path(
        "user/notification-preferences",
        notif.NotificationPreferencesApi.as_view(),
        name="notification-preferences",
    ),
    path("user/connections", conn.ConnectionActionApi.as_view(), name="connections"),
    path("network", conn.NetworkApi.as_view(), name="network"),
]
