"""Abstract bases and constraint helpers shared by every app's models."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now


class TimestampedModel(models.Model):
    """created_at / updated_at, set by Django and defaulted by the database for raw inserts."""

    created_at = models.DateTimeField(auto_now_add=True, db_default=Now())
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        abstract = True


class LegacyIdModel(models.Model):
    """Keeps the old site's string id on imported rows, so an old backup still resolves."""

    legacy_id = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        editable=False,
        help_text="The row's id in the legacy (Next.js + Prisma) database, if imported.",
    )

    class Meta:
        abstract = True


def legacy_id_unique() -> models.UniqueConstraint:
    """Unique legacy ids, indexed only where present (new rows have none)."""
    return models.UniqueConstraint(
        fields=["legacy_id"],
        condition=Q(legacy_id__isnull=False),
        name="%(app_label)s_%(class)s_legacy_id_uniq",
    )


def choices_check(field: str, choices: type[models.TextChoices]) -> models.CheckConstraint:
    """A database CHECK that keeps an enum column to its TextChoices values."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}),
        name=f"%(app_label)s_%(class)s_{field}_valid",
    )
