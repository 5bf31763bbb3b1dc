"""The stream selector's two backends answer alike (SQL on the event loop, ORM in a thread)."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async

from realtime.selectors.stream import OrmStreamReader, SqlStreamReader, stream_reader
from realtime.services import message_send
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("close_pool")]


async def test_sql_and_orm_readers_agree(users):
    a, b, _ = users

    def send_three():
        for i in range(3):
            message_send(sender=a, to=b.username, content=f"hello {i}", client_id=f"c{i}")

    await database_sync_to_async(send_three)()
    sql, orm = SqlStreamReader(), OrmStreamReader()
    for reader in (sql, orm):
        head = await reader.stream_head(b.pk)
        assert head >= 3
        assert await reader.hello_state(b.pk) == (head, 3, 1)
        page = await reader.events_page(b.pk, 0, head)
        assert [i for i, _ in page] == list(range(1, head + 1))
        assert await reader.first_after(b.pk, 1) == 2
        assert await reader.first_after(b.pk, head) is None
        assert await reader.resume_state(b.pk, 1) == (head, 2)
        assert await reader.resume_state(b.pk, head) == (head, None)
        assert await reader.resume_page(b.pk, 1) == (head, await reader.events_page(b.pk, 1, head))
        assert await reader.resume_page(b.pk, head) == (head, [])
        page = (await reader.resume_page(b.pk, 1))[1]
        assert await reader.hello_page(b.pk, 1) == (head, 3, 1, page)
        assert await reader.hello_page(b.pk, head) == (head, 3, 1, [])
        assert await reader.hello_page(b.pk, head + 5) == (head, 3, 1, [])
        assert await reader.active_user_id(b.username.upper()) == b.pk
        assert await reader.active_user_id("nobody") is None
    by_sql, by_orm = await sql.events_page(b.pk, 1, 3), await orm.events_page(b.pk, 1, 3)
    assert [(i, json.loads(t)) for i, t in by_sql] == [(i, json.loads(t)) for i, t in by_orm]
    new = await database_sync_to_async(UserFactory)()
    assert await sql.hello_state(new.pk) == (0, 0, 0)
    assert await orm.stream_head(new.pk) == 0
    stranger = await database_sync_to_async(UserFactory)()  # no stream row yet
    for reader in (sql, orm):
        assert await reader.resume_state(stranger.pk, 0) == (0, None)
        assert await reader.resume_page(stranger.pk, 0) == (0, [])
    for reader, user in ((sql, stranger), (orm, await database_sync_to_async(UserFactory)())):
        assert await reader.hello_page(user.pk, 0) == (0, 0, 0, [])  # makes the stream row


def test_the_backend_is_chosen_once():
    assert stream_reader() is stream_reader()
    assert isinstance(stream_reader(), SqlStreamReader)  # the suite runs on PostgreSQL
