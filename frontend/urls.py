"""Web pages (Django templates)."""

from django.urls import path

from frontend import views

urlpatterns: list = [
    path(
        "saved-searches/unsubscribe/<str:token>",
        views.saved_search_unsubscribe_page,
        name="saved-search-unsubscribe",
    ),
]
