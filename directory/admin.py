from allauth.socialaccount.admin import SocialTokenAdmin as AllauthSocialTokenAdmin
from allauth.socialaccount.models import SocialToken
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from common.admin import URL_FIELDS_ASSUME_HTTPS, LegacyRowAdmin
from common.jobs import enqueue_on_commit
from directory.services.accounts import access_revoked_on_commit

from .models import (
    Faq,
    LegacyContact,
    Poi,
    Review,
    ReviewResponse,
    ReviewStatus,
    SavedSearch,
    Studio,
    StudioImage,
    StudioService,
    StudioStudioType,
    User,
    UserMetadata,
    UserProfile,
)


class UserProfileInline(admin.StackedInline):
    model = UserProfile
    can_delete = False
    extra = 0
    readonly_fields = ("legacy_id",)
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "email",
        "display_name",
        "role",
        "email_verified",
        "is_active",
        "is_suspended_indefinitely",
        "suspended_until",
        "created_at",
    )
    list_filter = ("role", "email_verified", "is_active", "is_suspended_indefinitely")
    search_fields = ("username", "email", "display_name", "=legacy_id")
    ordering = ("-created_at",)
    # email_verified mirrors allauth's email addresses: verify one under "Email addresses".
    readonly_fields = ("created_at", "updated_at", "last_login", "legacy_id", "email_verified")
    inlines = [UserProfileInline]
    filter_horizontal = ()
    show_full_result_count = False
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    fieldsets = (
        (None, {"fields": ("username", "email", "password")}),
        ("Profile", {"fields": ("display_name", "avatar_url")}),
        ("Access", {"fields": ("role", "email_verified", "is_active")}),
        (
            "Suspension",
            {"fields": ("suspended_until", "is_suspended_indefinitely", "suspension_reason")},
        ),
        ("History", {"fields": ("legacy_id", "last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "display_name", "role", "password1", "password2"),
            },
        ),
    )

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        suspension_fields = {"suspended_until", "is_suspended_indefinitely"}
        if change and suspension_fields & set(form.changed_data) and obj.is_suspended:
            # Same effect as directory.services.accounts.user_suspend: close their sockets.
            access_revoked_on_commit(user_id=obj.pk, reason="suspended")


@admin.register(UserProfile)
class UserProfileAdmin(LegacyRowAdmin):
    list_display = (
        "user",
        "studio_name",
        "location",
        "is_featured",
        "is_spotlight",
        "verification_level",
        "is_crb_checked",
    )
    list_filter = ("is_featured", "is_spotlight", "verification_level", "is_crb_checked")
    search_fields = ("user__username", "user__email", "studio_name", "location")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    show_full_result_count = False


class StudioImageInline(admin.TabularInline):
    model = StudioImage
    extra = 0
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS


class StudioServiceInline(admin.TabularInline):
    model = StudioService
    extra = 0


class StudioTypeInline(admin.TabularInline):
    model = StudioStudioType
    extra = 0


@admin.register(Studio)
class StudioAdmin(LegacyRowAdmin):
    list_display = (
        "name",
        "owner",
        "city",
        "status",
        "is_premium",
        "is_verified",
        "is_profile_visible",
        "created_at",
    )
    list_filter = ("status", "is_premium", "is_verified", "is_profile_visible")
    search_fields = ("name", "city", "owner__username")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    inlines = [StudioTypeInline, StudioServiceInline, StudioImageInline]
    show_full_result_count = False  # no COUNT(*) over a million studios per page view

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        coordinates_typed = {"latitude", "longitude"} & set(form.changed_data)
        if "full_address" in form.changed_data and not coordinates_typed:
            enqueue_on_commit("tasks.geocoding.geocode_studio", obj.pk)


@admin.register(StudioImage)
class StudioImageAdmin(LegacyRowAdmin):
    list_display = ("studio", "image_url", "alt_text", "sort_order")
    search_fields = ("studio__name", "image_url")
    list_select_related = ("studio",)
    raw_id_fields = ("studio",)
    show_full_result_count = False


@admin.register(StudioService)
class StudioServiceAdmin(LegacyRowAdmin):
    list_display = ("studio", "service")
    list_filter = ("service",)
    search_fields = ("studio__name",)
    list_select_related = ("studio",)
    raw_id_fields = ("studio",)
    show_full_result_count = False


@admin.register(StudioStudioType)
class StudioStudioTypeAdmin(LegacyRowAdmin):
    list_display = ("studio", "studio_type")
    list_filter = ("studio_type",)
    search_fields = ("studio__name",)
    list_select_related = ("studio",)
    raw_id_fields = ("studio",)
    show_full_result_count = False


class ReviewResponseInline(admin.StackedInline):
    model = ReviewResponse
    extra = 0
    raw_id_fields = ("author",)
    readonly_fields = ("legacy_id", "created_at", "updated_at")


def _moderate(modeladmin, request, queryset, status: str) -> None:
    # Each review through the service: one transaction, the owner's notification, the
    # search cache bump. Django admin escapes the review text wherever it shows it.
    from directory.services.reviews import review_moderate

    changed = 0
    for review in queryset.exclude(status=status):
        review_moderate(review=review, moderator=request.user, status=status)
        changed += 1
    modeladmin.message_user(request, f"{changed} review(s) set to {status.lower()}.")


@admin.action(description="Approve selected reviews (notifies the studio owners)")
def approve_reviews(modeladmin, request, queryset):
    _moderate(modeladmin, request, queryset, ReviewStatus.APPROVED)


@admin.action(description="Reject selected reviews")
def reject_reviews(modeladmin, request, queryset):
    _moderate(modeladmin, request, queryset, ReviewStatus.REJECTED)


@admin.register(Review)
class ReviewAdmin(LegacyRowAdmin):
    list_display = (
        "studio",
        "reviewer",
        "owner",
        "rating",
        "status",
        "is_flagged",
        "is_anonymous",
        "created_at",
    )
    list_filter = ("status", "is_flagged", "rating", "is_anonymous")
    search_fields = ("studio__name", "reviewer__username", "content")
    list_select_related = ("studio", "reviewer", "owner")
    raw_id_fields = ("studio", "reviewer", "owner", "moderated_by")
    # Status changes go through the actions (the service notifies and bumps the cache).
    readonly_fields = ("status", "is_flagged", "flagged_terms", "moderated_by", "moderated_at")
    inlines = [ReviewResponseInline]
    actions = [approve_reviews, reject_reviews]
    show_full_result_count = False


@admin.register(ReviewResponse)
class ReviewResponseAdmin(LegacyRowAdmin):
    list_display = ("review", "author", "created_at")
    search_fields = ("author__username", "content")
    list_select_related = ("review", "author")
    raw_id_fields = ("review", "author")


@admin.register(SavedSearch)
class SavedSearchAdmin(LegacyRowAdmin):
    list_display = ("name", "user", "alerts_enabled", "last_alerted_at", "created_at")
    list_filter = ("alerts_enabled",)
    search_fields = ("name", "user__username")
    list_select_related = ("user",)
    raw_id_fields = ("user",)


@admin.register(Faq)
class FaqAdmin(LegacyRowAdmin):
    list_display = ("question", "sort_order", "updated_at")
    list_editable = ("sort_order",)
    search_fields = ("question", "answer")


@admin.register(UserMetadata)
class UserMetadataAdmin(LegacyRowAdmin):
    list_display = ("user", "key", "updated_at")
    list_filter = ("key",)
    search_fields = ("user__username", "=key")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    show_full_result_count = False


@admin.register(Poi)
class PoiAdmin(LegacyRowAdmin):
    list_display = ("name", "category", "address", "latitude", "longitude")
    list_filter = ("category",)
    search_fields = ("name", "address", "category")


@admin.register(LegacyContact)
class LegacyContactAdmin(LegacyRowAdmin):
    list_display = ("legacy_id", "user1", "user2", "accepted", "created_at")
    list_filter = ("accepted",)
    search_fields = ("=user1", "=user2")


# allauth's token list shows each token's app (a nullable FK, so admin's automatic
# select_related() skips it): one query per row without this.
admin.site.unregister(SocialToken)


@admin.register(SocialToken)
class SocialTokenAdmin(AllauthSocialTokenAdmin):
    list_select_related = ("app", "account__user")
