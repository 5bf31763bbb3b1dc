"""Every stored event has a schema, checked where the event is made, and documented."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction

from realtime.event_types import (
    BEGIN,
    END,
    EVENT_SCHEMAS,
    EventSchemaError,
    reference_markdown,
    validate_event,
)
from realtime.events import send_event_on_commit
from realtime.models import Event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "realtime-protocol.md"


def test_the_protocol_doc_lists_every_event_type_with_its_fields():
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert section == reference_markdown(), (
        "docs/realtime-protocol.md is stale: "
        "python -m realtime.event_types --write docs/realtime-protocol.md"
    )
    for kind in EVENT_SCHEMAS:
        assert f"| `{kind}` |" in section


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "message.exploded"},
        {"type": "notification.count"},  # unread missing
        {"type": "notification.count", "unread": "3"},  # wrong type
        {"type": "notification.count", "unread": True},  # a bool is not a count
        {"type": "notification.count", "unread": 1, "admin": True},  # an extra key
        {"type": "connection.removed", "username": "a", "other": "b", "reason": "bored"},
        {"type": "message.read", "by": "a", "with": "b", "up_to_id": 1, "ids": ["1"]},
        {"type": "message.new", "message": {"id": 1}},  # the nested object is checked too
    ],
)
def test_a_bad_payload_fails_where_it_is_made(payload):
    user = UserFactory()
    with pytest.raises(EventSchemaError):
        validate_event(payload)
    with pytest.raises(EventSchemaError), transaction.atomic():
        send_event_on_commit(event=payload, user_ids=[user.pk])
    assert not Event.objects.exists()


def test_a_good_payload_is_stored_for_each_user():
    a, b = UserFactory(), UserFactory()
    event = {"type": "notification.count", "unread": 2, "marked_read": [5]}
    send_event_on_commit(event=event, user_ids=[b.pk, a.pk])
    assert sorted(Event.objects.values_list("user_id", "event_id", "payload")) == sorted(
        [(a.pk, 1, event), (b.pk, 1, event)]
    )
