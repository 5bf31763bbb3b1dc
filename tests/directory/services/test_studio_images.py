"""Photos: checked and re-encoded with Pillow, stored through Django storage, re-ordered."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from common.errors import Conflict, ValidationFailed
from directory.models import StudioImage
from directory.services.studio_images import (
    studio_image_add,
    studio_image_delete,
    studio_images_reorder,
)
from tests.factories import StudioFactory, StudioImageFactory
from tests.support.images import image_bytes, jpeg_with_private_exif, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://studios.example.com"
    return settings.MEDIA_ROOT


def _stored(image: StudioImage) -> Image.Image:
    with default_storage.open(image.file.name) as handle:
        return Image.open(io.BytesIO(handle.read()))


def test_a_photo_is_re_encoded_upright_and_without_metadata(media):
    studio = StudioFactory()
    image = studio_image_add(
        studio=studio, upload=upload(jpeg_with_private_exif()), alt_text="Booth"
    )

    assert image.file.name.startswith(f"studios/{studio.pk}/")
    assert (media / image.file.name).exists()
    assert image.image_url == f"https://studios.example.com/media/{image.file.name}"
    stored = _stored(image)
    assert stored.format == "JPEG"
    assert stored.size == (40, 80)  # turned upright by its EXIF orientation
    raw = (media / image.file.name).read_bytes()
    assert b"secret-home-address" not in raw
    assert b"SERIAL-12345" not in raw
    assert not stored.getexif()


def test_transparency_is_kept_as_png():
    image = studio_image_add(
        studio=StudioFactory(), upload=upload(image_bytes("PNG", mode="RGBA"), "logo.png")
    )
    assert image.file.name.endswith(".png")
    assert _stored(image).mode == "RGBA"


def test_large_photos_are_scaled_down(settings):
    settings.STUDIO_IMAGE_MAX_SIDE = 100
    image = studio_image_add(studio=StudioFactory(), upload=upload(image_bytes(size=(400, 200))))
    assert _stored(image).size == (100, 50)


def test_webp_and_gif_are_accepted():
    studio = StudioFactory()
    studio_image_add(studio=studio, upload=upload(image_bytes("WEBP"), "a.webp"))
    studio_image_add(studio=studio, upload=upload(image_bytes("GIF", mode="P"), "a.gif"))
    assert studio.images.count() == 2


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"GIF89a but not really an image", "not an image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "svg"),
        (image_bytes("BMP"), "bmp is not accepted"),
        (image_bytes("TIFF"), "tiff is not accepted"),
        (image_bytes()[:200], "truncated jpeg"),
        (image_bytes(size=(8, 8)), "too small"),
    ],
)
def test_files_that_are_not_acceptable_images_are_refused(content, why, media):
    studio = StudioFactory()
    with pytest.raises(ValidationFailed) as error:
        studio_image_add(studio=studio, upload=upload(content))
    assert "image" in error.value.fields, why
    assert not studio.images.exists()
    assert not (media / "studios").exists() or not any((media / "studios").rglob("*.*"))


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_decompression_bomb_is_refused_before_decoding():
    bomb = image_bytes("PNG", size=(10_000, 10_000), mode="1")  # 100 Mpx in a few kB
    assert len(bomb) < 100_000
    with pytest.raises(ValidationFailed):
        studio_image_add(studio=StudioFactory(), upload=upload(bomb, "bomb.png"))


def test_files_over_the_size_limit_are_refused(settings):
    settings.STUDIO_IMAGE_MAX_BYTES = 1000
    with pytest.raises(ValidationFailed):
        studio_image_add(studio=StudioFactory(), upload=upload(image_bytes(size=(300, 300))))


def test_a_gallery_is_capped_and_the_refused_file_is_removed(settings, media):
    settings.STUDIO_MAX_IMAGES = 2
    studio = StudioFactory()
    for _ in range(2):
        studio_image_add(studio=studio, upload=upload(image_bytes()))
    with pytest.raises(Conflict):
        studio_image_add(studio=studio, upload=upload(image_bytes()))
    assert len(list((media / "studios").rglob("*.jpg"))) == 2


def test_new_photos_go_last():
    studio = StudioFactory()
    StudioImageFactory(studio=studio, sort_order=7)
    image = studio_image_add(studio=studio, upload=upload(image_bytes()))
    assert image.sort_order == 8


def test_reordering_takes_every_photo_once(django_capture_on_commit_callbacks):
    studio = StudioFactory()
    a, b, c = (StudioImageFactory(studio=studio, sort_order=n) for n in range(3))
    with django_capture_on_commit_callbacks(execute=True):
        studio_images_reorder(studio=studio, image_ids=[c.pk, a.pk, b.pk])
    assert list(studio.images.order_by("sort_order").values_list("pk", flat=True)) == [
        c.pk,
        a.pk,
        b.pk,
    ]

    for wrong in ([a.pk, b.pk], [a.pk, b.pk, c.pk, c.pk], [a.pk, b.pk, StudioImageFactory().pk]):
        with pytest.raises(ValidationFailed):
            studio_images_reorder(studio=studio, image_ids=wrong)


def test_deleting_a_photo_removes_its_file_after_commit(media, django_capture_on_commit_callbacks):
    image = studio_image_add(studio=StudioFactory(), upload=upload(image_bytes()))
    path = media / image.file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        studio_image_delete(image=image)
    assert path.exists()  # a rollback would still have it
    for callback in callbacks:
        callback()
    assert not path.exists()
