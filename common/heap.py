"""A server process's heap: what start-up builds is kept out of the garbage collector's way."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def built_for_life() -> Iterator[None]:
    """Run the block (a server's start-up) with the collector off, then collect once and
    freeze what it built.

    With the collector on, each full collection walked the growing heap again — seven of
    them, 0.8-1.2 s of CPU before the process could listen. Frozen, the ~400,000 objects
    (most of them the place gazetteer's) are left out of every later full collection,
    which walked them all in 127 ms with the event loop stopped (a 157 ms search among
    8 ms ones). The collector's state is restored even when start-up fails: a process
    that lives on must collect.

    Then a young generation of 10,000 objects rather than 700: every generation is
    collected up to 14 times less often for the same net allocations, the full collection
    (which also waits for the long-lived heap to grow by a quarter) included. Every socket
    a process holds is in that heap: at 5,000 sockets a process, a reconnect storm's full
    collections took 4.5-6.8 s of its CPU, up to 1.6 s at a time with the event loop
    stopped; after, one while serving, of 2 ms (docs/benchmarks.md, "Issue 13: the
    collector")."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.collect()  # first, so no garbage is frozen with the rest
        gc.freeze()
    finally:
        if collecting:
            gc.enable()
    gc.set_threshold(10_000, 10, 10)
