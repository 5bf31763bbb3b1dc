"""The audit log: written by every moderation and admin action, and append-only in
PostgreSQL itself — raw UPDATE and DELETE are refused whoever sends them."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from moderation.models import AuditLogEntry
from moderation.services import audit_record
from tests.factories import StudioFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    admin = UserFactory(admin=True)
    return audit_record(
        actor=admin,
        action="subscription.cancel",
        target_type="SUBSCRIPTION",
        target_id=17,
        before={"status": "ACTIVE"},
        after={"status": "CANCELLED"},
        reason="requested by the owner",
    )


def test_audit_record_keeps_actor_target_before_after_reason_and_time(entry):
    row = AuditLogEntry.objects.get(pk=entry.pk)
    assert row.actor_label.startswith("user")
    assert (row.target_type, row.target_id) == ("SUBSCRIPTION", "17")
    assert row.before == {"status": "ACTIVE"}
    assert row.after == {"status": "CANCELLED"}
    assert row.reason == "requested by the owner"
    assert row.created_at is not None


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE moderation_audit_log SET reason = 'rewritten' WHERE id = %s",
        "UPDATE moderation_audit_log SET after = NULL WHERE id = %s",
        "DELETE FROM moderation_audit_log WHERE id = %s",
    ],
)
def test_the_database_refuses_update_and_delete(entry, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    assert AuditLogEntry.objects.get(pk=entry.pk).reason == "requested by the owner"


def test_the_orm_is_refused_too(entry):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLogEntry.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.delete()
    assert AuditLogEntry.objects.filter(pk=entry.pk).exists()


def test_inserts_are_allowed_and_deleting_the_actor_leaves_the_record(entry):
    actor = UserFactory(admin=True)
    kept = audit_record(actor=actor, action="user.warn", target_type="USER", target_id=1)
    actor.delete()  # no foreign key: nothing cascades into (or rewrites) the log
    assert AuditLogEntry.objects.get(pk=kept.pk).actor_label == actor.username


def test_an_unknown_target_type_is_refused():
    with pytest.raises(ValueError, match="PLANET"):
        audit_record(actor=None, action="x", target_type="PLANET", target_id=1)


def test_a_rolled_back_action_leaves_no_entry():
    studio = StudioFactory()

    def failing_action() -> None:
        with transaction.atomic():
            audit_record(
                actor=None, action="studio.approve", target_type="STUDIO", target_id=studio.pk
            )
            raise RuntimeError("the action failed")

    with pytest.raises(RuntimeError):
        failing_action()
    assert not AuditLogEntry.objects.exists()
