"""Saved searches, the FAQ, points of interest and the legacy contacts table."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from common.models import LegacyIdModel, TimestampedModel, legacy_id_unique


class SavedSearch(LegacyIdModel, TimestampedModel):
    """The legacy `saved_searches` table; filters are stored as JSON, not a JSON string."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=100)
    filters = models.JSONField(default=dict, db_default={})
    last_alerted_at = models.DateTimeField(null=True, blank=True)
    alerts_enabled = models.BooleanField(default=True, db_default=True)

    class Meta:
        db_table = "saved_searches"
        constraints = [legacy_id_unique()]

    def __str__(self) -> str:
        return self.name


class Faq(LegacyIdModel, TimestampedModel):
    """The legacy `faq` table, shown by sort_order."""

    question = models.TextField()
    answer = models.TextField()
    sort_order = models.IntegerField(null=True, blank=True)

    class Meta:
        db_table = "faq"
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ"
        constraints = [legacy_id_unique()]
        indexes = [models.Index(fields=["sort_order"], name="faq_sort_idx")]
        ordering = [models.F("sort_order").asc(nulls_last=True), "id"]

    def __str__(self) -> str:
        return self.question[:80]


class Poi(LegacyIdModel, TimestampedModel):
    """The legacy `poi` table: points of interest, managed in the admin only."""

    name = models.CharField(max_length=200)
    description = models.TextField(null=True, blank=True)
    latitude = models.DecimalField(max_digits=10, decimal_places=8, null=True, blank=True)
    longitude = models.DecimalField(max_digits=11, decimal_places=8, null=True, blank=True)
    address = models.CharField(max_length=500, null=True, blank=True)
    category = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        db_table = "poi"
        verbose_name = "point of interest"
        verbose_name_plural = "points of interest"
        constraints = [legacy_id_unique()]

    def __str__(self) -> str:
        return self.name


class LegacyContact(LegacyIdModel, TimestampedModel):
    """The legacy `contacts` table, kept as imported; its rows become user connections."""

    user1 = models.CharField(max_length=64, help_text="Legacy user id")
    user2 = models.CharField(max_length=64, help_text="Legacy user id")
    accepted = models.SmallIntegerField(default=0, db_default=0)

    class Meta:
        db_table = "contacts"
        constraints = [
            legacy_id_unique(),
            models.CheckConstraint(condition=Q(accepted__in=[0, 1]), name="contacts_accepted_0_1"),
        ]

    def __str__(self) -> str:
        return f"{self.user1} ↔ {self.user2}"
