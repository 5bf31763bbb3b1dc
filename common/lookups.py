"""Integer lookups that never send the database a value no integer column can hold.

Django (5.0, ticket 27397) answers `exact`, `gt`, `gte`, `lt` and `lte` on an integer
field with a value past the column's range as "no row" (or "every row") without sending
it. It does not for `in` and `range`, nor for any lookup on a foreign key (its output
field is the key, not the integer it holds), and SQLite refuses a Python int past 64 bits
with OverflowError: a 500 in embedded mode from the admin's multiple-choice fields
(`pk__in`), its changelist filters on a foreign key (`?owner=1e30`), and any selector that
filters on ids a client sent. PostgreSQL compares such a value as numeric; the answer is
the same, no row holds it. `register()` (CommonConfig.ready) puts these in Django's place.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import (
    RelatedExact,
    RelatedGreaterThan,
    RelatedGreaterThanOrEqual,
    RelatedIn,
    RelatedLessThan,
    RelatedLessThanOrEqual,
)
from django.db.models.lookups import In, Range


def _bounds(lookup: Any, connection: Any) -> tuple[int | None, int | None]:
    """The range of the integer column the lookup compares with, (None, None) if it is
    not an integer: a foreign key holds its target's values."""
    field = lookup.lhs.output_field
    field = getattr(field, "target_field", field)
    if not isinstance(field, IntegerField):
        return None, None
    return connection.ops.integer_field_range(field.get_internal_type())


def _below(value: Any, low: int | None) -> bool:
    return isinstance(value, int) and low is not None and value < low


def _above(value: Any, high: int | None) -> bool:
    return isinstance(value, int) and high is not None and value > high


class _InWithinRange:
    """`in`: the values no column can hold are dropped (none left: no row)."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = _bounds(self, connection)
            self.rhs = [v for v in self.rhs if not (_below(v, low) or _above(v, high))]
        return super().process_rhs(compiler, connection)


class IntegerIn(_InWithinRange, In):
    pass


class IntegerRelatedIn(_InWithinRange, RelatedIn):
    pass


class IntegerRange(Range):
    """`range`: bounds past the column's range are brought to it (a range wholly outside
    it: no row)."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = _bounds(self, connection)
            start, end = self.rhs
            if _above(start, high) or _below(end, low):
                raise EmptyResultSet
            self.rhs = (low if _below(start, low) else start, high if _above(end, high) else end)
        return super().process_rhs(compiler, connection)


class _OneValueWithinRange:
    """One value past the column's range: no row, or every row (Django's own
    IntegerFieldOverflow, with the key's target as the column)."""

    below: type[Exception] = EmptyResultSet
    above: type[Exception] = EmptyResultSet

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = _bounds(self, connection)
            if _below(self.rhs, low):
                raise self.below
            if _above(self.rhs, high):
                raise self.above
        return super().process_rhs(compiler, connection)


class IntegerRelatedExact(_OneValueWithinRange, RelatedExact):
    pass


class IntegerRelatedGreaterThan(_OneValueWithinRange, RelatedGreaterThan):
    below = FullResultSet


class IntegerRelatedGreaterThanOrEqual(_OneValueWithinRange, RelatedGreaterThanOrEqual):
    below = FullResultSet


class IntegerRelatedLessThan(_OneValueWithinRange, RelatedLessThan):
    above = FullResultSet


class IntegerRelatedLessThanOrEqual(_OneValueWithinRange, RelatedLessThanOrEqual):
    above = FullResultSet


def register() -> None:
    IntegerField.register_lookup(IntegerIn)
    IntegerField.register_lookup(IntegerRange)
    for lookup in (
        IntegerRelatedIn,
        IntegerRelatedExact,
        IntegerRelatedGreaterThan,
        IntegerRelatedGreaterThanOrEqual,
        IntegerRelatedLessThan,
        IntegerRelatedLessThanOrEqual,
    ):
        ForeignObject.register_lookup(lookup)
