from datetime import timedelta

from allauth.socialaccount.admin import SocialTokenAdmin as AllauthSocialTokenAdmin
from allauth.socialaccount.models import SocialToken
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone

from common.admin import URL_FIELDS_ASSUME_HTTPS, LegacyRowAdmin
from common.errors import DomainError
from common.jobs import enqueue_on_commit
from directory.services.studios import OWNER_FIELDS, studio_update
from moderation.forms import ReasonActionForm
from moderation.services import (
    account_reinstate,
    account_suspend,
    review_decide,
    studio_approve,
    studio_deactivate,
    studio_verify,
)

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


def _each(modeladmin, request, queryset, verb: str, apply) -> None:
    """Run one service per selected row; a refused row (a domain error) is reported and
    skipped, the others still go through. Each call is its own transaction."""
    done, refused = 0, []
    for obj in queryset:
        try:
            apply(obj)
            done += 1
        except DomainError as exc:
            refused.append(f"{obj}: {exc.message}")
    modeladmin.message_user(request, f"{done} {verb}.")
    for line in refused:
        modeladmin.message_user(request, line, level=messages.WARNING)


STUDIO_SERVICE_FIELDS = frozenset({*OWNER_FIELDS, "latitude", "longitude"})


def _reason(request) -> str:
    return (request.POST.get("reason") or "").strip()


@admin.action(description="Suspend selected users (reason required; days or indefinitely)")
def suspend_users(modeladmin, request, queryset):
    reason = _reason(request)
    days = request.POST.get("days") or ""
    if not reason:
        modeladmin.message_user(request, "Give a reason to suspend.", level=messages.ERROR)
        return
    if days and not (days.isdigit() and 1 <= int(days) <= 3650):
        modeladmin.message_user(request, "Days: a number from 1 to 3650.", level=messages.ERROR)
        return
    until = timezone.now() + timedelta(days=int(days)) if days else None
    _each(
        modeladmin,
        request,
        queryset,
        "user(s) suspended",
        lambda user: account_suspend(actor=request.user, user=user, reason=reason, until=until),
    )


@admin.action(description="Reinstate selected users")
def reinstate_users(modeladmin, request, queryset):
    _each(
        modeladmin,
        request,
        queryset,
        "user(s) reinstated",
        lambda user: account_reinstate(actor=request.user, user=user, reason=_reason(request)),
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
    # Suspension is a workflow: the Suspend / Reinstate actions (services, audit log,
    # sockets closed on every process).
    readonly_fields = (
        "created_at",
        "updated_at",
        "last_login",
        "legacy_id",
        "email_verified",
        "suspended_until",
        "is_suspended_indefinitely",
        "suspension_reason",
    )
    actions = [suspend_users, reinstate_users]
    action_form = ReasonActionForm
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


@admin.action(description="Approve selected studios (ACTIVE; sets published_at)")
def approve_studios(modeladmin, request, queryset):
    _each(
        modeladmin,
        request,
        queryset,
        "studio(s) approved",
        lambda s: studio_approve(actor=request.user, studio=s, reason=_reason(request)),
    )


@admin.action(description="Verify selected studios (notifies the owners)")
def verify_studios(modeladmin, request, queryset):
    _each(
        modeladmin,
        request,
        queryset.filter(is_verified=False),
        "studio(s) verified",
        lambda s: studio_verify(actor=request.user, studio=s, reason=_reason(request)),
    )


@admin.action(description="Remove the verified badge from selected studios")
def unverify_studios(modeladmin, request, queryset):
    _each(
        modeladmin,
        request,
        queryset.filter(is_verified=True),
        "studio(s) unverified",
        lambda s: studio_verify(
            actor=request.user, studio=s, verified=False, reason=_reason(request)
        ),
    )


@admin.action(description="Deactivate selected studios (INACTIVE)")
def deactivate_studios(modeladmin, request, queryset):
    _each(
        modeladmin,
        request,
        queryset,
        "studio(s) deactivated",
        lambda s: studio_deactivate(actor=request.user, studio=s, reason=_reason(request)),
    )


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
    actions = [approve_studios, verify_studios, unverify_studios, deactivate_studios]
    action_form = ReasonActionForm

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
    # audit entry. Django admin escapes the review text wherever it shows it.
    _each(
        modeladmin,
        request,
        queryset.exclude(status=status),
        f"review(s) set to {status.lower()}",
        lambda review: review_decide(
            actor=request.user, review=review, status=status, reason=_reason(request)
        ),
    )


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
    action_form = ReasonActionForm
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
