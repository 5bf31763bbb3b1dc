from django.contrib import admin

from common.admin import LegacyRowAdmin

from .models import ContentReport


@admin.register(ContentReport)
class ContentReportAdmin(LegacyRowAdmin):
    list_display = (
        "content_type",
        "content_id",
        "reason",
        "status",
        "reporter",
        "reported_user",
        "reviewed_by",
        "reviewed_at",
        "created_at",
    )
    list_filter = ("status", "content_type", "reason")
    search_fields = (
        "=content_id",
        "reporter__username",
        "reported_user__username",
        "custom_reason",
    )
    list_select_related = ("reporter", "reported_user", "reviewed_by")
    raw_id_fields = ("reporter", "reported_user", "reviewed_by")
    show_full_result_count = False
