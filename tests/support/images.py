"""Image files made on the fly for upload tests (Pillow)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(
    fmt: str = "JPEG", size: tuple[int, int] = (64, 48), mode: str = "RGB", exif=None
) -> bytes:
    buffer = io.BytesIO()
    image = Image.new(mode, size, color=(200, 30, 30) if mode == "RGB" else None)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def jpeg_with_private_exif() -> bytes:
    """A sideways photo (EXIF orientation 6) carrying a camera serial and a description."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010E] = "secret-home-address"  # ImageDescription
    exif[0xA431] = "SERIAL-12345"  # BodySerialNumber
    return image_bytes(size=(80, 40), exif=exif)
