"""The benchmark's floor servers (bench/floor/) speak the frames bench/ws_load.py reads:
`hello` on connect, then per `message.send` a `message.ack` to the sender and a
`message.new` from the sender to the partner. A floor that sent less would measure less."""

from __future__ import annotations

import json

import pytest
from channels.testing import WebsocketCommunicator

from bench.floor.asgi import application as bare_application
from bench.floor.consumers import FloorConsumer


@pytest.mark.parametrize(
    "application", [bare_application, FloorConsumer.as_asgi()], ids=["bare", "channels"]
)
async def test_a_floor_sends_the_frames_of_a_chat_message(application):
    alice = WebsocketCommunicator(application, "/ws/?as=floor-alice")
    bob = WebsocketCommunicator(application, "/ws/?as=floor-bob")
    for socket, name in ((alice, "floor-alice"), (bob, "floor-bob")):
        connected, _ = await socket.connect()
        assert connected
        hello = json.loads(await socket.receive_from())
        assert hello["type"] == "hello"
        assert hello["user"]["username"] == name

    await alice.send_to(
        text_data=json.dumps(
            {"type": "message.send", "to": "floor-bob", "content": "7|1.5", "client_id": "c-7"}
        )
    )

    ack = json.loads(await alice.receive_from())
    assert ack["type"] == "message.ack"
    assert ack["client_id"] == "c-7"
    new = json.loads(await bob.receive_from())
    assert new["type"] == "message.new"
    assert new["message"]["from"] == "floor-alice"
    assert new["message"]["content"] == "7|1.5"
    assert new["message"]["id"] == ack["message"]["id"]
    assert await alice.receive_nothing()
    await alice.disconnect()
    await bob.disconnect()
