"""The moderation table on PostgreSQL: content reports."""

from __future__ import annotations

import pytest

from moderation.models import ContentReport, ReportReason
from tests.dbrules import (
    CHECK_VIOLATION,
    NOT_NULL_VIOLATION,
    db_clock,
    explain,
    raw_insert,
    refused,
)
from tests.factories import ContentReportFactory, UserFactory

pytestmark = pytest.mark.django_db

# reporter is nullable here: the report outlives a deleted reporter (SET NULL).
REQUIRED_COLUMNS = ("content_type", "content_id", "reason")


def required():
    return {"content_type": "REVIEW", "content_id": "k7Qx2mLp9Rt4Vw8Z", "reason": "SPAM"}


def test_a_row_of_only_the_required_columns_inserts_with_its_defaults():
    assert tuple(required()) == REQUIRED_COLUMNS
    row = raw_insert("content_reports", **required())
    began, now = db_clock()
    assert row["status"] == "PENDING"
    assert began <= row["created_at"] == row["updated_at"] <= now
    assert row["reporter_id"] is None


@pytest.mark.parametrize("column", REQUIRED_COLUMNS)
def test_required_column_is_not_null(column):
    values = required()
    del values[column]
    with refused(NOT_NULL_VIOLATION, column=column):
        raw_insert("content_reports", **values)


@pytest.mark.parametrize("custom_reason", [None, ""])
def test_reason_other_needs_a_custom_reason(custom_reason):
    report = ContentReportFactory()
    with refused(CHECK_VIOLATION, constraint="content_reports_other_needs_reason"):
        ContentReport.objects.filter(pk=report.pk).update(
            reason=ReportReason.OTHER, custom_reason=custom_reason
        )


def test_reason_other_with_details_is_accepted():
    report = ContentReportFactory(reason=ReportReason.OTHER, custom_reason="Impersonation")
    assert report.pk


@pytest.mark.parametrize("reason", [r for r in ReportReason.values if r != "OTHER"])
def test_other_reasons_need_no_details(reason):
    assert ContentReportFactory(reason=reason, custom_reason=None).pk


@pytest.mark.parametrize("role", ["reporter", "reported_user", "reviewed_by"])
def test_deleting_a_person_keeps_the_report_with_them_emptied(role):
    report = ContentReportFactory(reported_user=UserFactory(), reviewed_by=UserFactory(admin=True))
    getattr(report, role).delete()
    report.refresh_from_db()
    assert getattr(report, f"{role}_id") is None
    others = {"reporter", "reported_user", "reviewed_by"} - {role}
    assert all(getattr(report, f"{other}_id") for other in others)


INDEX_QUERIES = {
    # The moderation queue: a status tab, newest first.
    "reports_queue_idx": lambda: ContentReport.objects.filter(status="PENDING").order_by(
        "-created_at"
    )[:50],
    # "Every report about this review/message/studio/user", when acting on it.
    "reports_content_idx": lambda: ContentReport.objects.filter(
        content_type="REVIEW", content_id="k7Qx2mLp9Rt4Vw8Z"
    ),
}


@pytest.mark.parametrize("index", INDEX_QUERIES)
def test_index_serves_its_query(index):
    assert index in explain(INDEX_QUERIES[index]())
