"""The floor: what Daphne alone costs for our chat's frames (docs/benchmarks.md).

A bare ASGI application — no Django, no Channels, no channel layer, no database — that
speaks the frames of a chat message as our server sends them: `hello` on connect, and for
each `message.send` a `message.ack` to the sender and a `message.new` to the partner, both
sockets held in this process. Whatever a server on Daphne does per message costs at least
this much; `bench/ws_load.py --targets floor` measures it beside ours.
"""

from __future__ import annotations

import itertools
import json
import time
from urllib.parse import parse_qs

_sockets: dict[str, object] = {}
_ids = itertools.count(1)


def hello_frame(me: str) -> str:
    return json.dumps({"type": "hello", "user": {"username": me}, "last_event_id": 0})


def chat_frames(me: str, text: str) -> tuple[str, str, str] | None:
    """For a `message.send` frame: the partner's name, the sender's `message.ack` and the
    partner's `message.new`, as our server sends them; None for any other frame."""
    frame = json.loads(text)
    if frame.get("type") != "message.send":
        return None
    message = {
        "id": next(_ids),
        "from": me,
        "to": frame["to"],
        "content": frame["content"],
        "created_at": time.time(),
    }
    ack = {"type": "message.ack", "client_id": frame["client_id"], "message": message}
    new = {"type": "message.new", "event_id": message["id"], "message": message}
    return frame["to"], json.dumps(ack), json.dumps(new)


async def application(scope, receive, send):
    if scope["type"] == "http":
        await receive()
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    if scope["type"] != "websocket":
        return
    me = parse_qs(scope["query_string"].decode()).get("as", [""])[0]
    while True:
        event = await receive()
        if event["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
            _sockets[me] = send
            await send({"type": "websocket.send", "text": hello_frame(me)})
        elif event["type"] == "websocket.receive":
            frames = chat_frames(me, event["text"])
            if frames is None:
                continue
            to, ack, new = frames
            await send({"type": "websocket.send", "text": ack})
            partner = _sockets.get(to)
            if partner is not None:
                await partner({"type": "websocket.send", "text": new})
        elif event["type"] == "websocket.disconnect":
            if _sockets.get(me) is send:
                del _sockets[me]
            return
