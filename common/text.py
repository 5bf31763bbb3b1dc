"""Text a request may not carry: NUL characters and lone surrogates.

PostgreSQL stores neither in `text`, `varchar` or `jsonb`, and a lone surrogate (an
unpaired `\\ud800`–`\\udfff`, which JSON can spell as an escape) is not text at all: it
cannot be encoded as UTF-8, so the response that echoes it in an error message, the
password hasher and the database driver each raise on it. One function finds them, for
the HTTP middleware (common.middleware.UnstorableInputMiddleware) and anyone else who
parses outside input.
"""

from __future__ import annotations

from collections import deque
from typing import Any

NUL_MESSAGE = "Contains a NUL character, which cannot be stored."
SURROGATE_MESSAGE = "Contains a lone surrogate (an unpaired \\ud800-\\udfff), which is not text."


def unstorable_reason(text: str) -> str | None:
    """Why this string cannot be stored, or None when it can."""
    if "\x00" in text:
        return NUL_MESSAGE
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    return None


def find_unstorable(data: Any, *, root: str = "") -> tuple[str, str] | None:
    """The place (dotted path: `profile.custom_connection_methods.1`) and reason of the
    first string in parsed JSON that cannot be stored, or None.

    Keys are checked too; a bad key is reported at its parent's path (the key itself
    cannot be echoed), `non_field_errors` at the top. Iterative, so a deeply nested
    document cannot exhaust the stack here.
    """
    queue: deque[tuple[str, Any]] = deque([(root, data)])
    while queue:
        path, value = queue.popleft()
        if isinstance(value, str):
            reason = unstorable_reason(value)
            if reason:
                return path or "non_field_errors", reason
        elif isinstance(value, dict):
            for key, item in value.items():
                key = str(key)
                reason = unstorable_reason(key)
                if reason:
                    return path or "non_field_errors", reason
                queue.append((f"{path}.{key}" if path else key, item))
        elif isinstance(value, list):
            queue.extend(
                (f"{path}.{index}" if path else str(index), item)
                for index, item in enumerate(value)
            )
    return None
