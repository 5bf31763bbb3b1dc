"""The directory's tables in the Django admin.

Workflow fields are read-only here; their actions (approve, verify, deactivate a studio;
approve or reject a review) are moderation's, added by moderation/admin.py to these
classes, so every such change goes through moderation's services and its audit log.
"""

from django.contrib import admin

from common.admin import URL_FIELDS_ASSUME_HTTPS, LegacyRowAdmin
from common.jobs import enqueue_on_commit
from directory.services.studios import OWNER_FIELDS, studio_update

from .models import (
    Faq,
    LegacyContact,
    Poi,
    Review,
    ReviewResponse,
    SavedSearch,
    Studio,
    StudioImage,
    StudioService,
    StudioStudioType,
)

STUDIO_SERVICE_FIELDS = frozenset({*OWNER_FIELDS, "latitude", "longitude"})


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
    # Workflow fields: status and verification by the actions (services: published_at,
    # STUDIO_VERIFIED, the audit log); premium by billing.
    readonly_fields = ("status", "is_verified", "is_premium", "published_at")

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            coordinates_typed = {"latitude", "longitude"} & set(form.changed_data)
            if "full_address" in form.changed_data and not coordinates_typed:
                enqueue_on_commit("tasks.geocoding.geocode_studio", obj.pk)
            return
        # What studio_update owns goes through it (its checks, geocoding, cache bump);
        # the rest (owner, description fields without a service) is saved as typed.
        changed = set(form.changed_data)
        if changed & {"latitude", "longitude"}:
            changed |= {"latitude", "longitude"}
        data = {f: form.cleaned_data[f] for f in changed if f in STUDIO_SERVICE_FIELDS}
        rest = sorted(changed - STUDIO_SERVICE_FIELDS - set(self.readonly_fields))
        if rest:
            obj.save(update_fields=[*rest, "updated_at"])
        if data:
            studio_update(actor=request.user, studio=obj, data=data)


class StudioRowAdmin(LegacyRowAdmin):
    """A row of a studio (photo, service, type): found by the studio's name, the studio
    picked by id, no full count on the large tables."""

    search_fields = ("studio__name",)
    list_select_related = ("studio",)
    raw_id_fields = ("studio",)
    show_full_result_count = False


@admin.register(StudioImage)
class StudioImageAdmin(StudioRowAdmin):
    list_display = ("studio", "image_url", "alt_text", "sort_order")
    search_fields = ("studio__name", "image_url")


@admin.register(StudioService)
class StudioServiceAdmin(StudioRowAdmin):
    list_display = ("studio", "service")
    list_filter = ("service",)


@admin.register(StudioStudioType)
class StudioStudioTypeAdmin(StudioRowAdmin):
    list_display = ("studio", "studio_type")
    list_filter = ("studio_type",)


class ReviewResponseInline(admin.StackedInline):
    model = ReviewResponse
    extra = 0
    raw_id_fields = ("author",)
    readonly_fields = ("legacy_id", "created_at", "updated_at")


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
