"""/api/ routes of this app (included by project/urls.py)."""

from django.urls import path

from .api.accounts import UserAccountApi
from .api.metadata import UserMetadataDetailApi, UserMetadataListApi
from .api.profiles import PublicProfileApi, UserAvatarApi, UserProfileApi

urlpatterns: list = [
    # --- Accounts and profiles (issue 3) -------------------------------------------------
    path("user/profile", UserProfileApi.as_view(), name="user-profile"),
    path("user/avatar", UserAvatarApi.as_view(), name="user-avatar"),
    path("user/account", UserAccountApi.as_view(), name="user-account"),
    path("user/metadata", UserMetadataListApi.as_view(), name="user-metadata-list"),
    path("user/metadata/<str:key>", UserMetadataDetailApi.as_view(), name="user-metadata"),
    path("profiles/<str:username>", PublicProfileApi.as_view(), name="public-profile"),
]
