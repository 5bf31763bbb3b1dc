"""tests/support/module_data.py: rows built once for a module, each test's changes undone,
nothing committed, a module with a transactional test refused. The tests run in file
order (the first changes what the second checks)."""

from __future__ import annotations

import psycopg
import pytest
from django.test import TestCase, TransactionTestCase

from accounts.models import User
from tests.factories import UserFactory
from tests.support.module_data import built_for_the_module, for_the_test, transactional_tests
from tests.support.processes import live_database_url

BUILT = []


@pytest.fixture(scope="module")
def module_people(request, django_db_setup, django_db_blocker):
    def build():
        BUILT.append(1)
        return {"ann": UserFactory(username="module-ann", display_name="Ann")}

    yield from built_for_the_module(request, django_db_blocker, build)
    with django_db_blocker.unblock():  # rolled back: not in the database any more
        assert not User.objects.filter(username="module-ann").exists()


@pytest.fixture
def people(module_people, db):
    return for_the_test(module_people)


@pytest.mark.django_db
def test_a_test_changes_the_rows_and_the_objects(people):
    ann = people["ann"]
    ann.display_name = "Changed"
    ann.save()
    UserFactory(username="module-bob")
    assert User.objects.get(username="module-ann").display_name == "Changed"


@pytest.mark.django_db
def test_the_next_test_gets_them_as_built(people):
    assert BUILT == [1]  # built once for both tests
    assert people["ann"].display_name == "Ann"
    assert User.objects.get(username="module-ann").display_name == "Ann"
    assert not User.objects.filter(username="module-bob").exists()


@pytest.mark.django_db
def test_nothing_is_committed(people):
    with psycopg.connect(live_database_url(), autocommit=True) as other:
        seen = other.execute("SELECT count(*) FROM users WHERE username = 'module-ann'")
        assert seen.fetchone()[0] == 0


class _Item:
    """What transactional_tests() reads of a collected test."""

    def __init__(self, name: str, *args, fixturenames=(), cls=None, **kwargs) -> None:
        self.name, self.fixturenames, self.cls = name, list(fixturenames), cls
        self.marker = pytest.mark.django_db(*args, **kwargs).mark if args or kwargs else None

    def get_closest_marker(self, name: str):
        return self.marker if name == "django_db" else None


def test_the_tests_that_commit_are_named():
    items = [
        _Item("a", False),
        _Item("b", transaction=True),
        _Item("c", True),
        _Item("d", reset_sequences=True, transaction=True),
        _Item("e", fixturenames=["db", "transactional_db"]),
        _Item("f", fixturenames=["live_server"]),
        _Item("g", fixturenames=["django_db_reset_sequences"]),
        _Item("h", cls=TransactionTestCase),
        _Item("i", cls=TestCase),
        _Item("j", fixturenames=["db", "world"]),
    ]
    assert transactional_tests(items) == ["b", "c", "d", "e", "f", "g", "h"]
