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


def refuse_what_the_admin_cannot_use() -> None:
    """Two kinds of input the Django admin (staff only) turned into a 500, answered as
    Django answers their like (tests/project/test_admin.py):

    - a changelist lookup no row can satisfy because no value can be built from it
      (`?created_at__year=99999`: Python's dates end in 9999): Django checks the lookups it
      builds itself (the date hierarchy) but compiles the others only while counting the
      page. Compiled here, so it becomes the admin's IncorrectLookupParameters (back to the
      list with `?e=1`) like any other bad lookup;
    - an action on `_selected_action` values that are no key of the model ("x", a number
      past the column's range): refused with a message, nothing done, as an action with
      nothing selected is.
    """
    from django.contrib import messages
    from django.contrib.admin import helpers
    from django.contrib.admin.options import IncorrectLookupParameters
    from django.contrib.admin.views.main import ChangeList
    from django.core.exceptions import EmptyResultSet, FullResultSet, ValidationError

    django_get_queryset = ChangeList.get_queryset

    def get_queryset(self, request, exclude_parameters=None):
        queryset = django_get_queryset(self, request, exclude_parameters)
        try:
            queryset.query.get_compiler(queryset.db).as_sql()
        except (EmptyResultSet, FullResultSet):
            pass  # a query that matches nothing or everything is still a query
        except (ValueError, OverflowError, ValidationError) as error:
            raise IncorrectLookupParameters(error) from error
        return queryset

    ChangeList.get_queryset = get_queryset

    django_response_action = admin.ModelAdmin.response_action

    def response_action(self, request, queryset):
        pk = self.model._meta.pk
        key = pk.target_field if pk.is_relation else pk
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
