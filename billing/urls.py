"""/api/ routes of this app (included by project/urls.py)."""

from django.urls import path

from . import api

urlpatterns: list = [
    path("stripe/webhook", api.StripeWebhookApi.as_view(), name="stripe-webhook"),
    path("stripe/checkout", api.CheckoutApi.as_view(), name="stripe-checkout"),
    path("stripe/portal", api.PortalApi.as_view(), name="stripe-portal"),
    path("billing/subscriptions", api.SubscriptionListApi.as_view(), name="billing-subscriptions"),
    path("billing/invoices", api.InvoiceListApi.as_view(), name="billing-invoices"),
    path("admin/refunds", api.AdminRefundApi.as_view(), name="admin-refunds"),
    path(
        "admin/pending-subscriptions",
        api.AdminPendingSubscriptionListApi.as_view(),
        name="admin-pending-subscriptions",
    ),
    path(
        "admin/pending-subscriptions/<int:pending_id>/approve",
        api.AdminPendingSubscriptionApproveApi.as_view(),
        name="admin-pending-subscription-approve",
    ),
    path(
        "admin/pending-subscriptions/<int:pending_id>/reject",
        api.AdminPendingSubscriptionRejectApi.as_view(),
        name="admin-pending-subscription-reject",
    ),
]
