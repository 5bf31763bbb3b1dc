"""Users, profiles and metadata in the Django admin.

Suspension is a workflow with an audit trail: its actions (suspend, reinstate) are
moderation's, added to UserAdmin by moderation/admin.py; here its fields are read-only.
"""

from allauth.socialaccount.admin import SocialTokenAdmin as AllauthSocialTokenAdmin
from allauth.socialaccount.models import SocialToken
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from common.admin import URL_FIELDS_ASSUME_HTTPS, LegacyRowAdmin

from .models import User, UserMetadata, UserProfile


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


@admin.register(UserMetadata)
class UserMetadataAdmin(LegacyRowAdmin):
    list_display = ("user", "key", "updated_at")
    list_filter = ("key",)
    search_fields = ("user__username", "=key")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    show_full_result_count = False


# allauth's token list shows each token's app (a nullable FK, so admin's automatic
# select_related() skips it): one query per row without this.
admin.site.unregister(SocialToken)


@admin.register(SocialToken)
class SocialTokenAdmin(AllauthSocialTokenAdmin):
    list_select_related = ("app", "account__user")
