"""What a server process does before it serves, seen from a fresh interpreter."""

from __future__ import annotations

import json

from tests.support.processes import run_python


def test_a_full_garbage_collection_walks_only_what_serving_made():
    """Start-up's objects (the place gazetteer's most) are frozen out of the collector: a
    full collection walked all of them — 127 ms with the event loop stopped, in the middle
    of whatever the process was serving."""
    script = (
        "import gc, json\n"
        "full = []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'stop' and info['generation'] == 2\n"
        "                    and full.append(1))\n"
        "import project.asgi\n"
        "from directory.selectors.places import gazetteer\n"
        "print(json.dumps({'tracked': len(gc.get_objects()), 'frozen': gc.get_freeze_count(),\n"
        "                  'names': len(gazetteer().by_name), 'enabled': gc.isenabled(),\n"
        "                  'threshold': gc.get_threshold(),\n"
        "                  'full_collections': len(full)}))\n"
    )
    done = run_python(script)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["names"] > 100_000  # the real gazetteer, not an empty one
    assert found["frozen"] > found["names"]
    assert found["tracked"] < 5_000, found
    # None while the heap was built (each walked it again: 0.8-1.2 s of CPU before the
    # process listened), the one before the freeze, and the collector on again.
    assert found["full_collections"] == 1
    assert found["enabled"] is True
    # Every collection about 14 times rarer than Python's default (700, 10, 10): a
    # storm's walked thousands of sockets' objects, up to 1.6 s at a time.
    assert found["threshold"] == [10_000, 10, 10]


def test_a_start_up_that_fails_leaves_the_collector_on():
    """A process that lives on after the import failed (an autoreloader, a test) collects."""
    script = (
        "import gc\n"
        "from directory.selectors import places\n"
        "def broken():\n"
        "    raise RuntimeError('no gazetteer data')\n"
        "places.gazetteer = broken\n"
        "try:\n"
        "    import project.asgi\n"
        "except RuntimeError:\n"
        "    print('failed; collector on:', gc.isenabled())\n"
    )
    done = run_python(script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "failed; collector on: True"
