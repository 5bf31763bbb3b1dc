"""bench/settings.py with `message_send` writing through the ORM store on PostgreSQL
(`ws_load.py --send-path orm`): the thread hop and a dozen round trips per message, to
measure what the one-call SQL store saves."""

from bench.settings import *  # noqa: F403

REALTIME_MESSAGE_STORE = "realtime.services.message_store.OrmStore"
