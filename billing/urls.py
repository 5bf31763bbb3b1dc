"""/api/ routes of this app (included by project/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
