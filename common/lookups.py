"""Integer lookups that never send the database a value no integer column can hold.

Django (5.0, ticket 27397) answers `exact`, `gt`, `gte`, `lt` and `lte` on an integer
field with a value past the column's range as "no row" (or "every row") without sending
it. It does not for `in` and `range`, nor for any lookup on a foreign key (its output
field is the key, not the integer it holds), and SQLite refuses a Python int past 64 bits
with OverflowError: a 500 in embedded mode from the admin's multiple-choice fields
(`pk__in`), its changelist filters on a foreign key (`?owner=1e30`), and any selector that
filters on ids a client sent. PostgreSQL compares such a value as numeric; the answer is
the same, no row holds it. `register()` (CommonConfig.ready) puts these in Django's place.
Left as Django has them: a list that mixes expressions with such ints (Django wraps the
ints in `Value`), and the integer field's own `gt`/`lt` past the range, which answer every
row, NULL ones included.
"""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import ForeignObject, IntegerField
from django.db.models.expressions import Col
from django.db.models.fields.related_lookups import (
    RelatedExact,
    RelatedGreaterThan,
    RelatedGreaterThanOrEqual,
    RelatedIn,
    RelatedLessThan,
    RelatedLessThanOrEqual,
)
from django.db.models.lookups import In, IsNull, Range


def _bounds(lookup: Any, connection: Any) -> tuple[int | None, int | None]:
    """The range of the integer column the lookup compares with; (None, None) when it is
    not a plain column of an integer (an annotation's output field names a type, not the
    values it holds): a foreign key holds its target's values, through one-to-one keys."""
    if not isinstance(lookup.lhs, Col):
        return None, None
    field = lookup.lhs.output_field
    while getattr(field, "target_field", field) is not field:
        field = field.target_field
    if not isinstance(field, IntegerField):
        return None, None
    return connection.ops.integer_field_range(field.get_internal_type())


def _below(value: Any, low: int | None) -> bool:
    return isinstance(value, int) and low is not None and value < low


def _above(value: Any, high: int | None) -> bool:
    return isinstance(value, int) and high is not None and value > high


class _InWithinRange:
    """`in`: the values no column can hold are dropped (none left: no row). On a copy:
    the lookup itself is shared by the queryset's clones, whichever database runs them."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = _bounds(self, connection)
            kept = [v for v in self.rhs if not (_below(v, low) or _above(v, high))]
            if len(kept) != len(self.rhs):
                within = copy.copy(self)
                within.rhs = kept
                return super(_InWithinRange, within).process_rhs(compiler, connection)
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
            if _below(start, low) or _above(end, high):
                within = copy.copy(self)
                within.rhs = (
                    low if _below(start, low) else start,
                    high if _above(end, high) else end,
                )
                return super(IntegerRange, within).process_rhs(compiler, connection)
        return super().process_rhs(compiler, connection)


class _OneValueWithinRange:
    """One value past the column's range: no row, or every row whose key is set (a NULL
    key compares as nothing, as it would with the value sent)."""

    every_row_below = False  # whether a value below the range matches every set key
    every_row_above = False

    def as_sql(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = _bounds(self, connection)
            for outside, every_row in (
                (_below(self.rhs, low), self.every_row_below),
                (_above(self.rhs, high), self.every_row_above),
            ):
                if outside and every_row:
                    return compiler.compile(IsNull(self.lhs, False))
                if outside:
                    raise EmptyResultSet
        return super().as_sql(compiler, connection)


class IntegerRelatedExact(_OneValueWithinRange, RelatedExact):
    pass


class IntegerRelatedGreaterThan(_OneValueWithinRange, RelatedGreaterThan):
    every_row_below = True


class IntegerRelatedGreaterThanOrEqual(_OneValueWithinRange, RelatedGreaterThanOrEqual):
    every_row_below = True


class IntegerRelatedLessThan(_OneValueWithinRange, RelatedLessThan):
    every_row_above = True


class IntegerRelatedLessThanOrEqual(_OneValueWithinRange, RelatedLessThanOrEqual):
    every_row_above = True


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
