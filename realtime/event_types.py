"""The schema of every stored event: one TypedDict per type, checked where events are made.

Every event a user may need after a reconnect has a type registered here. `validate_event`
checks a payload against its TypedDict (keys, no extras, value types, nested objects) and
runs when an event joins a batch (`EventBatch.add`) and when `message_send` builds the
events its SQL write stores, so a bad payload fails where it is made, not in a browser.

docs/realtime-protocol.md lists these types with their fields between the
`<!-- event-types -->` markers; the section is generated from this module
(`python -m realtime.event_types --write docs/realtime-protocol.md`) and a test checks it
is current. This module imports nothing from Django.
"""

# No `from __future__ import annotations`: NotRequired must be seen when the classes are
# made (Python 3.11 computes __required_keys__ then).
import sys
import types
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, Literal, NotRequired, TypedDict, Union, get_args, get_origin, get_type_hints

# --- The objects events carry (realtime/serialization.py builds them) ---------------------


class UserJSON(TypedDict):
    id: int
    username: str
    display_name: str
    avatar_url: str | None


MessageJSON = TypedDict(
    "MessageJSON",
    {
        "id": int,
        "from": str | None,
        "to": str | None,
        "sender": UserJSON | None,
        "subject": str | None,
        "content": str,
        "created_at": str,
        "is_read": bool,
        "client_id": str | None,
        "context": dict[str, Any] | None,
    },
)


class NotificationJSON(TypedDict):
    id: int
    type: str
    title: str
    message: str
    data: dict[str, Any] | None
    action_url: str | None
    read: bool
    created_at: str


class ConnectionJSON(TypedDict):
    id: int
    accepted: bool
    created_at: str
    accepted_at: str | None


# --- The events -----------------------------------------------------------------------------


class MessageNew(TypedDict):
    """A message to or from this user (the sender's other tabs get it too)."""

    type: Literal["message.new"]
    message: MessageJSON


MessageRead = TypedDict(
    "MessageRead",
    {
        "type": Literal["message.read"],
        "by": str,
        "with": str,
        "up_to_id": int,
        "ids": list[int],
    },
)
MessageRead.__doc__ = "`by` read messages from `with` (the read receipt, to both sides)."


class NotificationNew(TypedDict):
    """A new in-app notification."""

    type: Literal["notification.new"]
    notification: NotificationJSON


class NotificationCount(TypedDict):
    """The unread notification count changed; `marked_read` lists what was just read."""

    type: Literal["notification.count"]
    unread: int
    marked_read: NotRequired[list[int]]


ConnectionRequest = TypedDict(
    "ConnectionRequest",
    {
        "type": Literal["connection.request"],
        "from": UserJSON,
        "to": UserJSON,
        "connection": ConnectionJSON,
    },
)
ConnectionRequest.__doc__ = "`from` asked `to` to connect (both sides get it)."


class ConnectionAccepted(TypedDict):
    """`by` accepted `requester`'s request (both sides get it)."""

    type: Literal["connection.accepted"]
    by: UserJSON
    requester: UserJSON
    connection: ConnectionJSON


class ConnectionRemoved(TypedDict):
    """A request was rejected or cancelled, or a connection removed, by `username`."""

    type: Literal["connection.removed"]
    username: str
    other: str
    reason: Literal["rejected", "cancelled", "removed"]


class MessageRemoved(TypedDict):
    """A moderator removed a message of this conversation (both participants get it)."""

    type: Literal["message.removed"]
    message_id: int
    sender_id: int | None
    receiver_id: int | None
    was_unread: bool


class ModerationQueue(TypedDict):
    """The number of open reports changed (every admin gets it: the header badge)."""

    type: Literal["moderation.queue"]
    open_reports: int


EVENT_SCHEMAS: dict[str, type] = {
    "message.new": MessageNew,
    "message.read": MessageRead,
    "notification.new": NotificationNew,
    "notification.count": NotificationCount,
    "connection.request": ConnectionRequest,
    "connection.accepted": ConnectionAccepted,
    "connection.removed": ConnectionRemoved,
    "message.removed": MessageRemoved,
    "moderation.queue": ModerationQueue,
}
EVENT_TYPES = frozenset(EVENT_SCHEMAS)


# --- Constructors (typed, and checked) ------------------------------------------------------


def message_new(message: MessageJSON) -> MessageNew:
    return validate_event({"type": "message.new", "message": message})


def notification_new(notification: NotificationJSON) -> NotificationNew:
    return validate_event({"type": "notification.new", "notification": notification})


def notification_count(*, unread: int, marked_read: list[int] | None = None) -> NotificationCount:
    event: dict[str, Any] = {"type": "notification.count", "unread": unread}
    if marked_read is not None:
        event["marked_read"] = marked_read
    return validate_event(event)


# --- Validation -----------------------------------------------------------------------------


class EventSchemaError(ValueError):
    """A payload does not match its event type's schema (a bug where it was made)."""


@cache
def _hints(tp: type) -> dict[str, Any]:
    """A TypedDict's field types, resolved once (validation runs for every event)."""
    return get_type_hints(tp)


