"""Writes on the per-user key-value store (the legacy `user_metadata` table)."""

from __future__ import annotations

import json
import re
from typing import Any

from django.db import transaction

from common.errors import NotFound, ValidationFailed
from common.text import find_unstorable

from ..models import User, UserMetadata

METADATA_KEY_RE = re.compile(r"^[a-z0-9_.-]{1,64}\Z")
METADATA_VALUE_MAX_BYTES = 16 * 1024


def metadata_key_validate(key: str) -> str:
    if not isinstance(key, str) or not METADATA_KEY_RE.match(key):
        raise ValidationFailed(
            "Keys are 1 to 64 characters of a-z, 0-9, '_', '.' and '-'.",
            fields={"key": ["Use 1 to 64 characters of a-z, 0-9, '_', '.' and '-'."]},
        )
    return key


def metadata_value_validate(value: Any) -> Any:
    # jsonb stores neither U+0000 nor a lone surrogate (which cannot even be encoded to
    # measure it): the one rule for such text is common.text's, checked first.
    problem = find_unstorable(value)
    if problem:
        raise ValidationFailed(fields={"value": [problem[1]]})
    encoded = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    if len(encoded) > METADATA_VALUE_MAX_BYTES:
        raise ValidationFailed(
            fields={"value": ["The value is larger than 16 KiB once encoded as JSON."]}
        )
    return value


def user_metadata_set(*, user: User, key: str, value: Any) -> UserMetadata:
    """Create or replace the value under `key` (one value per user and key)."""
    metadata_key_validate(key)
    metadata_value_validate(value)
    with transaction.atomic():
        entry, _ = UserMetadata.objects.update_or_create(
            user=user, key=key, defaults={"value": value}
        )
    return entry


def user_metadata_delete(*, user: User, key: str) -> None:
    metadata_key_validate(key)
    deleted, _ = UserMetadata.objects.filter(user=user, key=key).delete()
    if not deleted:
        raise NotFound(f"No metadata under {key!r}.")
