"""Input rules for profile fields, shared by the API serializers and the admin."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# Which sites each social link may point to (the host or any subdomain of it).
SOCIAL_LINK_HOSTS: dict[str, tuple[str, ...]] = {
    "facebook_url": ("facebook.com", "fb.com", "fb.me"),
    "twitter_url": ("twitter.com", "x.com"),
    "x_url": ("x.com", "twitter.com"),
    "linkedin_url": ("linkedin.com",),
    "instagram_url": ("instagram.com",),
    "tiktok_url": ("tiktok.com",),
    "threads_url": ("threads.net", "threads.com"),
    "youtube_url": ("youtube.com", "youtu.be"),
    "vimeo_url": ("vimeo.com",),
    "soundcloud_url": ("soundcloud.com",),
}

CONNECTION_METHOD_MAX_LENGTH = 10
CUSTOM_CONNECTION_METHODS_MAX = 12

# Digits with the usual separators, an optional leading +, and 6–15 digits in all
# (E.164 allows at most 15).
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()./-]{4,28}[0-9)]$")


@deconstructible
class SocialLinkValidator:
    """An http(s) URL on one of the given sites."""

    def __init__(self, hosts: tuple[str, ...]) -> None:
        self.hosts = tuple(hosts)

    def __call__(self, value: str) -> None:
        try:
            parts = urlsplit(value)
        except ValueError as exc:
            raise ValidationError("Enter a valid URL.", code="invalid") from exc
        host = (parts.hostname or "").lower().rstrip(".")
        if parts.scheme not in ("http", "https") or not host:
            raise ValidationError("Enter an http(s) URL.", code="invalid")
        if not any(host == h or host.endswith("." + h) for h in self.hosts):
            raise ValidationError(
                f"This link must point to {' or '.join(self.hosts)}.", code="wrong_site"
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SocialLinkValidator) and other.hosts == self.hosts


def validate_phone(value: str) -> None:
    digits = sum(c.isdigit() for c in value)
    if not _PHONE_RE.match(value) or not 6 <= digits <= 15:
        raise ValidationError(
            "Enter a phone number of 6 to 15 digits, e.g. +44 20 7946 0958.", code="invalid"
        )


def validate_connection_method(value: str) -> None:
    if len(value) > CONNECTION_METHOD_MAX_LENGTH:
        raise ValidationError(
            f"Connection methods are at most {CONNECTION_METHOD_MAX_LENGTH} characters.",
            code="max_length",
        )
