"""Uploaded files served from MEDIA_ROOT while DEBUG is on (common.storage.serve_media)."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import RequestFactory

from common.storage import serve_media


def test_a_stored_file_is_served(tmp_path):
    (tmp_path / "photo.txt").write_text("booth")
    response = serve_media(RequestFactory().get("/media/photo.txt"), "photo.txt", str(tmp_path))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"booth"


@pytest.mark.parametrize("name", ["a" * 300, "dir/" + "b" * 4000, "missing.jpg"])
def test_a_name_the_file_system_refuses_is_a_404_like_a_missing_file(tmp_path, name):
    with pytest.raises(Http404):
        serve_media(RequestFactory().get("/media/x"), name, str(tmp_path))
