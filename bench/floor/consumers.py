"""The floor with Channels: the same frames as bench/floor/asgi.py through a Channels
`AsyncWebsocketConsumer`, with no channel layer (the partner's consumer is called in this
process). What Channels' consumer adds to Daphne's own cost, before any layer or database."""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer

from bench.floor.asgi import chat_frames, hello_frame

_consumers: dict[str, FloorConsumer] = {}


class FloorConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.me = parse_qs(self.scope["query_string"].decode()).get("as", [""])[0]
        await self.accept()
        _consumers[self.me] = self
        await self.send(text_data=hello_frame(self.me))

    async def disconnect(self, code):
        if _consumers.get(self.me) is self:
            del _consumers[self.me]

    async def receive(self, text_data=None, bytes_data=None):
        frames = chat_frames(self.me, text_data)
        if frames is None:
            return
        to, ack, new = frames
        await self.send(text_data=ack)
        partner = _consumers.get(to)
        if partner is not None:
            await partner.send(text_data=new)
