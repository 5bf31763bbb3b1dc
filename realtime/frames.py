"""Decoding and validating one client frame, before anything else looks at it.

The consumer's first step (docs/realtime-protocol.md, "Frame limits"): a frame is a JSON
object with a string `type`, at most REALTIME_MAX_FRAME_BYTES of UTF-8, nested at most
MAX_DEPTH deep, with no NUL character and no lone surrogate in any string (key or value;
common.text.unstorable_reason, the HTTP side's rule and wording), no NaN/Infinity and no
integer outside a signed 64-bit column. What passes can be handed to services and
PostgreSQL without a DataError, a RecursionError or an encoding error; what fails is
answered with an error frame, never a close (except the size limit).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from common.text import unstorable_reason

MAX_DEPTH = 16
MAX_INT = 2**63 - 1
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


@dataclass
class FrameError(Exception):
    """A frame that is not acceptable: the error frame's code, message and fields."""

    code: str
    message: str
    fields: dict[str, list[str]] = field(default_factory=dict)


class FrameTooBig(Exception):
    """Larger than the frame limit: the socket closes (close_codes.TOO_BIG)."""


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def decode(text_data: str | None, bytes_data: bytes | None, *, limit: int) -> dict[str, Any]:
    """The frame as a dict, or FrameTooBig / FrameError."""
    if text_data is None:
        if bytes_data is not None and len(bytes_data) > limit:
            raise FrameTooBig()
        raise FrameError("invalid_frame", "Frames are JSON text.")
    if len(text_data) > limit or (len(text_data) * 4 > limit and _utf8_len(text_data) > limit):
        raise FrameTooBig()
    # Fewer brackets than the limit cannot nest past it (every chat frame): counted in C.
    brackets = text_data.count("[") + text_data.count("{")
    if brackets > MAX_DEPTH and _depth(text_data) > MAX_DEPTH:
        raise FrameError("invalid_frame", f"The frame is nested more than {MAX_DEPTH} deep.")
    try:
        frame = json.loads(text_data, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise FrameError("invalid_json", "The frame is not valid JSON.") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise FrameError("invalid_frame", "A frame is a JSON object with a string type.")
    bad = _bad_fields(frame)
    if bad:
        raise FrameError("invalid", "Some fields are not valid.", bad)
    return frame


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _depth(text: str) -> int:
    """How deep arrays and objects nest, outside string literals (no parsing, no recursion)."""
    stripped = _STRING.sub("", text)
    depth = deepest = 0
    for char in stripped:
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def _bad_fields(frame: dict[str, Any]) -> dict[str, list[str]]:
    """Each top-level field holding a NUL, a lone surrogate or an out-of-range integer."""
    bad: dict[str, list[str]] = {}
    for key, value in frame.items():
        name = "frame" if unstorable_reason(key) else key  # a bad key cannot be echoed
        problem = _problem(key) or _problem(value)
        if problem:
            bad.setdefault(name, []).append(problem)
    return bad


def _problem(value: Any) -> str | None:
    """The first reason found in this value (strings by common.text, the HTTP side's rule)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            reason = unstorable_reason(item)
            if reason:
                return reason
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if not -MAX_INT - 1 <= item <= MAX_INT:
                return "Integers must fit in 64 bits."
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


_EVENT_ID = re.compile(r"[0-9]{1,19}")
MAX_QUERY_BYTES = 1024


def handshake_last_event_id(query_string: bytes) -> int | None:
    """The `last_event_id` the socket URL names (`/ws/?last_event_id=37`), or None.

    A resume named in the handshake (docs/realtime-protocol.md, "resume"). Anything but
    exactly one such parameter of plain decimal digits within a signed 64-bit id (negative,
    signed, not an integer, empty, repeated, over MAX_INT, a query string over
    MAX_QUERY_BYTES) is ignored: `hello` then carries no `resume_from`, and the client
    sends `resume` as before.
    """
    if not query_string or len(query_string) > MAX_QUERY_BYTES:
        return None
    try:
        values = parse_qs(query_string.decode("ascii"), keep_blank_values=True).get(
            "last_event_id", []
        )
    except (UnicodeDecodeError, ValueError):
        return None
    if len(values) != 1 or not _EVENT_ID.fullmatch(values[0]):
        return None
    value = int(values[0])
    return value if value <= MAX_INT else None
