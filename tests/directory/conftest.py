import pytest
from rest_framework.test import APIClient

from tests.fakes.nominatim import fake_nominatim  # noqa: F401 - the fixture, for these tests
from tests.support.module_data import built_for_the_module, for_the_test


@pytest.fixture
def api():
    """An API client; `api.force_login(user)` signs in through the session, like a browser."""
    return APIClient()


@pytest.fixture
def search_offline(settings):
    """Search tests: every request reaches the selector (no page cache), and places
    resolve through the gazetteer only (no geocoder)."""
    settings.SEARCH_CACHE_SECONDS = 0
    settings.GEOCODER_ENABLED = False


@pytest.fixture(scope="module")
def module_world(request, django_db_setup, django_db_blocker):
    """The world, built once for a module (tests/support/module_data.py)."""
    from tests.directory.search_data import build, world_spec

    spec = world_spec()
    yield from built_for_the_module(request, django_db_blocker, lambda: (spec, build(spec)))


@pytest.fixture
def world(module_world, db):
    """The deterministic world of tests/directory/search_data.py: (spec, ids by name),
    shared by the module's tests; what a test changes is undone after it. From the first
    test that asks for it to the module's end, the module's other tests see these rows
    too (tests/support/module_data.py): none of them may count on an empty directory."""
    return for_the_test(module_world)
