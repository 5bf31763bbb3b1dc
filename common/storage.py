"""Where a stored file is served from."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.views.static import serve


def stored_file_url(name: str) -> str:
    """The absolute URL of a file in Django's storage: S3-style storages answer one already,
    local files get SITE_URL in front (the URL is kept in the row and used in emails)."""
    url = default_storage.url(name)
    return url if "://" in url else f"{settings.SITE_URL}{url}"


def serve_media(request: HttpRequest, path: str, document_root: str) -> HttpResponse:
    """Uploaded files from MEDIA_ROOT while DEBUG is on (project/urls.py): Django's
    `static.serve`, with a name the file system refuses (longer than it allows a name to
    be) answered as what it is, a file that does not exist, not a 500."""
    try:
        return serve(request, path, document_root=document_root)
    except OSError:
        raise Http404("No such file.") from None
