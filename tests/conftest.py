"""Suite-wide setup: the suite runs on real PostgreSQL and Redis, or not at all."""

from __future__ import annotations

import pytest
from django.conf import settings


def pytest_configure(config: pytest.Config) -> None:
    if not (settings.IS_POSTGRES and settings.REDIS_URL):
        pytest.exit(
            "The suite runs on PostgreSQL and Redis: run `make test`, or set DATABASE_URL "
            "(postgres://...) and REDIS_URL (redis://...).",
            returncode=2,
        )
    # Fast hashing for factories; bcrypt stays available for the legacy-import tests.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "directory.hashers.LegacyBCryptPasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Each test starts with an empty cache (the test Redis database is the suite's own)."""
    from django.core.cache import cache

    cache.clear()
    return
