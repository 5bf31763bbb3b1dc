"""Billing in the Django admin: every workflow field is read-only, every action calls the
same service as the API (approve, reject, reprocess); refunds are made through Stripe
only (POST /api/admin/refunds), never typed in."""

from django.contrib import admin, messages

from common.admin import LegacyRowAdmin
from common.errors import DomainError

from .models import PendingSubscription, Refund, StripeCustomer, StripeEvent, Subscription
from .services import (
    pending_subscription_approve,
    pending_subscription_reject,
    stripe_event_reprocess,
)


def _each(modeladmin, request, queryset, call, done: str) -> None:
    ok = 0
    for row in queryset.order_by("pk"):
        try:
            call(row)
            ok += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{row}: {exc.message}", level=messages.ERROR)
    if ok:
        modeladmin.message_user(request, f"{ok} {done}.", level=messages.SUCCESS)


@admin.register(Subscription)
class SubscriptionAdmin(LegacyRowAdmin):
    list_display = (
        "user",
        "studio",
        "payment_method",
        "status",
        "current_period_end",
        "cancel_at_period_end",
        "awaiting_approval",
        "created_at",
    )
    list_filter = ("status", "payment_method", "awaiting_approval")
    search_fields = (
        "user__username",
        "user__email",
        "=stripe_subscription_id",
        "=stripe_customer_id",
        "=paypal_subscription_id",
    )
    list_select_related = ("user", "studio")
    raw_id_fields = ("user", "studio")
    # Stripe is the truth for these: webhooks and the sweeper write them.
    readonly_fields = (
        "stripe_subscription_id",
        "stripe_customer_id",
        "status",
        "current_period_start",
        "current_period_end",
        "cancelled_at",
        "cancel_at_period_end",
        "awaiting_approval",
        "latest_payment_intent_id",
    )


@admin.action(description="Approve: subscription active, studio premium, owner notified")
def approve_pending(modeladmin, request, queryset):
    _each(
        modeladmin,
        request,
        queryset,
        lambda row: pending_subscription_approve(actor=request.user, pending_id=row.pk),
        "approved",
    )


@admin.action(description="Reject: refund issued, subscription cancelled, owner notified")
def reject_pending(modeladmin, request, queryset):
    _each(
        modeladmin,
        request,
        queryset,
        lambda row: pending_subscription_reject(actor=request.user, pending_id=row.pk),
        "rejected",
    )


@admin.register(PendingSubscription)
class PendingSubscriptionAdmin(LegacyRowAdmin):
    list_display = ("user", "studio", "payment_method", "status", "created_at")
    list_filter = ("status", "payment_method")
    search_fields = (
        "user__username",
        "studio__name",
        "=stripe_session_id",
        "=paypal_subscription_id",
    )
    list_select_related = ("user", "studio")
    raw_id_fields = ("user", "studio", "subscription")
    readonly_fields = ("status", "decided_by", "subscription", "stripe_session_id")
    actions = [approve_pending, reject_pending]


@admin.register(Refund)
class RefundAdmin(LegacyRowAdmin):
    list_display = (
        "stripe_refund_id",
        "amount",
        "currency",
        "status",
        "processed_by",
        "created_at",
    )
    list_filter = ("status", "currency")
    search_fields = ("=stripe_refund_id", "=stripe_payment_intent_id", "processed_by__username")
    list_select_related = ("processed_by",)

    def has_add_permission(self, request) -> bool:
        return False  # a refund starts at Stripe (POST /api/admin/refunds), never here

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the audit trail stays

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.concrete_fields]


@admin.action(
    description=(
        "Reprocess (the same service as the worker; done events are skipped, an abandoned "
        "poison event is applied once)"
    )
)
def reprocess_events(modeladmin, request, queryset):
    counts: dict[str, int] = {}
    for event in queryset.order_by("stripe_created", "pk"):
        status = stripe_event_reprocess(event_pk=event.pk, actor=request.user)
        counts[status] = counts.get(status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    modeladmin.message_user(request, f"Reprocessed: {summary}.", level=messages.INFO)


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = (
        "stripe_event_id",
        "type",
        "status",
        "attempts",
        "open_runs",
        "stripe_created",
        "error",
    )
    list_filter = ("status", "type")
    search_fields = ("=stripe_event_id", "type")
    date_hierarchy = "received_at"
    actions = [reprocess_events]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # viewing only; the action changes state through the service

    def has_view_permission(self, request, obj=None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)


@admin.register(StripeCustomer)
class StripeCustomerAdmin(admin.ModelAdmin):
    list_display = ("user", "stripe_customer_id", "created_at")
    search_fields = ("=stripe_customer_id", "user__username", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("stripe_customer_id",)
