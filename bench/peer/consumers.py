"""A typical persisted Channels chat, to measure ours against: the tutorial's consumer
plus one stored row per message, written the usual way (`database_sync_to_async` around
the ORM, one transaction per message), then `group_send` on the pub/sub layer."""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from realtime.models import Message


class PersistedChatConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        if not self.scope["user"].is_authenticated:
            await self.close()
            return
        self.room_group_name = f"chat_{self.scope['url_route']['kwargs']['room_name']}"
        await self.channel_layer.group_add(self.room_group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, close_code):
        if hasattr(self, "room_group_name"):
            await self.channel_layer.group_discard(self.room_group_name, self.channel_name)

    async def receive(self, text_data):
        data = json.loads(text_data)
        await self.save(data)
        await self.channel_layer.group_send(
            self.room_group_name, {"type": "chat.message", "message": data["message"]}
        )

    @database_sync_to_async
    def save(self, data):
        Message.objects.create(
            sender_id=self.scope["user"].pk, content=data["message"], client_id=data["client_id"]
        )

    async def chat_message(self, event):
        await self.send(text_data=json.dumps({"message": event["message"]}))
