"""Enqueue Celery tasks by registered name, after commit.

Domain apps never import tasks/ (tasks import services, not the other way round); they
name the task instead. `delay_on_commit` (Celery ≥ 5.4) means a worker never runs before
the rows it needs are committed (celery PR #8491), and in embedded mode the eager task
runs right after the commit.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from celery import current_app

_LOAD_LOCK = threading.Lock()


@cache
def _load_task_modules() -> None:
    # One thread at a time: two request threads importing the task modules at once can
    # get each other's half-initialised module (Python breaks the import-lock cycle that
    # way), and the first concurrent enqueues of a fresh process raised NotRegistered.
    with _LOAD_LOCK:
        current_app.loader.import_default_modules()


def enqueue_on_commit(task_name: str, *args: Any, **kwargs: Any) -> None:
    _load_task_modules()
    current_app.tasks[task_name].delay_on_commit(*args, **kwargs)


def enqueue_on_commit_with_options(task_name: str, *, args=(), kwargs=None, **options) -> None:
    """As enqueue_on_commit, with apply_async options such as countdown or eta."""
    _load_task_modules()
    current_app.tasks[task_name].apply_async_on_commit(args=args, kwargs=kwargs or {}, **options)


def enqueue_now(task_name: str, *, args=(), kwargs=None, **options) -> None:
    """Enqueue at once, for code that runs after its commit already (async socket code)."""
    _load_task_modules()
    current_app.tasks[task_name].apply_async(args=args, kwargs=kwargs or {}, **options)
