from django.contrib import admin

from common.admin import LegacyRowAdmin

from .models import Message, Notification, UserConnection


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
