"""The append-only audit log: one function every door calls after a moderation or admin
action, inside the action's transaction (a rolled-back action leaves no entry).

Billing calls it too, for subscriptions and refunds:

    audit_record(actor=admin, action="refund.create", target_type="REFUND",
                 target_id=refund.pk, before=None, after={...}, reason="duplicate charge")
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from moderation.models import AuditLogEntry, AuditTargetType


def _jsonable(value: dict[str, Any] | None) -> dict[str, Any] | None:
    # Dates, decimals and UUIDs as the API would show them; stored as plain JSON.
    return None if value is None else json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def audit_record(
    *,
    actor: Any | None,
    action: str,
    target_type: AuditTargetType | str,
    target_id: int | str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    target_label: str = "",
) -> AuditLogEntry:
    """Append one entry. `actor` is the admin (None for the system, e.g. an expiry task)."""
    with transaction.atomic():
        return AuditLogEntry.objects.create(
            actor_id=getattr(actor, "pk", None),
            actor_label=getattr(actor, "username", "") or "system",
            action=action,
            target_type=AuditTargetType(target_type),
            target_id=str(target_id),
            target_label=(target_label or "")[:200],
            before=_jsonable(before),
            after=_jsonable(after),
            reason=reason or "",
        )
