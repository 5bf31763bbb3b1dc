"""The sockets' Redis traffic (doorbells, presence, budgets) is parsed by hiredis, in C:
redis-py's pure-Python parser cost about 15 µs more CPU per published and received
doorbell (docs/benchmarks.md)."""

from __future__ import annotations

import pytest
from channels.layers import get_channel_layer
from redis._parsers import _AsyncHiredisParser

pytestmark = pytest.mark.asyncio


async def test_the_channel_layer_reads_redis_replies_with_hiredis():
    layer = get_channel_layer()._get_layer()
    shard = layer._shards[0]
    shard._ensure_redis()
    pool = shard._redis.connection_pool
    connection = await pool.get_connection()
    try:
        assert isinstance(connection._parser, _AsyncHiredisParser)
    finally:
        await pool.release(connection)
