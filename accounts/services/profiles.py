"""Writes on a user's own profile: account fields, profile fields, avatar."""

from __future__ import annotations

import io
import logging
import re
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from common.errors import ValidationFailed
from common.services import model_update
from common.storage import stored_file_url

from ..models import User, UserProfile

logger = logging.getLogger(__name__)

# What a user may change on their own profile. is_featured, is_spotlight, is_crb_checked
# and verification_level are granted by admins (in the Django admin), never self-set.
PROFILE_EDITABLE_FIELDS: tuple[str, ...] = (
    "last_name",
    "phone",
    "about",
    "short_about",
    "location",
    "rate_tier_1",
    "rate_tier_2",
    "rate_tier_3",
    "show_rates",
    "facebook_url",
    "twitter_url",
    "x_url",
    "linkedin_url",
    "instagram_url",
    "tiktok_url",
    "threads_url",
    "youtube_url",
    "vimeo_url",
    "soundcloud_url",
    "home_studio_description",
    "equipment_list",
    "services_offered",
    "show_email",
    "show_phone",
    "show_address",
    "show_directions",
    "use_coordinates_for_map",
    "studio_name",
    *(f"connection{i}" for i in range(1, 13)),
    "custom_connection_methods",
)
ACCOUNT_EDITABLE_FIELDS: tuple[str, ...] = ("display_name",)

AVATAR_MAX_BYTES = 5 * 1024 * 1024
AVATAR_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
AVATAR_MIN_SIDE = 32
AVATAR_MAX_SIDE = 8000
AVATAR_MAX_PIXELS = 40_000_000
AVATAR_OUTPUT_SIDE = 512
_AVATAR_NAME_RE = re.compile(r"avatars/\d+/[0-9a-f]{32}\.webp$")


def profile_get_or_create(*, user: User) -> UserProfile:
    profile, _ = UserProfile.objects.get_or_create(user=user)
    return profile


def profile_update(
    *, user: User, account: dict[str, Any] | None = None, profile: dict[str, Any] | None = None
) -> User:
    """Partial update of the account (display name) and the profile, in one transaction."""
    with transaction.atomic():
        if account:
            model_update(instance=user, fields=list(ACCOUNT_EDITABLE_FIELDS), data=account)
        if profile:
            instance = profile_get_or_create(user=user)
            model_update(instance=instance, fields=list(PROFILE_EDITABLE_FIELDS), data=profile)
    return user


def _avatar_error(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"avatar": [message]})


def _reencode_avatar(upload: UploadedFile) -> bytes:
    """Check the upload really is a picture we accept, and redraw it as a new WebP.

    Re-encoding drops whatever else the file carried (EXIF with GPS, scripts in
    polyglots, trailing bytes) and bounds the stored size.
    """
    if upload.size is not None and upload.size > AVATAR_MAX_BYTES:
        raise _avatar_error("The image is larger than 5 MB.")
    try:
        with Image.open(upload) as image:
            if image.format not in AVATAR_FORMATS:
                raise _avatar_error("Upload a JPEG, PNG, WebP or GIF image.")
            width, height = image.size
            if width * height > AVATAR_MAX_PIXELS or max(width, height) > AVATAR_MAX_SIDE:
                raise _avatar_error(f"The image is larger than {AVATAR_MAX_SIDE} pixels a side.")
            if min(width, height) < AVATAR_MIN_SIDE:
                raise _avatar_error(f"The image is smaller than {AVATAR_MIN_SIDE} pixels a side.")
            image.load()
            image = ImageOps.exif_transpose(image)
            has_alpha = "A" in image.getbands() or "transparency" in image.info
            image = image.convert("RGBA" if has_alpha else "RGB")
            image = ImageOps.fit(
                image, (min(AVATAR_OUTPUT_SIDE, width, height),) * 2, Image.Resampling.LANCZOS
            )
            out = io.BytesIO()
            image.save(out, format="WEBP", quality=85, method=4)
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise _avatar_error("Upload a JPEG, PNG, WebP or GIF image.") from None
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt data
        raise _avatar_error("The image could not be read; it may be damaged.") from exc
    return out.getvalue()


def _avatar_storage_name(avatar_url: str | None) -> str | None:
    """The storage name of an avatar we stored, or None for any other URL (a legacy
    Cloudinary link, a provider's picture)."""
    if not avatar_url:
        return None
    match = _AVATAR_NAME_RE.search(avatar_url.split("?")[0])
    if not match:
        return None
    name = match.group(0)
    return name if stored_file_url(name) == avatar_url else None


def avatar_delete_file_on_commit(*, avatar_url: str | None) -> None:
    name = _avatar_storage_name(avatar_url)
    if name:
        transaction.on_commit(lambda: _delete_quietly(name))


def _delete_quietly(name: str) -> None:
    try:
        default_storage.delete(name)
    except Exception:  # a missing file or a storage hiccup must not fail the request
        logger.warning("could not delete avatar %s", name, exc_info=True)


def avatar_set(*, user: User, upload: UploadedFile) -> User:
    """Store a new avatar through Django's storage (local files or S3) and point
    avatar_url at it; the previous stored avatar is deleted after commit."""
    data = _reencode_avatar(upload)
    name = default_storage.save(
        f"avatars/{user.pk}/{uuid.uuid4().hex}.webp", ContentFile(data, name="avatar.webp")
    )
    try:
        with transaction.atomic():
            avatar_delete_file_on_commit(avatar_url=user.avatar_url)
            user.avatar_url = stored_file_url(name)
            user.save(update_fields=["avatar_url", "updated_at"])
    except Exception:
        _delete_quietly(name)
        raise
    return user


def avatar_remove(*, user: User) -> User:
    with transaction.atomic():
        avatar_delete_file_on_commit(avatar_url=user.avatar_url)
        user.avatar_url = None
        user.save(update_fields=["avatar_url", "updated_at"])
    return user
