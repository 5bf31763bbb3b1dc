"""/api/ routes of this app (included by project/urls.py); docs/moderation.md."""

from django.urls import path

from .api import AdminReportActionApi, AdminReportListApi, ReportCreateApi, ReportMineApi

urlpatterns: list = [
    path("moderation/reports", ReportCreateApi.as_view(), name="report-create"),
    path("moderation/reports/mine", ReportMineApi.as_view(), name="reports-mine"),
    path("admin/reports", AdminReportListApi.as_view(), name="admin-reports"),
    path(
        "admin/reports/<int:report_id>/action",
        AdminReportActionApi.as_view(),
        name="admin-report-action",
    ),
]
