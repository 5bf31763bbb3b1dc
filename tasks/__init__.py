"""Celery tasks: thin wrappers over services, one module per area."""

import pkgutil


def module_names() -> list[str]:
    """Every module of this package: each one is a task module."""
    return [f"{__name__}.{module.name}" for module in pkgutil.iter_modules(__path__)]
