"""A stopping Daphne freezes its heap once the reactor has stopped (realtime/daphne.py),
so that the interpreter's last garbage collection skips the objects of the sockets it has
just closed (2.9 s of CPU at 5,000 sockets, docs/benchmarks.md)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.support.processes import service_env

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import gc
    import daphne.server  # installs Twisted's asyncio reactor, as Daphne's CLI does
    import daphne.ws_protocol
    from twisted.internet import reactor
    import project.asgi  # what Daphne loads: it configures realtime/daphne.py
    # Start-up's heap is frozen already (project/asgi.py); what serving made is not, until
    # the reactor has stopped.
    at_start = gc.get_freeze_count()
    reactor.addSystemEventTrigger(
        "during",
        "shutdown",
        lambda: print("frozen while stopping:", gc.get_freeze_count() > at_start),
    )
    reactor.addSystemEventTrigger(
        "after", "shutdown", lambda: print("frozen:", gc.get_freeze_count() > at_start)
    )
    reactor.callWhenRunning(reactor.stop)
    reactor.run(installSignalHandlers=False)
    """
)


def test_the_heap_is_frozen_after_the_reactor_stops():
    env = service_env(DJANGO_SETTINGS_MODULE="project.settings", PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = out.stdout.splitlines()
    assert "frozen while stopping: False" in lines, out.stderr[-2000:]
    assert "frozen: True" in lines, out.stderr[-2000:]
