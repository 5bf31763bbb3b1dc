"""Serializers of flat inputs (query parameters, filters), whose fields are not built again
for every request."""

from __future__ import annotations

import copy
from typing import Any

from rest_framework import serializers


class FlatFieldsSerializer(serializers.Serializer):
    """A serializer whose declared fields are flat: copied shallowly per instance.

    DRF deep-copies every declared field for each serializer instance, which builds each
    field again from its arguments: 0.32 of the 0.44 ms that validating the search's
    parameters took (docs/benchmarks.md). A flat field keeps nothing of a request but
    what `bind()` sets on the copy, so a shallow copy of the declared one serves; the
    declared fields themselves are never bound. A nested serializer or a field with a
    child (a list, a dict, a relation) would bind a child shared with every other copy:
    such a class is refused when it is defined.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, field in cls._declared_fields.items():
            if isinstance(field, serializers.BaseSerializer) or any(
                hasattr(field, attribute) for attribute in ("child", "child_relation")
            ):
                raise TypeError(f"{cls.__name__}.{name}: not a flat field")

    def get_fields(self) -> dict[str, serializers.Field]:
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}
