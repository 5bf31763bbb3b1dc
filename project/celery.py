"""The Celery app. Configuration comes from Django settings (CELERY_* names)."""

import os

from celery import Celery, signals

import tasks

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("studio_finder", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")


# Every module of tasks/ is a task module, imported once Django is ready: by a worker at its
# start (with Django's system checks), by a server at its start (common.jobs.load_task_modules).
app.conf.imports = tasks.module_names()


def drop_database_pools(databases: dict, *, conn_max_age: int) -> None:
    """Plain connections instead of pools: Celery's prefork fixup closes Django's connection
    pool after every task (celery/celery#10554), so a worker's pool would reconnect per task.
    A worker's plain connection is kept `conn_max_age` seconds (WORKER_DB_CONN_MAX_AGE)."""
    for database in databases.values():
        database.get("OPTIONS", {}).pop("pool", None)
        database["CONN_MAX_AGE"] = conn_max_age


@signals.worker_init.connect
def _plain_database_connections(**kwargs) -> None:
    from django.conf import settings

    drop_database_pools(
        settings.DATABASES, conn_max_age=getattr(settings, "WORKER_DB_CONN_MAX_AGE", 0)
    )


# Celery's Django fixup closes every connection before and after each task unless
# CELERY_DB_REUSE_MAX is set (settings/core.py sets it), which made a worker open a new
# PostgreSQL session per task whatever its CONN_MAX_AGE. Instead a worker closes connections
# as Django's request cycle does: an unusable one, one older than CONN_MAX_AGE, one left in
# a transaction. Eager tasks run inside their caller's transaction: left alone.
@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_connections(sender=None, **kwargs) -> None:
    if sender is None or getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
