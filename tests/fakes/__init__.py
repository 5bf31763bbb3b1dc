"""Small local servers that speak an outside service's real protocol, so the real client
library runs against them."""

from __future__ import annotations

import socketserver
import threading

# socketserver checks for shutdown() every poll interval (0.5 s by default): each fixture's
# teardown would wait a quarter of a second on average.
POLL_INTERVAL = 0.02


def serve_in_thread(server: socketserver.BaseServer) -> threading.Thread:
    """Serve `server` on a daemon thread until `server.shutdown()`."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_INTERVAL}, daemon=True
    )
    thread.start()
    return thread