def _is_typeddict(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__required_keys__")


def _check(value: Any, tp: Any, path: str) -> None:
    _checker(tp)(value, path)


def _accept(value: Any, path: str) -> None:
    return None


@cache
def _checker(tp: Any) -> Callable[[Any, str], None]:
    """A function that checks a value against `tp`, built once per type (every send
    validates its events: walking the type hints each time cost more than the rest of
    building them)."""
    if tp is Any:
        return _accept
    origin = get_origin(tp)
    if origin is NotRequired:
        return _checker(get_args(tp)[0])
    if origin in (Union, types.UnionType):
        options = [_checker(option) for option in get_args(tp)]
        nullable = type(None) in get_args(tp)

        def check_union(value: Any, path: str) -> None:
            if value is None and nullable:
                return
            for option in options:
                try:
                    return option(value, path)
                except EventSchemaError:
                    continue
            raise EventSchemaError(f"{path}: {value!r} matches none of {tp}")

        return check_union
    if origin is Literal:
        allowed = get_args(tp)

        def check_literal(value: Any, path: str) -> None:
            if value not in allowed:
                raise EventSchemaError(f"{path}: {value!r} is not one of {allowed}")

        return check_literal
    if tp is type(None):

        def check_none(value: Any, path: str) -> None:
            if value is not None:
                raise EventSchemaError(f"{path}: expected null, got {value!r}")

        return check_none
    if origin is list:
        (item,) = get_args(tp)
        check_item = _checker(item)

        def check_list(value: Any, path: str) -> None:
            if not isinstance(value, list):
                raise EventSchemaError(f"{path}: expected a list, got {type(value).__name__}")
            for i, v in enumerate(value):
                check_item(v, f"{path}[{i}]")

        return check_list
    if origin is dict or tp is dict:

        def check_dict(value: Any, path: str) -> None:
            if not isinstance(value, dict):
                raise EventSchemaError(f"{path}: expected an object, got {type(value).__name__}")

        return check_dict
    if _is_typeddict(tp):
        hints = _hints(tp)
        required = frozenset(tp.__required_keys__)
        known = frozenset(hints)
        fields = {key: _checker(hint) for key, hint in hints.items()}

        def check_typeddict(value: Any, path: str) -> None:
            if not isinstance(value, dict):
                raise EventSchemaError(f"{path}: expected an object, got {type(value).__name__}")
            keys = value.keys()
            missing = required - keys
            extra = keys - known
            if missing or extra:
                raise EventSchemaError(
                    f"{path}: missing {sorted(missing)}, unexpected {sorted(extra)} ({tp.__name__})"
                )
            for key, v in value.items():
                fields[key](v, f"{path}.{key}")

        return check_typeddict
    if tp is int:

        def ok(value: Any) -> bool:
            return isinstance(value, int) and not isinstance(value, bool)

    elif tp is float:

        def ok(value: Any) -> bool:
            return isinstance(value, int | float) and not isinstance(value, bool)

    else:

        def ok(value: Any) -> bool:
            return isinstance(value, tp)

    def check_type(value: Any, path: str) -> None:
        if not ok(value):
            raise EventSchemaError(f"{path}: expected {tp.__name__}, got {value!r}")

    return check_type


def validate_event(payload: Any) -> Any:
    """Return `payload` if it matches the schema of its `type`, else raise EventSchemaError."""
    kind = payload.get("type") if isinstance(payload, dict) else None
    schema = EVENT_SCHEMAS.get(kind)
    if schema is None:
        raise EventSchemaError(f"unregistered event type {kind!r}")
    _checker(schema)(payload, kind)
    return payload


# --- The reference in docs/realtime-protocol.md ---------------------------------------------

BEGIN, END = "<!-- event-types:begin -->", "<!-- event-types:end -->"


def _type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is NotRequired:
        return _type_name(get_args(tp)[0]) + " (optional)"
    if origin in (Union, types.UnionType):
        return " or ".join(_type_name(a) for a in get_args(tp))
    if origin is Literal:
        return " or ".join(f'`"{a}"`' for a in get_args(tp))
    if origin is list:
        return f"list of {_type_name(get_args(tp)[0])}"
    if origin is dict or tp is dict:
        return "object"
    if tp is type(None):
        return "null"
    if _is_typeddict(tp):
        return tp.__name__
    return {int: "integer", str: "string", bool: "boolean", float: "number"}.get(tp, str(tp))


def _fields(tp: type) -> str:
    hints = get_type_hints(tp, include_extras=True)
    optional = getattr(tp, "__optional_keys__", frozenset())
    rows = []
    for key, hint in hints.items():
        name = _type_name(hint)
        if key in optional and "(optional)" not in name:
            name += " (optional)"
        rows.append(f"`{key}`: {name}")
    return "; ".join(rows)


def reference_markdown() -> str:
    """The generated list of event types and objects, markers included."""
    lines = [
        BEGIN,
        "<!-- Generated from realtime/event_types.py:"
        " python -m realtime.event_types --write docs/realtime-protocol.md -->",
        "",
        "| Event `type` | Fields (every stored event also carries `event_id`) |",
        "|---|---|",
    ]
    for kind, schema in EVENT_SCHEMAS.items():
        fields = _fields(schema).replace(f'`type`: `"{kind}"`; ', "")
        lines.append(f"| `{kind}` | {fields} |")
    lines += ["", "| Object | Fields |", "|---|---|"]
    for obj in (UserJSON, MessageJSON, NotificationJSON, ConnectionJSON):
        lines.append(f"| {obj.__name__} | {_fields(obj)} |")
    lines.append(END)
    return "\n".join(lines)


def write_reference(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    path.write_text(text[:start] + reference_markdown() + text[end:], encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--write":
        write_reference(Path(sys.argv[2]))
    else:
        sys.stdout.write(reference_markdown() + "\n")
