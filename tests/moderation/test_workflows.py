"""The admin workflows called directly (the doors are tested in test_queue.py and
test_admin.py): each one changes its target through the owning app's service and leaves
exactly one audit entry with the state it replaced and the state it left; a refused change
leaves neither."""

from __future__ import annotations

import pytest

from common.errors import ValidationFailed
from directory.models import ReviewStatus, Studio, StudioStatus, User
from moderation.models import AuditLogEntry
from moderation.services import workflows
from tests.factories import ReviewFactory, StudioFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(admin=True)


def only_entry() -> AuditLogEntry:
    (entry,) = AuditLogEntry.objects.all()
    return entry


def test_studio_approve_records_pending_to_active_with_published_at(admin):
    studio = StudioFactory(status=StudioStatus.PENDING, published_at=None, name="Booth A")
    studio = workflows.studio_approve(actor=admin, studio=studio, reason="looks fine")
    entry = only_entry()
    assert (entry.action, entry.target_type, entry.target_id, entry.target_label) == (
        "studio.approve",
        "STUDIO",
        str(studio.pk),
        "Booth A",
    )
    assert entry.before == {"status": "PENDING", "is_verified": False, "published_at": None}
    assert entry.after["status"] == "ACTIVE"
    assert entry.after["published_at"] is not None
    assert (entry.actor_id, entry.reason) == (admin.pk, "looks fine")


@pytest.mark.parametrize("verified", [True, False], ids=["verify", "unverify"])
def test_studio_verify_records_the_badge(admin, verified):
    studio = StudioFactory(status=StudioStatus.ACTIVE, is_verified=not verified)
    workflows.studio_verify(actor=admin, studio=studio, verified=verified)
    entry = only_entry()
    assert entry.action == ("studio.verify" if verified else "studio.unverify")
    assert (entry.before["is_verified"], entry.after["is_verified"]) == (not verified, verified)


def test_suspend_then_reinstate_records_each_state(admin):
    user = UserFactory(username="spammer")
    workflows.account_suspend(actor=admin, user=user, reason="spam")
    entry = only_entry()
    assert (entry.action, entry.target_type, entry.target_label) == (
        "user.suspend",
        "USER",
        "spammer",
    )
    assert entry.before == {
        "suspended_until": None,
        "is_suspended_indefinitely": False,
        "suspension_reason": "",
    }
    assert entry.after == {
        "suspended_until": None,
        "is_suspended_indefinitely": True,
        "suspension_reason": "spam",
    }
    workflows.account_reinstate(actor=admin, user=user, reason="appealed")
    entry = AuditLogEntry.objects.get(action="user.reinstate")
    assert (entry.before["is_suspended_indefinitely"], entry.after) == (
        True,
        {"suspended_until": None, "is_suspended_indefinitely": False, "suspension_reason": ""},
    )
    assert not User.objects.get(pk=user.pk).is_suspended_indefinitely


@pytest.mark.parametrize("status", [ReviewStatus.APPROVED, ReviewStatus.REJECTED])
def test_review_decide_records_the_status_it_replaced(admin, status):
    review = ReviewFactory(status=ReviewStatus.PENDING, studio__name="Booth R")
    workflows.review_decide(actor=admin, review=review, status=status)
    entry = only_entry()
    assert entry.action == (
        "review.approve" if status == ReviewStatus.APPROVED else "review.reject"
    )
    assert (entry.target_type, entry.target_label) == ("REVIEW", "Review of Booth R")
    assert (entry.before, entry.after) == ({"status": "PENDING"}, {"status": status})


def test_before_is_the_stored_state_not_the_callers_stale_copy(admin):
    studio = StudioFactory(status=StudioStatus.PENDING)
    stale = Studio.objects.get(pk=studio.pk)
    Studio.objects.filter(pk=studio.pk).update(status=StudioStatus.INACTIVE)
    workflows.studio_approve(actor=admin, studio=stale)
    assert only_entry().before["status"] == "INACTIVE"


def test_a_refused_change_leaves_no_entry_and_no_change(admin):
    user = UserFactory()
    with pytest.raises(ValidationFailed):
        workflows.account_suspend(actor=admin, user=user, reason="  ")
    assert not AuditLogEntry.objects.exists()
    assert not User.objects.get(pk=user.pk).is_suspended_indefinitely
