"""/api/ routes of this app (included by project/urls.py): one's own account (issue 3)."""

from django.urls import path

from .api.accounts import UserAccountApi
from .api.metadata import UserMetadataDetailApi, UserMetadataListApi
from .api.profiles import UserAvatarApi, UserProfileApi

urlpatterns: list = [
    path("user/profile", UserProfileApi.as_view(), name="user-profile"),
    path("user/avatar", UserAvatarApi.as_view(), name="user-avatar"),
    path("user/account", UserAccountApi.as_view(), name="user-account"),
    path("user/metadata", UserMetadataListApi.as_view(), name="user-metadata-list"),
    path("user/metadata/<str:key>", UserMetadataDetailApi.as_view(), name="user-metadata"),
]
