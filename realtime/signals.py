"""Signal receivers of the realtime app that are not about closing sockets (sockets.py)."""

from __future__ import annotations

from .events import event_streams_create


def on_user_created(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A new account gets its event stream row at once, so its first event (a message
    sent to it by someone else, at any rate) never has to create it mid-send."""
    if created and not raw:
        event_streams_create(user_ids=[instance.pk])
