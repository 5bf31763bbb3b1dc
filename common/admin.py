"""What the admin pages share: the imported (legacy) tables' pages, and what every
changelist refuses rather than fails on (refuse_what_the_admin_cannot_use)."""

from __future__ import annotations

import contextlib
import logging

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

logger = logging.getLogger(__name__)

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


def refuse_what_the_admin_cannot_use() -> None:
    """Input the Django admin (staff only) turned into a 500, answered as Django answers
    its like (tests/project/test_admin.py):

    - a changelist lookup no row can satisfy because no value can be built from it
      (`?created_at__year=99999`: Python's dates end in 9999): Django compiles such a
      lookup only while counting the page, and builds the date hierarchy's year 9999 range
      past its own check. Both are caught here, as the admin's IncorrectLookupParameters
      (back to the list with `?e=1`) like any other bad lookup, and logged;
    - a lookup the database refuses to run (`?name__regex=(`: an invalid regular
      expression is a DataError while counting), the same way;
    - an action on `_selected_action` values that are no key of the model ("x", a number
      past the column's range): refused with a message, nothing done, as an action with
      nothing selected is.
    """
    from django.contrib import messages
    from django.contrib.admin import helpers
    from django.contrib.admin.options import IncorrectLookupParameters
    from django.contrib.admin.views.main import ChangeList
    from django.core.exceptions import EmptyResultSet, FullResultSet, ValidationError
    from django.db import DataError, connections, transaction

    django_get_queryset = ChangeList.get_queryset

    def refused(request, error: Exception) -> IncorrectLookupParameters:
        logger.warning("admin lookup refused: %s %s", request.get_full_path(), error)
        return IncorrectLookupParameters(error)

    def get_queryset(self, request, exclude_parameters=None):
        unbuildable = (ValueError, OverflowError, ValidationError)
        try:
            queryset = django_get_queryset(self, request, exclude_parameters)
        except unbuildable as error:  # the date hierarchy's year 9999
            raise refused(request, error) from error
        try:
            queryset.query.chain().get_compiler(queryset.db).as_sql()
        except (EmptyResultSet, FullResultSet):
            pass  # a query that matches nothing or everything is still a query
        except unbuildable as error:
            raise refused(request, error) from error
        return queryset

    ChangeList.get_queryset = get_queryset

    django_get_results = ChangeList.get_results

    def get_results(self, request):
        connection = connections[self.queryset.db]
        # Inside a transaction (a test's, ATOMIC_REQUESTS) a failed statement would poison
        # it: a savepoint keeps the rest of the request usable.
        savepoint = (
            transaction.atomic(using=self.queryset.db)
            if connection.in_atomic_block
            else contextlib.nullcontext()
        )
        try:
            with savepoint:
                django_get_results(self, request)
        except DataError as error:  # a lookup PostgreSQL refuses to run: `?name__regex=(`
            raise refused(request, error) from error

    ChangeList.get_results = get_results

    django_response_action = admin.ModelAdmin.response_action

    def response_action(self, request, queryset):
        key = self.model._meta.pk
        while key.is_relation:  # a one-to-one key (inheritance): the column it stores
            key = key.target_field
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                key.run_validators(key.to_python(value))
        except ValidationError:
            self.message_user(
                request,
                "The selected items are not valid: no items have been changed.",
                messages.WARNING,
            )
            return None
        return django_response_action(self, request, queryset)

    admin.ModelAdmin.response_action = response_action
