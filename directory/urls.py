"""/api/ routes of this app (included by project/urls.py)."""

from django.urls import path

from directory.api import faq, reviews, saved_searches, studio_manage, studio_pages

from .api.featured import FeaturedStudiosApi, SpotlightProfilesApi
from .api.profiles import PublicProfileApi
from .api.search import StudioMapApi, StudioSearchApi

urlpatterns: list = [
    # --- Search and discovery (docs/search.md); before profiles/<username> -----------------
    path("studios/search", StudioSearchApi.as_view(), name="studios-search"),
    path("studios/map", StudioMapApi.as_view(), name="studios-map"),
    path("studios/featured", FeaturedStudiosApi.as_view(), name="studios-featured"),
    path("profiles/spotlight", SpotlightProfilesApi.as_view(), name="profiles-spotlight"),
    # Public profiles (the own-profile routes are accounts/urls.py).
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
