"""What Daphne has no option for: a close frame for an over-cap frame, a lighter
application queue per connection, a hook before it stops (stop accepting, let go of
presence), writes sent at once on an idle connection, and autobahn's per-connection debug
text made only when it is logged.

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

Each connection's application instance reads its events from an `asyncio.Queue` Daphne
makes in `Server.create_application`; an empty one costs about 3 KiB, on every idle
socket. `configure()` makes Daphne use realtime.layers.LeanQueue there instead (the same
method body, one line changed: Daphne 4.2).
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
    server = sys.modules.get("daphne.server")
    if server is not None:
        _lean_application_queue(server.Server)
        _remember_ports(server.Server)
    _on_shutdown()
    _forget_handshake(sys.modules["daphne.ws_protocol"].WebSocketProtocol)
    _write_at_once()
    _lazy_debug_formatting()


class _Deferred:
    """make(obj) — autobahn's pprint.pformat, hltype or hlval (a qualified name or a value
    coloured with click.style) — made only if a log line is ever written."""

    __slots__ = ("make", "obj")

    def __init__(self, make, obj) -> None:
        self.make = make
        self.obj = obj

    def __str__(self) -> str:
        return self.make(self.obj)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def _lazy(make):
    def lazy(obj, *args, **kwargs):
        if args or kwargs:  # not the one-argument form the debug lines use
            return make(obj, *args, **kwargs)
        return _Deferred(make, obj)

    lazy.__wrapped__ = make
    return lazy


def _lazy_debug_formatting() -> None:
    """autobahn builds the arguments of its debug lines whether or not debug logging is
    on: it pretty-prints its whole option set on every connection
    (`WebSocketProtocol._connectionMade`, about 5% of Daphne's CPU per reconnect in the
    storm profile), and colours the method's qualified name, the peer and the length
    (`hltype`, `hlval`: `inspect`, then `click.style`) for every frame it sends and every
    message it receives, about 3% of Daphne's CPU at 400 messages a second
    (docs/benchmarks.md). Each becomes lazy: the text is made only if the line is logged."""
    for name in ("autobahn.websocket.protocol", "autobahn.twisted.websocket"):
        module = sys.modules.get(name)
        if module is None:
            continue
        for helper in ("pformat", "hltype", "hlval"):
            original = getattr(module, helper, None)
            if original is not None and not hasattr(original, "__wrapped__"):
                setattr(module, helper, _lazy(original))
        timings = getattr(module, "Timings", None)
        if timings is not None:  # its __str__ returns pformat(): a str, not deferred text
            timings.__str__ = _timings_text


def _timings_text(self) -> str:
    import pprint

    return pprint.pformat(self._timings)


def _forget_handshake(protocol_class) -> None:
    """Once the socket is open, its handshake text is never read again; an idle socket
    kept it three times (autobahn's raw request and header dict, Daphne's header list,
    which is also the scope's `headers`): about 3 KiB each. The application reads the
    headers only while connecting (realtime/origin.py, realtime/auth.py)."""
    original = protocol_class.onOpen

    def onOpen(self) -> None:
        original(self)
        self.http_request_data = b""
        if isinstance(getattr(self, "http_headers", None), dict):
            self.http_headers.clear()  # also the request's `headers`
        if isinstance(getattr(self, "clean_headers", None), list):
            self.clean_headers.clear()  # also the scope's `headers`

    protocol_class.onOpen = onOpen


_ports: list = []  # the ports this process listens on (Daphne keeps only Deferreds)


def _on_shutdown() -> None:
    """Before Daphne cancels every application instance on SIGTERM: stop accepting, then
    presence and the channel layer let go of this process's sockets at once
    (consumers.process_stopping).

    Accepting stops first: in a deploy the new processes already listen (on the same
    socket, handed over as systemd socket activation does, or behind the proxy), and a
    client whose socket this process is about to close must not reconnect to it again."""
    import asyncio

    from twisted.internet import defer, reactor

    def before_shutdown():
        from .consumers import process_stopping

        while _ports:
            _ports.pop().stopListening()
        return defer.Deferred.fromFuture(asyncio.ensure_future(process_stopping()))

    reactor.addSystemEventTrigger("before", "shutdown", before_shutdown)
    reactor.addSystemEventTrigger("after", "shutdown", _freeze_heap_for_exit)


def _freeze_heap_for_exit() -> None:
    """The reactor has stopped and dropped every client's connection: what is left is the
    interpreter's exit, whose last garbage collection walked every object the process still
    held — 2.4–2.9 s of CPU after a process with 5,000 sockets had closed them, while the
    processes taking over its clients needed the cores (bench/ws_teardown.py;
    docs/benchmarks.md, "Issue 13: the exit's teardown"). Frozen objects are left out of
    that collection: the operating system takes the memory back and closes the Redis and
    PostgreSQL connections still open (a PostgreSQL backend logs that only at DEBUG1,
    outside a transaction). Exit handlers still run; what no longer runs at exit is
    `__del__` of objects caught in reference cycles."""
    import gc

    gc.freeze()


def _remember_ports(server_class) -> None:
    original = server_class.listen_success

    def listen_success(self, port):
        _ports.append(port)
        return original(self, port)

    server_class.listen_success = listen_success


def _lean_application_queue(server_class) -> None:
    import asyncio
    from functools import partial

    from .layers import LeanQueue

    def create_application(self, protocol, scope):
        assert "application_instance" not in self.connections[protocol]
        input_queue = LeanQueue()
        scope.setdefault("asgi", {"version": "3.0"})
        application_instance = self.application(
            scope=scope, receive=input_queue.get, send=partial(self.handle_reply, protocol)
        )
        if protocol not in self.connections:
            return None
        self.connections[protocol]["application_instance"] = asyncio.ensure_future(
            application_instance, loop=asyncio.get_event_loop()
        )
        return input_queue

    server_class.create_application = create_application


def _write_at_once() -> None:
    """Send a write on an idle TCP connection at once, as asyncio's transports do.

    Twisted buffers every write and sends it when the reactor next sees the socket
    writable: per frame an epoll registration, an extra turn of the event loop and a
    deregistration (on the asyncio reactor, `add_writer`/`remove_writer`), where the
    socket's buffer almost always had room. Now a write with nothing queued before it is
    sent straight away; whatever the kernel does not take (and every write behind it)
    goes through Twisted's buffer as before, so order and back-pressure are unchanged.
    """
    from twisted.internet import tcp

    original = tcp.Connection.write
    if getattr(original, "_sf_at_once", False):
        return

    def write(self, data: bytes) -> None:
        if (
            type(data) is bytes
            and data
            and self.connected
            and not self.disconnecting
            and not self._writeDisconnected
            and not self._tempDataBuffer
            and self.offset >= len(self.dataBuffer)
        ):
            try:
                sent = self.socket.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                sent = 0  # Twisted's own write meets the error and closes the connection
            if sent >= len(data):
                return
            data = data[sent:]
        original(self, data)

    write._sf_at_once = True
    tcp.Connection.write = write
