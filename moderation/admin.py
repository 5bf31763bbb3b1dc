"""The moderation queue and the audit log in the Django admin.

Reports change only through the queue's actions (the same `report_action` service as the
API); the audit log is read-only here and in the database.
"""

from django.contrib import admin, messages
from django.http import HttpRequest

from common.admin import LegacyRowAdmin
from common.errors import DomainError

from .forms import ReasonActionForm
from .models import AuditLogEntry, ContentReport, ReportStatus
from .services import report_action


def _close(modeladmin, request, queryset, action: str, verb: str) -> None:
    done, refused = 0, []
    for report in queryset.filter(status=ReportStatus.PENDING):
        try:
            report_action(
                report_id=report.pk,
                actor=request.user,
                action=action,
                resolution=(request.POST.get("reason") or "").strip(),
            )
            done += 1
        except DomainError as exc:
            refused.append(f"{report}: {exc.message}")
    modeladmin.message_user(request, f"{done} report(s) {verb}.")
    for line in refused:
        modeladmin.message_user(request, line, level=messages.WARNING)


@admin.action(description="Dismiss selected open reports (reporters are told)")
def dismiss_reports(modeladmin, request, queryset):
    _close(modeladmin, request, queryset, "dismiss", "dismissed")


@admin.action(description="Mark selected open reports reviewed (reporters are told)")
def mark_reports_reviewed(modeladmin, request, queryset):
    _close(modeladmin, request, queryset, "mark_reviewed", "marked reviewed")


@admin.action(
    description="Remove the reported content (review rejected, studio inactive, message removed)"
)
def remove_reported_content(modeladmin, request, queryset):
    _close(modeladmin, request, queryset, "remove_content", "resolved by removing the content")


@admin.action(description="Warn the reported users")
def warn_reported_users(modeladmin, request, queryset):
    _close(modeladmin, request, queryset, "warn", "resolved with a warning")


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
    show_full_result_count = False
    ordering = ("-created_at",)
    actions = [dismiss_reports, mark_reports_reviewed, remove_reported_content, warn_reported_users]
    # Every field: a report changes only through the actions (the service).
    readonly_fields = (
        "reporter",
        "content_type",
        "content_id",
        "reported_user",
        "reason",
        "custom_reason",
        "status",
        "reviewed_by",
        "reviewed_at",
        "resolution",
    )

    action_form = ReasonActionForm

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # reports come from the people who see the content


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    """Read-only; filter by target with ?target_type=STUDIO&target_id=42."""

    list_display = (
        "created_at",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "reason",
    )
    list_filter = ("target_type", "action")
    search_fields = ("=target_id", "=actor_label", "target_label")
    ordering = ("-id",)
    show_full_result_count = False

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        return lookup in ("target_id", "actor_id") or super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
