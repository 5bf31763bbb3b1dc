from tests.fakes.nominatim import fake_nominatim  # noqa: F401 - the fixture, for these tests
