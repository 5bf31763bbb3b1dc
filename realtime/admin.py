from django.contrib import admin

from common.admin import LegacyRowAdmin

from .models import Event, Message, Notification, NotificationPreference, UserConnection


@admin.register(Message)
class MessageAdmin(LegacyRowAdmin):
    list_display = ("id", "sender", "receiver", "subject", "is_read", "created_at")
    list_filter = ("is_read",)
    search_fields = ("sender__username", "receiver__username", "subject")
    list_select_related = ("sender", "receiver")
    raw_id_fields = ("sender", "receiver")
    show_full_result_count = False


@admin.register(Notification)
class NotificationAdmin(LegacyRowAdmin):
    list_display = ("user", "type", "title", "read", "created_at")
    list_filter = ("type", "read")
    search_fields = ("user__username", "title")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    show_full_result_count = False


@admin.register(UserConnection)
class UserConnectionAdmin(LegacyRowAdmin):
    list_display = ("user", "connected_user", "accepted", "created_at", "accepted_at")
    list_filter = ("accepted",)
    search_fields = ("user__username", "connected_user__username")
    list_select_related = ("user", "connected_user")
    raw_id_fields = ("user", "connected_user")
    show_full_result_count = False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "type", "in_app", "email", "updated_at")
    list_filter = ("type", "in_app", "email")
    search_fields = ("user__username",)
    list_select_related = ("user",)
    raw_id_fields = ("user",)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: the stream is written by services only (ids must stay in commit order)."""

    list_display = ("user", "event_id", "type", "created_at")
    list_filter = ("type",)
    search_fields = ("user__username",)
    list_select_related = ("user",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
