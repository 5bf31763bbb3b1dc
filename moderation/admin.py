"""The moderation queue and the audit log in the Django admin.

Reports change only through the queue's actions (the same `report_action` service as the
API); the audit log is read-only here and in the database.
"""

from datetime import timedelta

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils import timezone

from accounts.admin import UserAdmin
from accounts.models import User
from common.admin import LegacyRowAdmin
from common.errors import DomainError
from directory.admin import ReviewAdmin, StudioAdmin
from directory.models import Review, ReviewStatus, Studio

from .forms import ReasonActionForm
from .models import AuditLogEntry, ContentReport, ReportStatus
from .services import (
    account_reinstate,
    account_suspend,
    report_action,
    review_decide,
    studio_approve,
    studio_deactivate,
    studio_verify,
)


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


# --- Moderation's actions on the admins of the objects it moderates ---------------------
#
# Registered here, not in accounts/ or directory/: the actions call moderation's services
# (audit log, notifications), and those apps must not import moderation (the layers,
# tests/project/test_layers.py). Each class below extends the app's own and replaces it
# in the admin site (moderation is after accounts and directory in INSTALLED_APPS).


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


def _with_actions(model, base, actions) -> None:
    """Re-register `model` with `base` extended by moderation's `actions`."""
    attrs = {"actions": actions, "action_form": ReasonActionForm, "__module__": __name__}
    admin.site.unregister(model)
    admin.site.register(model, type(base.__name__, (base,), attrs))


_with_actions(User, UserAdmin, [suspend_users, reinstate_users])
_with_actions(
    Studio, StudioAdmin, [approve_studios, verify_studios, unverify_studios, deactivate_studios]
)
_with_actions(Review, ReviewAdmin, [approve_reviews, reject_reviews])
