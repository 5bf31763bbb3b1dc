"""common.serializers.FlatFieldsSerializer: fields copied shallowly, never shared bound."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from rest_framework import serializers

from common.serializers import FlatFieldsSerializer


class Params(FlatFieldsSerializer):
    q = serializers.CharField(required=False, max_length=5)
    page = serializers.IntegerField(min_value=1, default=1)
    sort = serializers.ChoiceField(choices=["name", "newest"], required=False)


def test_each_instance_binds_copies_and_the_declared_fields_stay_unbound():
    first, second = Params(data={}), Params(data={})
    for name, declared in Params._declared_fields.items():
        assert first.fields[name] is not declared
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first
        assert second.fields[name].parent is second
        assert declared.parent is None
        assert declared.field_name is None


def test_two_instances_validate_apart():
    bad = Params(data={"q": "far too long", "page": "0", "sort": "rating"})
    good = Params(data={"q": "fox", "page": "3", "sort": "name"})
    assert not bad.is_valid()
    assert good.is_valid()
    assert set(bad.errors) == {"q", "page", "sort"}
    assert good.validated_data == {"q": "fox", "page": 3, "sort": "name"}
    assert Params(data={}).is_valid()


def test_many_threads_at_once_each_get_their_own_answer():
    def validate(i: int):
        serializer = Params(data={"page": str(i), "q": "x" * (1 + i % 8)})  # 1-8 long
        return i, serializer.is_valid(), serializer.errors

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(validate, range(1, 2001)))
    for i, valid, errors in results:
        assert valid == (1 + i % 8 <= 5)
        assert ("q" in errors) == (1 + i % 8 > 5)


@pytest.mark.parametrize(
    "field",
    [
        serializers.ListField(child=serializers.CharField()),
        serializers.DictField(child=serializers.IntegerField()),
        serializers.ListSerializer(child=serializers.CharField()),
    ],
)
def test_a_field_with_a_child_is_refused_when_the_class_is_defined(field):
    with pytest.raises(TypeError, match="not a flat field"):
        type("Nested", (FlatFieldsSerializer,), {"items": field})


def test_a_nested_serializer_is_refused():
    with pytest.raises(TypeError, match="not a flat field"):
        type("Nested", (FlatFieldsSerializer,), {"inner": Params()})
