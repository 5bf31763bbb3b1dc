from django.contrib import admin

from common.admin import LegacyRowAdmin

from .models import PendingSubscription, Refund, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(LegacyRowAdmin):
    list_display = (
        "user",
        "payment_method",
        "status",
        "current_period_end",
        "cancelled_at",
        "created_at",
    )
    list_filter = ("status", "payment_method")
    search_fields = (
        "user__username",
        "user__email",
        "=stripe_subscription_id",
        "=stripe_customer_id",
        "=paypal_subscription_id",
    )
    list_select_related = ("user",)
    raw_id_fields = ("user",)


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
    raw_id_fields = ("user", "studio")


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
    raw_id_fields = ("processed_by",)
