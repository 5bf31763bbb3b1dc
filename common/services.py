"""Small helpers that every app's services use."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

ModelT = TypeVar("ModelT", bound=models.Model)


def model_update(
    *, instance: ModelT, fields: list[str], data: dict[str, Any]
) -> tuple[ModelT, bool]:
    """Set the given fields that are present in data, validate, and save only what changed.

    Returns (instance, has_updated). HackSoft's styleguide helper.
    """
    changed = []
    for field in fields:
        if field in data and getattr(instance, field) != data[field]:
            setattr(instance, field, data[field])
            changed.append(field)
    if changed:
        instance.full_clean()
        if any(f.name == "updated_at" for f in instance._meta.get_fields()):
            changed.append("updated_at")
        instance.save(update_fields=changed)
    return instance, bool(changed)
