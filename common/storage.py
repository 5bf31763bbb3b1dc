"""Where a stored file is served from."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import default_storage


def stored_file_url(name: str) -> str:
    """The absolute URL of a file in Django's storage: S3-style storages answer one already,
    local files get SITE_URL in front (the URL is kept in the row and used in emails)."""
    url = default_storage.url(name)
    return url if "://" in url else f"{settings.SITE_URL}{url}"
