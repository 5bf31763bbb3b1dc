"""Hypothesis strategies for WebSocket frames, and the check every answer must pass.

Shared by test_socket_fuzz.py (WebsocketCommunicator, many examples) and
test_socket_live.py (a real Daphne, where 1011 and transport closes show).
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

from realtime import close_codes

NASTY = ["\x00", "a\x00b", "\ud800", "x\udfffy", "\ud83d", "\u2028", "\ufeff", "'; --", "%00"]
FRAME_TYPES = ["ping", "auth", "message.send", "typing", "message.read", "resume"]
ERROR_CODES = {
    "invalid_json",
    "invalid_frame",
    "unknown_type",
    "not_authenticated",
    "already_authenticated",
    "invalid",
    "not_found",
    "forbidden",
    "email_unverified",
    "suspended",
    "conflict",
    "rate_limited",
}
ANSWER_TYPES = {
    "error",
    "pong",
    "message.ack",
    "message.new",
    "message.read",
    "notification.new",
    "notification.count",
    "resumed",
    "resync_required",
    "typing",
}

texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(NASTY),
    st.builds(
        lambda a, n, b: a + n + b, st.text(max_size=8), st.sampled_from(NASTY), st.text(max_size=8)
    ),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)),
    max_leaves=12,
)


def deep(depth: int) -> str:
    return '{"type": "message.send", "context": ' + '{"a": ' * depth + "1" + "}" * depth + "}"


def frame_objects(usernames: list[str]) -> st.SearchStrategy[dict]:
    """Frames shaped like the protocol's, with any field possibly wrong or nasty."""
    names = st.one_of(st.sampled_from(usernames), texts)
    fields = st.fixed_dictionaries(
        {"type": st.one_of(st.sampled_from(FRAME_TYPES), texts)},
        optional={
            "to": st.one_of(names, json_values),
            "with": st.one_of(names, json_values),
            "content": st.one_of(texts, st.text(min_size=1, max_size=300), json_values),
            "subject": st.one_of(st.none(), texts, json_values),
            "client_id": st.one_of(texts, json_values),
            "context": st.one_of(
                st.none(), st.dictionaries(texts, json_values, max_size=5), json_values
            ),
            "state": st.one_of(st.sampled_from(["start", "stop"]), json_values),
            "up_to_id": st.one_of(st.integers(min_value=-5, max_value=2**66), json_values),
            "last_event_id": st.one_of(st.integers(min_value=-5, max_value=2**66), json_values),
            "token": st.one_of(texts, json_values),
        },
    )
    extra = st.dictionaries(texts, json_values, max_size=3)
    return st.builds(lambda base, more: {**more, **base}, fields, extra)


def frame_texts(usernames: list[str], limit: int) -> st.SearchStrategy[str]:
    """Raw frame text: protocol-shaped JSON, arbitrary JSON, broken JSON, deep, huge."""
    return st.one_of(
        frame_objects(usernames).map(json.dumps),
        frame_objects(usernames).map(lambda f: json.dumps(f, ensure_ascii=False)),
        json_values.map(json.dumps),
        st.text(min_size=1, max_size=200),  # an empty text frame cannot be sent
        st.integers(min_value=1, max_value=70000).map(lambda n: "[" * n),
        st.integers(min_value=17, max_value=3000).map(deep),
        st.sampled_from(
            [
                '{"type": "ping", "n": NaN}',
                '{"type": "ping", "n": ' + "9" * 5000 + "}",
                '{"type": "ping"',
                "\x00",
                "null",
                '"\\ud800"',
            ]
        ),
        st.integers(min_value=limit - 64, max_value=limit + 64).map(
            lambda n: '{"type": "ping", "pad": "' + "x" * max(0, n - 28) + '"}'
        ),
    )


def check_answer(frame: dict) -> None:
    """An answer the protocol allows; never a server error."""
    assert isinstance(frame, dict), frame
    assert frame.get("type") in ANSWER_TYPES, frame
    if frame["type"] == "error":
        assert frame["code"] in ERROR_CODES, frame
        assert isinstance(frame["message"], str), frame


def check_close(code: int | None, *, frame_text: str, limit: int) -> None:
    """A server close is documented; only an oversized frame may cause one here."""
    assert code in close_codes.MEANINGS, code
    assert code == close_codes.TOO_BIG, (code, frame_text[:200])
    assert len(frame_text.encode("utf-8", "surrogatepass")) > limit
