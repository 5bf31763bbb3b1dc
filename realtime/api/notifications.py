"""/api/user/notifications, /read, /count and /api/user/notification-preferences."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.pagination import slice_with_next

from ..models import NotificationType
from ..permissions import IsMember
from ..selectors.notifications import (
    notification_list,
    notification_preferences,
    notification_unread_count,
)
from ..serialization import notification_json
from ..services.notifications import notification_preferences_update, notifications_mark_read
from . import MAX_ID, MAX_OFFSET
from .schemas import (
    NotificationPageSchema,
    NotificationPreferencesSchema,
    NotificationsMarkedSchema,
    UnreadCountSchema,
)

TAGS = ["notifications"]


class NotificationListApi(APIView):
    permission_classes = [IsMember]

    class InputSerializer(serializers.Serializer):
        limit = serializers.IntegerField(min_value=1, max_value=100, default=20)
        offset = serializers.IntegerField(min_value=0, max_value=MAX_OFFSET, default=0)
        unread_only = serializers.BooleanField(default=False)

    @extend_schema(
        operation_id="notification_list",
        summary="Your notifications, newest first",
        parameters=[InputSerializer],
        responses={200: NotificationPageSchema},
        tags=TAGS,
    )
    def get(self, request):
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        p = params.validated_data
        qs = notification_list(user_id=request.user.pk, unread_only=p["unread_only"])
        rows, has_next = slice_with_next(qs, offset=p["offset"], limit=p["limit"])
        return Response(
            {
                "results": [notification_json(n) for n in rows],
                "unread": notification_unread_count(user_id=request.user.pk),
                "limit": p["limit"],
                "offset": p["offset"],
                "has_next": has_next,
            }
        )


class NotificationReadApi(APIView):
    """Bulk mark-as-read: `{"ids": [...]}` or `{"all": true}`."""

    permission_classes = [IsMember]

    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
            required=False,
            max_length=1000,
        )
        all = serializers.BooleanField(default=False)

        def validate(self, attrs):
            if not attrs["all"] and "ids" not in attrs:
                raise serializers.ValidationError({"ids": ['Give "ids" or "all": true.']})
            return attrs

    @extend_schema(
        operation_id="notifications_mark_read",
        summary="Mark notifications read, some or all (pushes the new count)",
        request=InputSerializer,
        responses={200: NotificationsMarkedSchema},
        tags=TAGS,
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        marked = notifications_mark_read(user_id=request.user.pk, ids=d.get("ids"), all=d["all"])
        return Response(
            {"marked": marked, "unread": notification_unread_count(user_id=request.user.pk)}
        )


class NotificationCountApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        operation_id="notification_count",
        summary="How many notifications are unread (the badge)",
        responses={200: UnreadCountSchema},
        tags=TAGS,
    )
    def get(self, request):
        return Response({"unread": notification_unread_count(user_id=request.user.pk)})


class PreferenceSerializer(serializers.Serializer):
    """`in_app` and/or `email`; any other key is a 400 naming it (a typo such as `emial`
    would otherwise be dropped and the client told it worked)."""

    in_app = serializers.BooleanField(required=False)
    email = serializers.BooleanField(required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {key: ["Unknown preference: use in_app or email."] for key in unknown}
                )
        return super().to_internal_value(data)


class NotificationPreferencesApi(APIView):
    """Per-type choices: in-app on/off, email on/off. PUT changes only the types and
    fields it names: `{"preferences": {"MESSAGE_RECEIVED": {"email": false}}}`."""

    permission_classes = [IsMember]

    class InputSerializer(serializers.Serializer):
        preferences = serializers.DictField(child=PreferenceSerializer())

        def validate_preferences(self, value):
            unknown = sorted(set(value) - set(NotificationType.values))
            if unknown:
                raise serializers.ValidationError(f"Unknown types: {', '.join(unknown)}.")
            return value

    @extend_schema(
        operation_id="notification_preferences_get",
        summary="Your notification preferences, every type",
        responses={200: NotificationPreferencesSchema},
        tags=TAGS,
    )
    def get(self, request):
        return Response({"preferences": notification_preferences(user_id=request.user.pk)})

    @extend_schema(
        operation_id="notification_preferences_update",
        summary="Change some notification preferences",
        request=InputSerializer,
        responses={200: NotificationPreferencesSchema},
        tags=TAGS,
    )
    def put(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notification_preferences_update(
            user_id=request.user.pk, preferences=data.validated_data["preferences"]
        )
        return Response({"preferences": notification_preferences(user_id=request.user.pk)})
