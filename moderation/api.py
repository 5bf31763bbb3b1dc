"""HTTP doors of moderation (docs/moderation.md). Parse, authorise, call, serialise.

POST /api/moderation/reports             report content (verified email, throttled)
GET  /api/moderation/reports/mine        the caller's reports and their outcome
GET  /api/admin/reports                  the queue (ADMIN): previews, history, pending reviews
POST /api/admin/reports/{id}/action      close a report with one action (ADMIN)
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.openapi import error_responses
from common.pagination import PageFilterSerializer, PageSerializer, paginate
from common.throttling import UserWriteRateThrottle
from directory.api.reviews import ModeratedReviewSerializer
from directory.permissions import IsAdmin, IsAuthenticated, IsEmailVerified

from .models import ContentReport, ReportedContentType, ReportReason, ReportStatus
from .selectors import (
    content_previews,
    pending_reviews,
    report_queue,
    reports_mine,
    user_histories,
)
from .services import report_action, report_create
from .services.reports import ACTIONS, CUSTOM_REASON_MAX, RESOLUTION_MAX, SUSPEND_DAYS_MAX


class ReportRateThrottle(UserWriteRateThrottle):
    """Reports per user (MODERATION_REPORT_RATE, default 10/hour), on top of the write rate."""

    scope = "reports"

    def get_rate(self) -> str | None:
        return getattr(settings, "MODERATION_REPORT_RATE", "10/hour")


@extend_schema_serializer(component_name="ReportPerson")
class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "display_name": user.display_name}


# What every view of a report shows: what was reported, why, and where it stands. (A
# comment, not a docstring: subclasses would inherit it as their OpenAPI description.)
class _ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    content_type = serializers.ChoiceField(ReportedContentType.choices)
    content_id = serializers.CharField()
    reason = serializers.ChoiceField(ReportReason.choices)
    custom_reason = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(ReportStatus.choices)


@extend_schema_serializer(component_name="OwnReport")
class OwnReportSerializer(_ReportSerializer):
    """A report as its reporter sees it: what, why, and the outcome (not who decided)."""

    reviewed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="ReportDecision")
class ReportDecisionSerializer(serializers.Serializer):
    """The answer to an action: the report as it now stands."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(ReportStatus.choices)
    reviewed_by = serializers.SerializerMethodField()
    reviewed_at = serializers.DateTimeField(allow_null=True)
    resolution = serializers.CharField(allow_null=True)

    def get_reviewed_by(self, report: ContentReport) -> dict | None:
        return _person(report.reviewed_by)


