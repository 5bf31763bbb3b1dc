"""/api/messages, /api/messages/read, /api/conversations."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.openapi import error_responses
from common.pagination import MAX_PAGE, slice_with_next

from ..permissions import IsMember
from ..selectors.messages import conversation_list, conversation_messages, message_list
from ..serialization import message_json, user_json
from ..services.messages import message_send, messages_mark_read
from . import MAX_ID, MAX_OFFSET
from .schemas import (
    ConversationListSchema,
    ConversationMessagesSchema,
    MarkedSchema,
    MessagePageSchema,
    MessageSentSchema,
)

PAGE_SIZE = 20
TAGS = ["messages"]


class MessageCollectionApi(APIView):
    """GET: your received or sent messages, 20 a page. POST: the contact form (legacy
    rules: subject 5–200, content 10–2000, not to yourself, receiver exists; `to` and
    `receiver` are one field under two names and must agree when both are given)."""

    permission_classes = [IsMember]

    class ListParamsSerializer(serializers.Serializer):
        type = serializers.ChoiceField(choices=["received", "sent"], default="received")
        page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=1)

    class SendSerializer(serializers.Serializer):
        receiver = serializers.CharField(max_length=150, required=False)
        to = serializers.CharField(max_length=150, required=False)
        # The outer bound (legacy: subject ≤ 200, content ≤ 2000); message_send applies
        # the per-kind minimums.
        subject = serializers.CharField(max_length=200, allow_blank=True, trim_whitespace=False)
        content = serializers.CharField(max_length=2000, allow_blank=True, trim_whitespace=False)
        studio_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
        client_id = serializers.CharField(required=False, max_length=64)

        def validate(self, attrs):
            to, receiver = attrs.get("to"), attrs.get("receiver")
            if not (to or receiver):
                raise serializers.ValidationError({"to": ["Name the receiver by username."]})
            if to and receiver and to.lower() != receiver.lower():
                raise serializers.ValidationError(
                    {"to": ['"to" and "receiver" name different people: give one.']}
                )
            return attrs

    @extend_schema(
        operation_id="message_list",
        summary="Your received or sent messages, newest first",
        parameters=[ListParamsSerializer],
        responses={200: MessagePageSchema},
        tags=TAGS,
    )
    def get(self, request):
        params = self.ListParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = params.validated_data["page"]
        qs = message_list(user=request.user, box=params.validated_data["type"])
        rows, has_next = slice_with_next(qs, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        return Response(
            {
                "results": [message_json(m, sender=m.sender, receiver=m.receiver) for m in rows],
                "page": page,
                "page_size": PAGE_SIZE,
                "has_next": has_next,
            }
        )

    @extend_schema(
        operation_id="message_send",
        summary="Send a message (the contact form)",
        description=(
            "201 with the stored message; 200 with the same message when `client_id` "
            "repeats an earlier send (idempotent). 403 `email_unverified` until the sender "
            "has verified an email address; 403 `suspended` for a suspended account. "
            "404 `not_found` for an unknown, inactive or suspended receiver (one answer). "
            "400 when `to` and `receiver` disagree, or `studio_id` is not a studio the "
            "receiver owns. 429 `rate_limited` (with Retry-After) past the per-user send "
            "budget shared with the socket's `message.send`."
        ),
        request=SendSerializer,
        responses={
            201: MessageSentSchema,
            200: MessageSentSchema,
            **error_responses(404, 429),
        },
        tags=TAGS,
    )
    def post(self, request):
        data = self.SendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        context = {"studio_id": d["studio_id"]} if d.get("studio_id") else None
        result = message_send(
            sender=request.user,
            to=d.get("to") or d["receiver"],
            subject=d["subject"],
            content=d["content"],
            client_id=d.get("client_id"),
            context=context,
            rules="contact",
        )
        return Response(
            {"message": result.message, "event_id": result.sender_event_id},
            status=201 if result.created else 200,
        )


class MessageReadApi(APIView):
    """Mark read: `{"ids": [...]}` or `{"with": username, "up_to_id": n}`."""

    permission_classes = [IsMember]

    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
            required=False,
            max_length=1000,
        )
        up_to_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)

        def get_fields(self):
            fields = super().get_fields()  # "with" is a keyword: declared here
            fields["with"] = serializers.CharField(required=False, max_length=150, source="with_")
            return fields

        def validate(self, attrs):
            if "ids" not in attrs and not ("with_" in attrs and "up_to_id" in attrs):
                raise serializers.ValidationError(
                    {"ids": ['Give "ids", or "with" and "up_to_id".']}
                )
            return attrs

    @extend_schema(
        operation_id="messages_mark_read",
        summary="Mark messages read (pushes read receipts)",
        request=InputSerializer,
        responses={200: MarkedSchema, **error_responses(404)},
        tags=TAGS,
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        marked = messages_mark_read(
            reader=request.user,
            ids=d.get("ids"),
            with_username=d.get("with_"),
            up_to_id=d.get("up_to_id"),
        )
        return Response({"marked": marked})


class ConversationListApi(APIView):
    permission_classes = [IsMember]

    class InputSerializer(serializers.Serializer):
        limit = serializers.IntegerField(min_value=1, max_value=100, default=50)
        offset = serializers.IntegerField(min_value=0, max_value=MAX_OFFSET, default=0)

    @extend_schema(
        operation_id="conversation_list",
        summary="One row per person you have messaged, by last activity",
        parameters=[InputSerializer],
        responses={200: ConversationListSchema},
        tags=TAGS,
    )
    def get(self, request):
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return Response({"results": conversation_list(user=request.user, **params.validated_data)})


class ConversationMessagesApi(APIView):
    permission_classes = [IsMember]

    class InputSerializer(serializers.Serializer):
        before = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
        limit = serializers.IntegerField(min_value=1, max_value=100, default=50)

    @extend_schema(
        operation_id="conversation_messages",
        summary="A conversation, newest first, in cursor pages",
        parameters=[InputSerializer],
        responses={200: ConversationMessagesSchema},
        tags=TAGS,
    )
    def get(self, request, username: str):
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        other, page, next_before = conversation_messages(
            user=request.user, username=username, **params.validated_data
        )
        return Response(
            {
                "with": user_json(other),
                "results": [message_json(m, sender=m.sender, receiver=m.receiver) for m in page],
                "next_before": next_before,
            }
        )
