"""/api/ routes of this app (included by project/urls.py); docs/moderation.md."""

from django.urls import path

from .api import (
    AdminReportActionApi,
    AdminReportListApi,
    AdminReviewDetailApi,
    AdminReviewListApi,
    ReportCreateApi,
    ReportMineApi,
)

urlpatterns: list = [
    # The review queue (docs/studios.md): moderation's door, so decisions are audited.
    path("admin/reviews", AdminReviewListApi.as_view(), name="admin-reviews"),
    path(
        "admin/reviews/<int:review_id>",
        AdminReviewDetailApi.as_view(),
        name="admin-review-detail",
    ),
    path("moderation/reports", ReportCreateApi.as_view(), name="report-create"),
    path("moderation/reports/mine", ReportMineApi.as_view(), name="reports-mine"),
    path("admin/reports", AdminReportListApi.as_view(), name="admin-reports"),
    path(
        "admin/reports/<int:report_id>/action",
        AdminReportActionApi.as_view(),
        name="admin-report-action",
    ),
]