class ReportCreateApi(APIView):
    permission_classes = [IsAuthenticated, IsEmailVerified]

    def get_throttles(self):
        return [*super().get_throttles(), ReportRateThrottle()]

    @extend_schema_serializer(component_name="ReportCreate")
    class InputSerializer(serializers.Serializer):
        content_type = serializers.ChoiceField(ReportedContentType.choices)
        content_id = serializers.CharField(max_length=64)
        reason = serializers.ChoiceField(ReportReason.choices)
        custom_reason = serializers.CharField(
            max_length=CUSTOM_REASON_MAX, required=False, allow_blank=True, allow_null=True
        )

    @extend_schema(
        operation_id="report_create",
        summary="Report a message, review, studio or profile",
        description=(
            "Signed in with a verified email (403 `email_unverified`). The content must "
            "exist and be visible to you (404; a message only to its two participants). "
            "`custom_reason` is required for OTHER (10–1000 characters). Not your own "
            "content (400 `own_content`); one open report per content (409 "
            "`already_reported`); throttled per user (429). Admins are told live."
        ),
        request=InputSerializer,
        responses={201: OwnReportSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
        tags=["moderation"],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = report_create(reporter=request.user, **serializer.validated_data)
        return Response(OwnReportSerializer(report).data, status=status.HTTP_201_CREATED)


class ReportMineApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="OwnReportPage")
    class OutputSerializer(PageSerializer):
        results = OwnReportSerializer(many=True)

    @extend_schema(
        operation_id="report_list_mine",
        summary="Your reports and their outcome",
        parameters=[PageFilterSerializer],
        responses={200: OutputSerializer, **error_responses(400, 401, 403)},
        tags=["moderation"],
    )
    def get(self, request):
        params = PageFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = paginate(reports_mine(reporter=request.user), **params.validated_data)
        return Response(page.as_dict(OwnReportSerializer(page.results, many=True).data))


@extend_schema_serializer(component_name="ReportHistory")
class HistorySerializer(serializers.Serializer):
    reports = serializers.IntegerField(help_text="Reports against this user, this one included.")
    resolved = serializers.IntegerField()
    dismissed = serializers.IntegerField()
    warnings = serializers.IntegerField()
    suspensions = serializers.IntegerField()
    is_suspended = serializers.BooleanField()


@extend_schema_serializer(component_name="QueuedReport")
class QueuedReportSerializer(_ReportSerializer):
    reporter = PersonSerializer(allow_null=True)
    reported_user = PersonSerializer(allow_null=True)
    reviewed_by = PersonSerializer(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    resolution = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    preview = serializers.JSONField(
        allow_null=True,
        help_text="The content: `kind` message (content), review (content, rating, studio), "
        "studio (the card) or user; null when it is gone.",
    )
    history = HistorySerializer(allow_null=True, help_text="The reported user's record.")


@extend_schema_serializer(component_name="PendingReviews")
class PendingReviewsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = ModeratedReviewSerializer(many=True)


class AdminReportListApi(APIView):
    permission_classes = [IsAdmin]

    class FilterSerializer(PageFilterSerializer):
        status = serializers.ChoiceField(ReportStatus.choices, required=False)
        content_type = serializers.ChoiceField(ReportedContentType.choices, required=False)
        reason = serializers.ChoiceField(ReportReason.choices, required=False)

    @extend_schema_serializer(component_name="ReportQueuePage")
    class OutputSerializer(PageSerializer):
        results = QueuedReportSerializer(many=True)
        pending_reviews = PendingReviewsSerializer(
            allow_null=True,
            help_text="Reviews awaiting approval (oldest first, one page), when the filters "
            "allow reviews: no status or PENDING, no content_type or REVIEW, no reason.",
        )

    @extend_schema(
        operation_id="admin_report_list",
        summary="The moderation queue",
        description="Open reports oldest first; other statuses newest first.",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **error_responses(400, 401, 403)},
        tags=["admin"],
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        page = paginate(
            report_queue(
                status=data.get("status"),
                content_type=data.get("content_type"),
                reason=data.get("reason"),
            ),
            page=data["page"],
            page_size=data["page_size"],
        )
        previews = content_previews(page.results)
        histories = user_histories({r.reported_user_id for r in page.results if r.reported_user_id})
        results = []
        for report in page.results:
            history = histories.get(report.reported_user_id)
            results.append(
                {
                    "id": report.pk,
                    "content_type": report.content_type,
                    "content_id": report.content_id,
                    "reason": report.reason,
                    "custom_reason": report.custom_reason,
                    "status": report.status,
                    "reporter": _person(report.reporter),
                    "reported_user": _person(report.reported_user),
                    "reviewed_by": _person(report.reviewed_by),
                    "reviewed_at": report.reviewed_at,
                    "resolution": report.resolution,
                    "created_at": report.created_at,
                    "preview": previews.get((report.content_type, str(report.content_id))),
                    "history": {**history, "is_suspended": report.reported_user.is_suspended}
                    if history is not None
                    else None,
                }
            )
        reviews = None
        if (
            data.get("status") in (None, ReportStatus.PENDING)
            and data.get("content_type") in (None, ReportedContentType.REVIEW)
            and not data.get("reason")
        ):
            count, rows = pending_reviews(limit=data["page_size"])
            reviews = {"count": count, "results": rows}
        body = page.as_dict(results)
        body["pending_reviews"] = reviews
        return Response(self.OutputSerializer(body).data)


class AdminReportActionApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema_serializer(component_name="ReportAction")
    class InputSerializer(serializers.Serializer):
        action = serializers.ChoiceField(ACTIONS)
        resolution = serializers.CharField(
            max_length=RESOLUTION_MAX, required=False, allow_blank=True, allow_null=True
        )
        days = serializers.IntegerField(
            min_value=1,
            max_value=SUSPEND_DAYS_MAX,
            required=False,
            allow_null=True,
            help_text="With suspend: how long; without it the suspension is indefinite.",
        )

    @extend_schema(
        operation_id="admin_report_action",
        summary="Act on a report",
        description=(
            "`dismiss` → DISMISSED; `mark_reviewed` → REVIEWED; `remove_content` (a review "
            "rejected, a studio made INACTIVE, a message removed for both people) → "
            "RESOLVED; `warn` (a notification to the reported user) → RESOLVED; `suspend` "
            "(`days`, or indefinitely) → RESOLVED; `reinstate` lifts the reported user's "
            "suspension. An action on a closed report is 409 `report_closed` (reinstate "
            "excepted); the reporter is told the outcome."
        ),
        request=InputSerializer,
        responses={200: ReportDecisionSerializer, **error_responses(400, 401, 403, 404, 409)},
        tags=["admin"],
    )
    def post(self, request, report_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = report_action(report_id=report_id, actor=request.user, **serializer.validated_data)
        return Response(ReportDecisionSerializer(report).data)
