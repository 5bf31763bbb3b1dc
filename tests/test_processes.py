"""The tests' child processes (tests/support/processes.py): a process killed at stop takes
the children it forked with it, as a Celery prefork worker's pool must go with its master."""

from __future__ import annotations

import os
import sys

from tests.support.processes import Process, wait_until

# A parent that forks a child, prints the child's pid, and both wait a minute.
PARENT_AND_CHILD = (
    "import subprocess, sys, time;"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']);"
    "print(child.pid, flush=True);"
    "time.sleep(60)"
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purpose: only its parent (init, here) has yet to reap it.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


def _started(tmp_path, **options) -> tuple[Process, int]:
    proc = Process(
        [sys.executable, "-c", PARENT_AND_CHILD],
        env=dict(os.environ),
        log=tmp_path / "p.log",
        **options,
    )
    wait_until(lambda: proc.output().strip(), timeout=30, what="the child's pid")
    return proc, int(proc.output().split()[0])


def test_a_process_killed_at_stop_takes_its_children(tmp_path):
    proc, child = _started(tmp_path, killed_at_stop=True)
    assert _alive(child)
    proc.stop()
    assert proc.popen.returncode == -9
    wait_until(lambda: not _alive(child), timeout=10, what="the child to be gone")


def test_a_process_stopped_politely_leaves_its_children_to_it(tmp_path):
    """The default: SIGTERM to the process alone (Daphne's graceful exit), which here
    leaves the child it never told to stop."""
    proc, child = _started(tmp_path)
    try:
        proc.stop()
        assert proc.popen.returncode == -15
        assert _alive(child)
    finally:
        os.kill(child, 9)
