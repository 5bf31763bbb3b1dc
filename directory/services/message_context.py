"""What a message may carry about the directory: the studio it is about.

Registered as realtime's message-context validator in DirectoryConfig.ready, so REST's
contact form (`studio_id`) and the socket's `message.send` (`context`) obey one rule:
a context is exactly `{"studio_id": <id>}`, and the studio is one the receiver owns.
"""

from __future__ import annotations

from typing import Any

from common.errors import ValidationFailed

from ..models import Studio

MAX_ID = 2**63 - 1


def message_context_validate(*, receiver_id: int, context: dict[str, Any]) -> dict[str, Any]:
    """Return the context to store, or raise ValidationFailed (400)."""
    if set(context) != {"studio_id"}:
        raise ValidationFailed(fields={"context": ['Only {"studio_id": <id>} is accepted.']})
    studio_id = context["studio_id"]
    if (
        not isinstance(studio_id, int)
        or isinstance(studio_id, bool)
        or not 1 <= studio_id <= MAX_ID
    ):
        raise ValidationFailed(fields={"studio_id": ["Must be a studio id."]})
    if not Studio.objects.filter(pk=studio_id, owner_id=receiver_id).exists():
        raise ValidationFailed(fields={"studio_id": ["Not a studio of this receiver."]})
    return {"studio_id": studio_id}
