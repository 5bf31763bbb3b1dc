"""Billing over HTTP (docs/billing.md).

POST /api/stripe/webhook                                 Stripe's events (signed)
POST /api/stripe/checkout {"studio_id"}                  owner: {"url": Checkout}
POST /api/stripe/portal                                  {"url": Billing Portal}
GET  /api/billing/subscriptions                          the user's subscriptions
GET  /api/billing/invoices                               the user's invoices (from Stripe)
POST /api/admin/refunds {"subscription_id"|"payment_intent", "amount"?, "reason"}
GET  /api/admin/pending-subscriptions                    the approvals queue
POST /api/admin/pending-subscriptions/{id}/approve
POST /api/admin/pending-subscriptions/{id}/reject {"reason"?}
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from common.openapi import error_responses
from directory.permissions import IsAdmin

from .models import (
    PaymentMethod,
    PendingSubscriptionStatus,
    RefundStatus,
    Subscription,
)
from .selectors import invoices_of, pending_subscriptions_queue, subscriptions_of
from .services import (
    checkout_session_create,
    pending_subscription_approve,
    pending_subscription_reject,
    portal_session_create,
    refund_create,
    subscription_entitles,
    webhook_event_receive,
)

TAGS = ["billing"]


class UrlSerializer(serializers.Serializer):
    url = serializers.URLField()


class StripeWebhookApi(APIView):
    """Stripe's door: no session, no CSRF, no throttle; the signature is the credential."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    class OutputSerializer(serializers.Serializer):
        received = serializers.BooleanField()
        duplicate = serializers.BooleanField()
        id = serializers.CharField()

    @extend_schema(
        operation_id="stripe_webhook",
        summary="Receive a Stripe event",
        request={"application/json": dict},
        responses={200: OutputSerializer, **error_responses(400)},
        tags=TAGS,
    )
    def post(self, request):
        stored, event_id = webhook_event_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature")
        )
        return Response({"received": True, "duplicate": not stored, "id": event_id})


class CheckoutApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        studio_id = serializers.IntegerField(min_value=1)

    @extend_schema(
        operation_id="stripe_checkout",
        summary="Start a premium checkout for your studio",
        request=InputSerializer,
        responses={200: UrlSerializer, **error_responses(400, 401, 403, 404, 409, 502, 503)},
        tags=TAGS,
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        url = checkout_session_create(user=request.user, **data.validated_data)
        return Response({"url": url})


class PortalApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="stripe_portal",
        summary="Open the Stripe Billing Portal",
        request=None,
        responses={200: UrlSerializer, **error_responses(401, 403, 404, 502, 503)},
        tags=TAGS,
    )
    def post(self, request):
        return Response({"url": portal_session_create(user=request.user)})


class SubscriptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    studio_id = serializers.IntegerField(allow_null=True)
    studio_name = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    payment_method = serializers.CharField()
    current_period_start = serializers.DateTimeField(allow_null=True)
    current_period_end = serializers.DateTimeField(allow_null=True)
    renews = serializers.BooleanField()
    premium = serializers.BooleanField()
    awaiting_approval = serializers.BooleanField()
    cancelled_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, sub: Subscription) -> dict:
        dt = serializers.DateTimeField()

        def when(value):
            return dt.to_representation(value) if value else None

        return {
            "id": sub.pk,
            "studio_id": sub.studio_id,
            "studio_name": sub.studio.name if sub.studio else None,
            "status": sub.status,
            "payment_method": sub.payment_method,
            "current_period_start": when(sub.current_period_start),
            "current_period_end": when(sub.current_period_end),
            "renews": sub.status in ("ACTIVE", "PAST_DUE")
            and not sub.cancel_at_period_end
            and bool(sub.stripe_subscription_id),
            "premium": subscription_entitles(sub),
            "awaiting_approval": sub.awaiting_approval,
            "cancelled_at": when(sub.cancelled_at),
        }


class SubscriptionListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="SubscriptionList")
    class OutputSerializer(serializers.Serializer):
        """The answer is an object, not a bare array: the billing page reads `results`."""

        results = SubscriptionSerializer(many=True)

    @extend_schema(
        operation_id="billing_subscription_list",
        summary="Your subscriptions",
        responses={200: OutputSerializer, **error_responses(401, 403)},
        tags=TAGS,
    )
    def get(self, request):
        rows = subscriptions_of(user=request.user)[:100]
        return Response({"results": SubscriptionSerializer(rows, many=True).data})


class InvoiceSerializer(serializers.Serializer):
    """One Stripe invoice as the billing page shows it (amounts in cents, Stripe's status)."""

    id = serializers.CharField()
    number = serializers.CharField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    amount_due = serializers.IntegerField()
    amount_paid = serializers.IntegerField()
    currency = serializers.CharField()
    created = serializers.DateTimeField()
    period_start = serializers.DateTimeField(allow_null=True)
    period_end = serializers.DateTimeField(allow_null=True)
    hosted_invoice_url = serializers.URLField(allow_null=True)
    invoice_pdf = serializers.URLField(allow_null=True)


