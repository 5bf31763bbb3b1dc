import pytest
from rest_framework.test import APIClient

from tests.fakes.nominatim import fake_nominatim  # noqa: F401 - the fixture, for these tests


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


@pytest.fixture
def world(db):
    """The deterministic world of tests/directory/search_data.py: (spec, ids by name)."""
    from tests.directory.search_data import build, world_spec

    spec = world_spec()
    return spec, build(spec)
