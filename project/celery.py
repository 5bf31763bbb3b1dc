"""The Celery app. Configuration comes from Django settings (CELERY_* names)."""

import os
import pkgutil

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("studio_finder", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")


def _task_modules() -> list[str]:
    import tasks

    return [f"tasks.{module.name}" for module in pkgutil.iter_modules(tasks.__path__)]


# Every module of tasks/ is a task module; imported lazily, once Django is ready.
app.autodiscover_tasks(_task_modules, related_name=None)


def drop_database_pools(databases: dict, *, conn_max_age: int) -> None:
    """Plain connections instead of pools: Celery's prefork fixup closes Django's connection
    pool after every task (celery/celery#10554), so a worker's pool would reconnect per task."""
    for database in databases.values():
        if database.get("OPTIONS", {}).pop("pool", None):
            database["CONN_MAX_AGE"] = conn_max_age


@signals.worker_init.connect
def _plain_database_connections(**kwargs) -> None:
    from django.conf import settings

    drop_database_pools(settings.DATABASES, conn_max_age=getattr(settings, "DB_CONN_MAX_AGE", 0))