class InvoiceListApi(APIView):
    """Read live from Stripe on each request: we keep no copy of invoices."""

    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="InvoiceList")
    class OutputSerializer(serializers.Serializer):
        results = InvoiceSerializer(many=True)

    @extend_schema(
        operation_id="billing_invoice_list",
        summary="Your invoices, newest first (from Stripe)",
        responses={200: OutputSerializer, **error_responses(401, 403, 502, 503)},
        tags=TAGS,
    )
    def get(self, request):
        rows = invoices_of(user=request.user)
        return Response({"results": InvoiceSerializer(rows, many=True).data})


class RefundSerializer(serializers.Serializer):
    """A refund row: PENDING until Stripe's webhooks move it (amount in cents)."""

    id = serializers.IntegerField()
    stripe_refund_id = serializers.CharField()
    payment_intent = serializers.CharField(source="stripe_payment_intent_id")
    subscription_id = serializers.IntegerField(allow_null=True)
    amount = serializers.IntegerField()
    currency = serializers.CharField()
    reason = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=RefundStatus.choices)
    processed_by = serializers.IntegerField(source="processed_by_id")


class AdminRefundApi(APIView):
    permission_classes = [IsAdmin]

    class InputSerializer(serializers.Serializer):
        subscription_id = serializers.IntegerField(required=False, min_value=1)
        payment_intent = serializers.CharField(required=False, max_length=255)
        amount = serializers.IntegerField(required=False, min_value=1)
        reason = serializers.CharField(max_length=500)

        def validate(self, attrs):
            if ("subscription_id" in attrs) == ("payment_intent" in attrs):
                raise serializers.ValidationError(
                    {"subscription_id": ["Give subscription_id or payment_intent (one)."]}
                )
            return attrs

    @extend_schema(
        operation_id="admin_refund_create",
        summary="Refund a payment (idempotent per request)",
        request=InputSerializer,
        responses={
            201: OpenApiResponse(RefundSerializer, description="Refund created (PENDING)"),
            200: OpenApiResponse(
                RefundSerializer, description="The same request again: the same refund"
            ),
            **error_responses(400, 401, 403, 404, 502, 503),
        },
        tags=TAGS,
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        refund, created = refund_create(actor=request.user, **data.validated_data)
        return Response(
            RefundSerializer(refund).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class _UserRef(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class _StudioRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PendingSubscriptionSerializer(serializers.Serializer):
    """A checkout waiting for (or decided by) an admin."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=PendingSubscriptionStatus.choices)
    user = _UserRef()
    studio = _StudioRef()
    subscription_id = serializers.IntegerField(allow_null=True)
    stripe_session_id = serializers.CharField(allow_null=True)
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices)
    created_at = serializers.DateTimeField()


class AdminPendingSubscriptionListApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema_serializer(component_name="PendingSubscriptionList")
    class OutputSerializer(serializers.Serializer):
        results = PendingSubscriptionSerializer(many=True)

    @extend_schema(
        operation_id="admin_pending_subscription_list",
        summary="Subscriptions waiting for approval",
        responses={200: OutputSerializer, **error_responses(401, 403)},
        tags=TAGS,
    )
    def get(self, request):
        rows = pending_subscriptions_queue()[:200]
        return Response({"results": PendingSubscriptionSerializer(rows, many=True).data})


class AdminPendingSubscriptionApproveApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="admin_pending_subscription_approve",
        summary="Approve: the subscription goes active and the studio premium",
        request=None,
        responses={
            200: OpenApiResponse(PendingSubscriptionSerializer, description="The decided row"),
            **error_responses(400, 401, 403, 404, 409, 502, 503),
        },
        tags=TAGS,
    )
    def post(self, request, pending_id: int):
        row = pending_subscription_approve(actor=request.user, pending_id=pending_id)
        return Response(PendingSubscriptionSerializer(row).data)


class AdminPendingSubscriptionRejectApi(APIView):
    permission_classes = [IsAdmin]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500, required=False)

    @extend_schema(
        operation_id="admin_pending_subscription_reject",
        summary="Reject: refund, cancel at Stripe, tell the owner",
        request=InputSerializer,
        responses={
            200: OpenApiResponse(PendingSubscriptionSerializer, description="The decided row"),
            **error_responses(400, 401, 403, 404, 409, 502, 503),
        },
        tags=TAGS,
    )
    def post(self, request, pending_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = pending_subscription_reject(
            actor=request.user, pending_id=pending_id, **data.validated_data
        )
        return Response(PendingSubscriptionSerializer(row).data)
