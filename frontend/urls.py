"""Web pages. Public profiles live at /<username> (docs/accounts.md), so that route comes
last and every other first path segment here is in ACCOUNT_USERNAME_BLACKLIST."""

from django.urls import path, re_path

from frontend import views

USERNAME = r"(?P<username>[A-Za-z0-9][A-Za-z0-9_.-]*)"

urlpatterns: list = [
    path("", views.HomePage.as_view(), name="home"),
    path(
        "saved-searches/unsubscribe/<str:token>",
        views.saved_search_unsubscribe_page,
        name="saved-search-unsubscribe",
    ),
    path("search", views.SearchPage.as_view(), name="search-page"),
    path("faq", views.FaqPage.as_view(), name="faq-page"),
    path("premium", views.PremiumPage.as_view(), name="premium-page"),
    path("dashboard", views.DashboardPage.as_view(), name="dashboard-page"),
    path("dashboard/studios/new", views.StudioEditorPage.as_view(), name="studio-editor-new"),
    path(
        "dashboard/studios/<int:studio_id>",
        views.StudioEditorPage.as_view(),
        name="studio-editor",
    ),
    path("studios/<int:studio_id>", views.StudioPage.as_view(), name="studio-page"),
    path("messages", views.MessagesPage.as_view(), name="messages-page"),
    re_path(rf"^messages/{USERNAME}$", views.MessagesPage.as_view(), name="conversation-page"),
    path("notifications", views.NotificationsPage.as_view(), name="notifications-page"),
    path("network", views.NetworkPage.as_view(), name="network-page"),
    path("settings/reports", views.MyReportsPage.as_view(), name="my-reports-page"),
    path("billing", views.BillingPage.as_view(), name="billing-page"),
    path(
        "billing/checkout/success",
        views.CheckoutResultPage.as_view(result="success"),
        name="billing-checkout-success",
    ),
    path(
        "billing/checkout/cancelled",
        views.CheckoutResultPage.as_view(result="cancelled"),
        name="billing-checkout-cancelled",
    ),
    re_path(rf"^profile/{USERNAME}$", views.ProfileRedirect.as_view(), name="profile-redirect"),
    re_path(rf"^{USERNAME}$", views.ProfilePage.as_view(), name="profile-page"),
]
