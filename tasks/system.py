"""Housekeeping tasks; `ping` proves a worker is alive and connected to the broker."""

from celery import shared_task


@shared_task(name="tasks.system.ping")
def ping(value: str = "pong") -> str:
    return value
