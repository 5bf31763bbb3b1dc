"""Enqueue Celery tasks by registered name, after commit.

Domain apps never import tasks/ (tasks import services, not the other way round); they
name the task instead. `delay_on_commit` (Celery ≥ 5.4) means a worker never runs before
the rows it needs are committed (celery PR #8491), and in embedded mode the eager task
runs right after the commit.
"""

from __future__ import annotations

import importlib
import threading
from functools import cache
from typing import Any

from celery import current_app

_LOAD_LOCK = threading.Lock()


@cache
def load_task_modules() -> None:
    """Register every task in this process, so that an enqueue finds its task by name.

    A server calls it at start (project/asgi.py). Left to the first enqueue, it ran on the
    thread of a chat send and held that send's ack and every send queued behind it for
    seconds on a fresh process (issue 13's first second): the modules' imports, and
    Celery's `import_default_modules`, whose Django fixup runs every system check and
    imports the URLconf with them. The modules are imported directly instead; a worker
    still runs the checks at its own start.
    """
    # One thread at a time: two request threads importing the task modules at once can
    # get each other's half-initialised module (Python breaks the import-lock cycle that
    # way), and the first concurrent enqueues of a fresh process raised NotRegistered.
    with _LOAD_LOCK:
        for name in current_app.conf.imports:
            importlib.import_module(name)
        # What the first enqueue would make next: the registry, the producer's machinery,
        # the result backend and the broker's transport (imports only, no connection).
        current_app.finalize(auto=True)
        current_app.amqp.producer_pool  # noqa: B018
        current_app.backend  # noqa: B018
        current_app.events.Dispatcher  # noqa: B018
        with current_app.connection_for_write() as connection:
            connection.transport  # noqa: B018


def enqueue_on_commit(task_name: str, *args: Any, **kwargs: Any) -> None:
    load_task_modules()
    current_app.tasks[task_name].delay_on_commit(*args, **kwargs)


def enqueue_on_commit_with_options(task_name: str, *, args=(), kwargs=None, **options) -> None:
    """As enqueue_on_commit, with apply_async options such as countdown or eta."""
    load_task_modules()
    current_app.tasks[task_name].apply_async_on_commit(args=args, kwargs=kwargs or {}, **options)


def enqueue_now(task_name: str, *, args=(), kwargs=None, **options) -> None:
    """Enqueue at once, for code that runs after its commit already (async socket code)."""
    load_task_modules()
    current_app.tasks[task_name].apply_async(args=args, kwargs=kwargs or {}, **options)
