"""Rows built once for a test module and shared by its tests, as Django's TestCase does
for setUpTestData.

The rows are written inside one transaction that stays open for the whole module; each
test's own transaction (pytest-django's `django_db`, not transactional) is a savepoint
inside it, so whatever a test changes is undone before the next one, and the module's
rows are rolled back at its end: nothing is committed. A transactional test
(`django_db(transaction=True)`) commits and flushes, and pytest-django runs those last:
a module that has one is refused.

The rows are there from the first test that asks for them to the module's end, so the
module's other tests see them too: keep such a module to tests they do not disturb (the
search oracles put the tests that build their own studios in a module of their own).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

import pytest
from django.db import transaction
from django.test import TestCase, TransactionTestCase
from pytest_django.fixtures import validate_django_db

T = TypeVar("T")


def built_for_the_module(
    request: pytest.FixtureRequest, django_db_blocker, build: Callable[[], T]
) -> Iterator[T]:
    """For a module-scoped fixture: `yield from built_for_the_module(request,
    django_db_blocker, build)` gives `build()`'s result to every test of the module."""
    refused = transactional_tests(
        item for item in request.session.items if item.module is request.module
    )
    if refused:
        pytest.fail(
            f"{request.fixturename} is shared in one transaction, which a transactional test"
            f" would flush: move {', '.join(refused)} to another module"
        )
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic._from_testcase = True  # as TestCase's class atomics: durable blocks inside
        atomic.__enter__()
    try:
        with django_db_blocker.unblock():
            built = build()
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# The fixtures that make pytest-django run a test transactionally, whatever its marker says.
TRANSACTIONAL_FIXTURES = frozenset({"transactional_db", "live_server", "django_db_reset_sequences"})


def transactional_tests(items: Iterable[pytest.Item]) -> list[str]:
    """The names of the tests that commit, by pytest-django's own rules: a `django_db`
    marker with `transaction` or `reset_sequences`, one of TRANSACTIONAL_FIXTURES, or a
    TransactionTestCase that is not a TestCase."""
    names = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        # (transaction, reset_sequences, databases, serialized_rollback, available_apps)
        transaction_, reset_sequences, *_ = (
            validate_django_db(marker) if marker is not None else (False, False)
        )
        cls = getattr(item, "cls", None)
        if (
            transaction_
            or reset_sequences
            or TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ()))
            or (
                cls is not None
                and issubclass(cls, TransactionTestCase)
                and not issubclass(cls, TestCase)
            )
        ):
            names.append(item.name)
    return names


def for_the_test(built: T) -> T:
    """The module's rows for one test (from the function-scoped fixture that also asks for
    `db`): a copy of what `build()` returned, so a test that changes the objects leaves
    the next one the originals, as TestCase does for setUpTestData's attributes."""
    return copy.deepcopy(built)
