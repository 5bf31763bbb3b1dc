"""Studio photos: upload (checked and re-encoded with Pillow), caption, re-order, delete.

An upload is decoded in full, turned upright by its EXIF orientation, scaled down to
STUDIO_IMAGE_MAX_SIDE and re-encoded (JPEG, or PNG when it has transparency). Re-encoding
drops everything but the pixels: EXIF (GPS position of a home studio, camera serials),
ICC tricks, trailing data and polyglot payloads. The file goes through Django's storage
API (local files here, S3-compatible storage in production), and its URL into image_url.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from PIL import Image, ImageOps, UnidentifiedImageError

from common.errors import Conflict, ValidationFailed
from common.storage import stored_file_url
from directory.models import Studio, StudioImage

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})
MAX_PIXELS = 50_000_000  # decoding cost guard, well under Pillow's decompression-bomb limit
MIN_SIDE = 16


@dataclass(frozen=True)
class EncodedImage:
    content: bytes
    extension: str
    width: int
    height: int


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"image": [message]})


def image_reencode(upload, *, max_bytes: int, max_side: int) -> EncodedImage:
    """Check an uploaded file is a real image of an accepted kind; return it re-encoded."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise _invalid(f"The image is larger than {max_bytes // (1024 * 1024)} MB.")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:  # reads the header only
            if probe.format not in ACCEPTED_FORMATS:
                raise _invalid("Upload a JPEG, PNG, WebP or GIF image.")
            if probe.width * probe.height > MAX_PIXELS:
                raise _invalid("The image has too many pixels.")
            probe.verify()  # structure and checksums, before decoding anything
        upload.seek(0)
        with Image.open(upload) as opened:
            opened.load()  # decodes every byte: a truncated or corrupt file fails here
            image = ImageOps.exif_transpose(opened)
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise _invalid("The file is not an image we can read.") from None
    except (OSError, SyntaxError, ValueError, TypeError, EOFError):
        raise _invalid("The image file is damaged or incomplete.") from None

    if min(image.size) < MIN_SIDE:
        raise _invalid(f"The image must be at least {MIN_SIDE}×{MIN_SIDE} pixels.")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    buffer = io.BytesIO()
    if has_alpha:
        image.convert("RGBA").save(buffer, format="PNG", optimize=True)
        extension = "png"
    else:
        image.convert("RGB").save(
            buffer, format="JPEG", quality=85, optimize=True, progressive=True
        )
        extension = "jpg"
    return EncodedImage(buffer.getvalue(), extension, image.width, image.height)


def studio_image_add(*, studio: Studio, upload, alt_text: str | None = None) -> StudioImage:
    """Append a photo to the studio's gallery (last in order)."""
    encoded = image_reencode(
        upload,
        max_bytes=settings.STUDIO_IMAGE_MAX_BYTES,
        max_side=settings.STUDIO_IMAGE_MAX_SIDE,
    )
    # Storage first (it may be remote and slow; no lock held), the row second; a failed
    # transaction removes the file again.
    name = default_storage.save(
        f"studios/{studio.pk}/{uuid.uuid4().hex}.{encoded.extension}",
        ContentFile(encoded.content),
    )
    try:
        with transaction.atomic():
            Studio.objects.select_for_update().filter(pk=studio.pk).first()
            existing = StudioImage.objects.filter(studio=studio)
            if existing.count() >= settings.STUDIO_MAX_IMAGES:
                raise Conflict(
                    f"A studio has at most {settings.STUDIO_MAX_IMAGES} photos.",
                    code="too_many_images",
                )
            last = existing.aggregate(last=Max("sort_order"))["last"]
            image = StudioImage.objects.create(
                studio=studio,
                file=name,
                image_url=stored_file_url(name),
                alt_text=alt_text or None,
                sort_order=0 if last is None else last + 1,
            )
    except BaseException:
        default_storage.delete(name)
        raise
    return image


def studio_image_update(*, image: StudioImage, alt_text: str | None) -> StudioImage:
    with transaction.atomic():
        image.alt_text = alt_text or None
        image.save(update_fields=["alt_text"])
    return image


def studio_image_delete(*, image: StudioImage) -> None:
    with transaction.atomic():
        name = image.file.name if image.file else None
        image.delete()
        if name:
            transaction.on_commit(lambda: default_storage.delete(name))


def studio_images_reorder(*, studio: Studio, image_ids: list[int]) -> list[StudioImage]:
    """Put the gallery in the given order; the list must name every photo exactly once."""
    with transaction.atomic():
        Studio.objects.select_for_update().filter(pk=studio.pk).first()
        images = {image.pk: image for image in StudioImage.objects.filter(studio=studio)}
        if len(image_ids) != len(set(image_ids)) or set(image_ids) != set(images):
            raise ValidationFailed(
                "List every photo of the studio exactly once.",
                fields={"image_ids": [f"Expected a permutation of {sorted(images)}."]},
            )
        ordered = []
        for position, image_id in enumerate(image_ids):
            image = images[image_id]
            image.sort_order = position
            ordered.append(image)
        StudioImage.objects.bulk_update(ordered, ["sort_order"])
    return ordered
