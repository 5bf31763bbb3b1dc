"""What sits in the Celery broker (Redis): tasks enqueued and not yet taken by a worker."""

from __future__ import annotations

import base64
import json

import redis
from django.conf import settings


def queued_tasks(queue: str | None = None) -> list[tuple[str, list]]:
    """(task name, args) of each message waiting in the queue, oldest first."""
    queue = queue or settings.CELERY_TASK_DEFAULT_QUEUE
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        messages = client.lrange(queue, 0, -1)
    finally:
        client.close()
    found = []
    for raw in reversed(messages):  # kombu LPUSHes: the oldest is last
        message = json.loads(raw)
        body = message["body"]
        if message["properties"].get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args, _kwargs, _embed = json.loads(body)
        found.append((message["headers"]["task"], args))
    return found
