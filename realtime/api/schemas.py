"""OpenAPI descriptions of the realtime REST answers (drf-spectacular components).

The views answer with the dicts of realtime/serialization.py and the selectors, the same
objects the socket's events carry; these serializers only describe them, so the schema,
the Swagger page and the schemathesis run know every field. Field names follow
docs/realtime-protocol.md.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from ..models import NotificationType


@extend_schema_serializer(component_name="RealtimeUser")
class UserSchema(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    avatar_url = serializers.CharField(allow_null=True)


@extend_schema_serializer(component_name="Message")
class MessageSchema(serializers.Serializer):
    id = serializers.IntegerField()
    # "from" and "to" are Python keywords / reserved in serializers: declared below.
    sender = UserSchema(allow_null=True, help_text="null once the sender's account is deleted.")
    subject = serializers.CharField(allow_null=True)
    content = serializers.CharField()
    created_at = serializers.CharField(help_text="UTC, ISO 8601 with microseconds and Z.")
    is_read = serializers.BooleanField()
    client_id = serializers.CharField(allow_null=True)
    context = serializers.JSONField(allow_null=True, help_text='e.g. {"studio_id": 12}')

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField(allow_null=True, help_text="Sender's username.")
        fields["to"] = serializers.CharField(allow_null=True, help_text="Receiver's username.")
        return fields


@extend_schema_serializer(component_name="MessageSent")
class MessageSentSchema(serializers.Serializer):
    message = MessageSchema()
    event_id = serializers.IntegerField(
        allow_null=True, help_text="The sender's event id of this message (see resume)."
    )


@extend_schema_serializer(component_name="MessagePage")
class MessagePageSchema(serializers.Serializer):
    results = MessageSchema(many=True)
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    has_next = serializers.BooleanField()


@extend_schema_serializer(component_name="Marked")
class MarkedSchema(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many rows changed to read.")


@extend_schema_serializer(component_name="Conversation")
class ConversationSchema(serializers.Serializer):
    last_message = MessageSchema()
    unread = serializers.IntegerField()
    last_activity = serializers.CharField()

    def get_fields(self):
        fields = super().get_fields()
        fields["with"] = UserSchema()
        return fields


@extend_schema_serializer(component_name="ConversationList")
class ConversationListSchema(serializers.Serializer):
    results = ConversationSchema(many=True)


@extend_schema_serializer(component_name="ConversationMessages")
class ConversationMessagesSchema(serializers.Serializer):
    results = MessageSchema(many=True)
    next_before = serializers.IntegerField(
        allow_null=True, help_text="Pass as ?before= for the next (older) page; null at the end."
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["with"] = UserSchema()
        return fields


@extend_schema_serializer(component_name="Notification")
class NotificationSchema(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=NotificationType.choices)
    title = serializers.CharField()
    message = serializers.CharField()
    data = serializers.JSONField(allow_null=True)
    action_url = serializers.CharField(allow_null=True)
    read = serializers.BooleanField()
    created_at = serializers.CharField()


@extend_schema_serializer(component_name="NotificationPage")
class NotificationPageSchema(serializers.Serializer):
    results = NotificationSchema(many=True)
    unread = serializers.IntegerField()
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()
    has_next = serializers.BooleanField()


@extend_schema_serializer(component_name="NotificationsMarked")
class NotificationsMarkedSchema(MarkedSchema):
    unread = serializers.IntegerField(help_text="Unread notifications left.")


@extend_schema_serializer(component_name="UnreadCount")
class UnreadCountSchema(serializers.Serializer):
    unread = serializers.IntegerField()


class PreferenceSchema(serializers.Serializer):
    in_app = serializers.BooleanField()
    email = serializers.BooleanField()


@extend_schema_serializer(component_name="NotificationPreferences")
class NotificationPreferencesSchema(serializers.Serializer):
    preferences = serializers.DictField(
        child=PreferenceSchema(), help_text="Every notification type → its choice."
    )


@extend_schema_serializer(component_name="ConnectionActionResult")
class ConnectionActionResultSchema(serializers.Serializer):
    action = serializers.CharField()
    username = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["connected", "pending", "none"],
        help_text="The connection between you two after the action.",
    )


class ConnectedSchema(serializers.Serializer):
    user = UserSchema()
    since = serializers.CharField(allow_null=True)


class PendingSchema(serializers.Serializer):
    user = UserSchema()
    created_at = serializers.CharField()


class SuggestionSchema(serializers.Serializer):
    user = UserSchema()
    mutual_connections = serializers.IntegerField()


@extend_schema_serializer(component_name="Network")
class NetworkSchema(serializers.Serializer):
    connections = ConnectedSchema(many=True)
    incoming = PendingSchema(many=True)
    outgoing = PendingSchema(many=True)
    suggestions = SuggestionSchema(many=True)


@extend_schema_serializer(component_name="NetworkStats")
class NetworkStatsSchema(serializers.Serializer):
    connections = serializers.IntegerField()
    pending_incoming = serializers.IntegerField()
    pending_outgoing = serializers.IntegerField()
