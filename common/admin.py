"""What every admin page of an imported (legacy) table shares."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

SHOWN_READ_ONLY = ("legacy_id", "created_at", "updated_at")

# Links typed without a scheme are https (Django 6's default; silences its 5.x warning).
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class LegacyRowAdmin(admin.ModelAdmin):
    """Finds a row by its legacy id (a reference in an old backup) and shows its history.

    legacy_id and the timestamps are not editable, so they are read-only fields here.
    """

    formfield_overrides = URL_FIELDS_ASSUME_HTTPS

    def get_search_fields(self, request: HttpRequest) -> tuple[str, ...]:
        fields = tuple(super().get_search_fields(request))
        return fields if "legacy_id" in fields else (*fields, "=legacy_id")

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        names = {f.name for f in self.model._meta.concrete_fields}
        return fields + tuple(f for f in SHOWN_READ_ONLY if f in names and f not in fields)
