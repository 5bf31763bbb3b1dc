"""The CPU of one doorbell's Redis traffic in one process: a pipelined PUBLISH and its
pub/sub receive, with whichever reply parser redis-py picked (hiredis when installed, its
Python RESP3 parser otherwise).

    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/pubsub_parse.py

Compare with and without hiredis in one venv each (pip uninstall hiredis in a copy).
Prints the parser and the process's CPU per message, best of --rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid

import redis.asyncio as aioredis
from redis.utils import HIREDIS_AVAILABLE

BATCH = 100  # publishes per pipeline, as a notification to many people sends them


async def one_round(url: str, messages: int, payload: bytes) -> float:
    channel = f"bench-pubsub-{uuid.uuid4().hex[:8]}"
    subscriber, publisher = aioredis.Redis.from_url(url), aioredis.Redis.from_url(url)
    pubsub = subscriber.pubsub()
    await pubsub.subscribe(channel)
    await pubsub.get_message(timeout=1)  # the subscribe confirmation

    async def publish() -> None:
        for _ in range(0, messages, BATCH):
            async with publisher.pipeline(transaction=False) as pipe:
                for _ in range(BATCH):
                    pipe.publish(channel, payload)
                await pipe.execute()

    started = time.process_time()
    producer = asyncio.create_task(publish())
    received = 0
    while received < messages:
        if await pubsub.get_message(ignore_subscribe_messages=True, timeout=5):
            received += 1
    await producer
    cpu = time.process_time() - started
    await pubsub.aclose()
    await subscriber.aclose()
    await publisher.aclose()
    return cpu / messages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--payload-bytes", type=int, default=300)  # about one doorbell
    args = parser.parse_args()
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5")
    payload = b"x" * args.payload_bytes
    per_message = [asyncio.run(one_round(url, args.messages, payload)) for _ in range(args.rounds)]
    name = "hiredis" if HIREDIS_AVAILABLE else "redis-py's Python parser"
    rounds = ", ".join(f"{s * 1e6:.1f}" for s in per_message)
    print(f"{name}: {min(per_message) * 1e6:.1f} µs of CPU a message (rounds: {rounds})")


if __name__ == "__main__":
    main()
