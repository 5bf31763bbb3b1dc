"""Reading legacy values: each helper raises RowError with the column and why."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.dateparse import parse_datetime

from common.text import unstorable_reason

from .report import RowError

# --- reading legacy values ---------------------------------------------------------------


def _text(row: dict, key: str, *, required: bool = False) -> str | None:
    value = row.get(key)
    if value is None or (isinstance(value, str) and not value.strip() and not required):
        if required:
            raise RowError(f"{key} is required")
        return None
    if not isinstance(value, str):
        raise RowError(f"{key} must be text, not {type(value).__name__}")
    if required and not value.strip():
        raise RowError(f"{key} is required")
    reason = unstorable_reason(value)
    if reason:
        raise RowError(f"{key}: {reason}")
    return value


def _bool(row: dict, key: str, default: bool) -> bool:
    value = row.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "0", "1"):
        return value.lower() in ("true", "1")
    raise RowError(f"{key} must be true or false, not {value!r}")


def _int(row: dict, key: str, *, required: bool = False, default: int | None = None) -> int | None:
    value = row.get(key)
    if value is None:
        if required:
            raise RowError(f"{key} is required")
        return default
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise RowError(f"{key} must be a whole number, not {value!r}")
    try:
        return int(value)
    except ValueError:
        raise RowError(f"{key} must be a whole number, not {value!r}") from None


def _decimal(row: dict, key: str) -> Decimal | None:
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        raise RowError(f"{key} must be a number, not {value!r}")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise RowError(f"{key} must be a number, not {value!r}") from None


def _datetime(row: dict, key: str, *, required: bool = False) -> datetime | None:
    value = row.get(key)
    if value is None:
        if required:
            raise RowError(f"{key} is required")
        return None
    parsed = None
    if isinstance(value, str):
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        parsed = datetime.fromtimestamp(value / 1000, tz=UTC)  # JavaScript milliseconds
    if parsed is None:
        raise RowError(f"{key} is not a date and time: {value!r}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _choice(
    row: dict, key: str, choices: type[models.TextChoices], default: str | None = None
) -> str:
    value = row.get(key)
    if value is None and default is not None:
        return default
    if value not in choices.values:
        raise RowError(f"{key} {value!r} is not one of {', '.join(choices.values)}")
    return value


def _json_value(value: Any, key: str, *, strict: bool) -> Any:
    """Legacy JSON columns hold either JSON or JSON encoded as a string."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        if strict:
            raise RowError(f"{key} is not valid JSON") from None
        return value


def _url(row: dict, key: str) -> str | None:
    """A URL; the old forms accepted "facebook.com/me" without a scheme, so add one."""
    value = _text(row, key)
    if value is None:
        return None
    value = value.strip()
    if "://" not in value:
        value = "https://" + value.lstrip("/")
    return value


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)
