"""Every write of the realtime app. Other apps notify people only through `notify`."""

from .connections import (
    connection_accept,
    connection_cancel,
    connection_reject,
    connection_remove,
    connection_request,
)
from .context import message_context_validator_register
from .messages import (
    SendResult,
    message_send,
    message_send_async,
    messages_mark_read,
)
from .notifications import (
    notification_preferences_update,
    notifications_mark_read,
    notify,
    notify_many,
)

__all__ = [
    "SendResult",
    "connection_accept",
    "connection_cancel",
    "connection_reject",
    "connection_remove",
    "connection_request",
    "message_context_validator_register",
    "message_send",
    "message_send_async",
    "messages_mark_read",
    "notification_preferences_update",
    "notifications_mark_read",
    "notify",
    "notify_many",
]
