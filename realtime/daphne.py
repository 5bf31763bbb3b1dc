"""One setting Daphne has no option for: end an over-cap frame with a close frame.

Daphne caps a WebSocket message at `--websocket_max_message_size` (1 MiB by default);
autobahn enforces the cap before the application sees the frame. With autobahn's default
`failByDrop=True` it then drops the TCP connection without a close frame, so a client
sending a huge frame saw an abnormal 1006 with no reason. `failByDrop=False` makes it
send a proper close (1009, "message exceeds payload limit") first. Frames between
REALTIME_MAX_FRAME_BYTES (64 KiB) and the cap reach the consumer, which closes with 4413
(docs/realtime-protocol.md, "Frame limits").

Daphne builds its factory after importing the ASGI application, so project/asgi.py calls
`configure()` once at import; Daphne's CLI has imported its server (and this module)
by then. Elsewhere it does nothing and imports nothing (Twisted is slow to import).
"""

from __future__ import annotations

import sys


def configure() -> None:
    ws_protocol = sys.modules.get("daphne.ws_protocol")
    if ws_protocol is None:  # not served by Daphne (tests, manage.py): import nothing
        return
    factory = ws_protocol.WebSocketFactory
    if getattr(factory, "_sf_configured", False):
        return
    original = factory.__init__

    def __init__(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        self.setProtocolOptions(failByDrop=False)

    factory.__init__ = __init__
    factory._sf_configured = True
