"""What another app may attach to a message (`context`), checked by that app.

`realtime` knows no studio, so it cannot say which contexts are true; the app that owns
the concept registers one validator at startup (directory does, in its AppConfig.ready:
`{"studio_id": <a studio the receiver owns>}`). `message_send` calls it on every path
(REST, WebSocket), so a forged context is refused whatever the door. With no validator
registered, no context is accepted.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from common.errors import ValidationFailed

# A context is small: a reference to something, never content.
MAX_CONTEXT_BYTES = 512


class ContextValidator(Protocol):
    def __call__(self, *, receiver_id: int, context: dict[str, Any]) -> dict[str, Any]:
        """Return the context to store, or raise ValidationFailed."""


_validator: ContextValidator | None = None


def message_context_validator_register(validator: ContextValidator | None) -> None:
    """Set the one context validator (an app's ready(); tests may swap it)."""
    global _validator
    _validator = validator


def message_context_clean(*, receiver_id: int, context: Any) -> dict[str, Any] | None:
    """None stays None; anything else must be a small object the registered validator
    accepts for this receiver."""
    if context is None:
        return None
    if not isinstance(context, dict):
        raise ValidationFailed(fields={"context": ["Must be an object."]})
    try:
        size = len(json.dumps(context))
    except (RecursionError, ValueError, TypeError):
        size = MAX_CONTEXT_BYTES + 1
    if size > MAX_CONTEXT_BYTES:
        raise ValidationFailed(fields={"context": [f"At most {MAX_CONTEXT_BYTES} bytes."]})
    if _validator is None:
        raise ValidationFailed(fields={"context": ["No context is accepted here."]})
    return _validator(receiver_id=receiver_id, context=context)
