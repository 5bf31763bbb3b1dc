import pytest
from rest_framework.test import APIClient

from tests.fakes.nominatim import fake_nominatim  # noqa: F401 - the fixture, for these tests


@pytest.fixture
def api():
    """An API client; `api.force_login(user)` signs in through the session, like a browser."""
    return APIClient()
