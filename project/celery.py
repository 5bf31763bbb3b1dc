"""The Celery app. Configuration comes from Django settings (CELERY_* names)."""

import os
import pkgutil

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("studio_finder", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")


def _task_modules() -> list[str]:
    import tasks

    return [f"tasks.{module.name}" for module in pkgutil.iter_modules(tasks.__path__)]


# Every module of tasks/ is a task module; imported lazily, once Django is ready.
app.autodiscover_tasks(_task_modules, related_name=None)
