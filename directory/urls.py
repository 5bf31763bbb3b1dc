"""/api/ routes of this app (included by project/urls.py)."""

from django.urls import path

from directory.api import faq, reviews, saved_searches, studio_manage, studio_pages

from .api.accounts import UserAccountApi
from .api.featured import FeaturedStudiosApi, SpotlightProfilesApi
from .api.metadata import UserMetadataDetailApi, UserMetadataListApi
from .api.profiles import PublicProfileApi, UserAvatarApi, UserProfileApi
from .api.search import StudioMapApi, StudioSearchApi

urlpatterns: list = [
    # --- Search and discovery (docs/search.md); before profiles/<username> -----------------
    path("studios/search", StudioSearchApi.as_view(), name="studios-search"),
    path("studios/map", StudioMapApi.as_view(), name="studios-map"),
    path("studios/featured", FeaturedStudiosApi.as_view(), name="studios-featured"),
    path("profiles/spotlight", SpotlightProfilesApi.as_view(), name="profiles-spotlight"),
    # --- Accounts and profiles (issue 3) -------------------------------------------------
    path("user/profile", UserProfileApi.as_view(), name="user-profile"),
    path("user/avatar", UserAvatarApi.as_view(), name="user-avatar"),
    path("user/account", UserAccountApi.as_view(), name="user-account"),
    path("user/metadata", UserMetadataListApi.as_view(), name="user-metadata-list"),
    path("user/metadata/<str:key>", UserMetadataDetailApi.as_view(), name="user-metadata"),
    path("profiles/<str:username>", PublicProfileApi.as_view(), name="public-profile"),
    # Studio pages, management, reviews, FAQ (docs/studios.md).
    path("studios/<int:studio_id>", studio_pages.StudioDetailApi.as_view(), name="studio-detail"),
    path(
        "studios/<int:studio_id>/reviews",
        studio_pages.StudioReviewListApi.as_view(),
        name="studio-reviews",
    ),
    path(
        "studio/manage/",
        studio_manage.StudioManageCollectionApi.as_view(),
        name="studio-manage",
    ),
    path(
        "studio/manage/<int:studio_id>",
        studio_manage.StudioManageDetailApi.as_view(),
        name="studio-manage-detail",
    ),
    path(
        "studio/manage/<int:studio_id>/images",
        studio_manage.StudioImageUploadApi.as_view(),
        name="studio-manage-images",
    ),
    path(
        "studio/manage/<int:studio_id>/images/order",
        studio_manage.StudioImageOrderApi.as_view(),
        name="studio-manage-image-order",
    ),
    path(
        "studio/manage/<int:studio_id>/images/<int:image_id>",
        studio_manage.StudioImageDetailApi.as_view(),
        name="studio-manage-image-detail",
    ),
    path("reviews", reviews.ReviewCreateApi.as_view(), name="review-create"),
    path("reviews/<int:review_id>", reviews.ReviewDetailApi.as_view(), name="review-detail"),
    path("user/reviews", reviews.UserReviewListApi.as_view(), name="user-reviews"),
    path(
        "reviews/<int:review_id>/response",
        reviews.ReviewRespondApi.as_view(),
        name="review-respond",
    ),
    path("admin/reviews", reviews.AdminReviewListApi.as_view(), name="admin-reviews"),
    path(
        "admin/reviews/<int:review_id>",
        reviews.AdminReviewDetailApi.as_view(),
        name="admin-review-detail",
    ),
    path(
        "user/saved-searches",
        saved_searches.SavedSearchCollectionApi.as_view(),
        name="saved-searches",
    ),
    path(
        "user/saved-searches/<int:saved_search_id>",
        saved_searches.SavedSearchDetailApi.as_view(),
        name="saved-search-detail",
    ),
    path("faq", faq.FaqListApi.as_view(), name="faq"),
]
