"""/api/ routes of this app (included by project/urls.py)."""

from django.urls import path

from .api.featured import FeaturedStudiosApi, SpotlightProfilesApi
from .api.search import StudioMapApi, StudioSearchApi

urlpatterns: list = [
    # Search and discovery (docs/search.md).
    path("studios/search", StudioSearchApi.as_view(), name="studios-search"),
    path("studios/map", StudioMapApi.as_view(), name="studios-map"),
    path("studios/featured", FeaturedStudiosApi.as_view(), name="studios-featured"),
    path("profiles/spotlight", SpotlightProfilesApi.as_view(), name="profiles-spotlight"),
]
