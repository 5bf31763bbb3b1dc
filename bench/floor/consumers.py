"""The floor with Channels: the same frames as bench/floor/asgi.py through a Channels
`AsyncWebsocketConsumer`, with no channel layer (the partner's consumer is called in this
process). What Channels' consumer adds to Daphne's own cost, before any layer or database."""

from __future__ import annotations

import itertools
import json
import time
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer

_consumers: dict[str, FloorConsumer] = {}
_ids = itertools.count(1)


class FloorConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.me = parse_qs(self.scope["query_string"].decode()).get("as", [""])[0]
        await self.accept()
        _consumers[self.me] = self
        hello = {"type": "hello", "user": {"username": self.me}, "last_event_id": 0}
        await self.send(text_data=json.dumps(hello))

    async def disconnect(self, code):
        if _consumers.get(self.me) is self:
            del _consumers[self.me]

    async def receive(self, text_data=None, bytes_data=None):
        frame = json.loads(text_data)
        if frame.get("type") != "message.send":
            return
        message = {
            "id": next(_ids),
            "from": self.me,
            "to": frame["to"],
            "content": frame["content"],
            "created_at": time.time(),
        }
        ack = {"type": "message.ack", "client_id": frame["client_id"], "message": message}
        await self.send(text_data=json.dumps(ack))
        partner = _consumers.get(frame["to"])
        if partner is not None:
            new = {"type": "message.new", "event_id": message["id"], "message": message}
            await partner.send(text_data=json.dumps(new))
