"""Studios and what they offer: the legacy `studios` table and its joins."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from common.models import LegacyIdModel, TimestampedModel, choices_check, legacy_id_unique


class StudioStatus(models.TextChoices):
    DRAFT = "DRAFT", "Draft"
    ACTIVE = "ACTIVE", "Active"
    INACTIVE = "INACTIVE", "Inactive"
    PENDING = "PENDING", "Pending approval"


class StudioType(models.TextChoices):
    HOME = "HOME", "Home studio"
    RECORDING = "RECORDING", "Recording studio"
    VO_COACH = "VO_COACH", "Voiceover coaching"
    EDITING = "EDITING", "Audio editing"
    PODCAST = "PODCAST", "Podcast production"
    VOICEOVER = "VOICEOVER", "Voiceover services"


class ServiceType(models.TextChoices):
    ISDN = "ISDN", "ISDN"
    SOURCE_CONNECT = "SOURCE_CONNECT", "Source-Connect"
    SOURCE_CONNECT_NOW = "SOURCE_CONNECT_NOW", "Source-Connect Now"
    CLEANFEED = "CLEANFEED", "Cleanfeed"
    SESSION_LINK_PRO = "SESSION_LINK_PRO", "SessionLinkPRO"
    ZOOM = "ZOOM", "Zoom"
    SKYPE = "SKYPE", "Skype"
    TEAMS = "TEAMS", "Microsoft Teams"


class Studio(LegacyIdModel, TimestampedModel):
    """The legacy `studios` table. An owner cannot be deleted while owning a studio."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="studios"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(null=True, blank=True)
    address = models.CharField(max_length=500, null=True, blank=True)  # legacy, kept
    full_address = models.CharField(max_length=500, null=True, blank=True)
    abbreviated_address = models.CharField(max_length=300, null=True, blank=True)
    city = models.CharField(max_length=200)
    latitude = models.DecimalField(
        max_digits=10,
        decimal_places=8,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=11,
        decimal_places=8,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    website_url = models.URLField(max_length=500, null=True, blank=True)
    phone = models.CharField(max_length=40, null=True, blank=True)
    is_premium = models.BooleanField(default=False, db_default=False)
    is_verified = models.BooleanField(default=False, db_default=False)
    is_profile_visible = models.BooleanField(default=True, db_default=True)
    status = models.CharField(
        max_length=16,
        choices=StudioStatus.choices,
        default=StudioStatus.ACTIVE,
        db_default=StudioStatus.ACTIVE,
    )
    # When the studio first became ACTIVE: saved-search alerts announce studios by it, so a
    # draft published months after it was created is still "new".
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "studios"
        constraints = [
            legacy_id_unique(),
            choices_check("status", StudioStatus),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="studios_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="studios_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="studios_coordinates_both_or_neither",
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="studios_status_idx"),
            models.Index(fields=["is_premium"], name="studios_premium_idx"),
            models.Index(fields=["is_verified"], name="studios_verified_idx"),
            models.Index(Upper("city"), name="studios_city_upper_idx"),
            models.Index(fields=["-created_at"], name="studios_created_idx"),
            models.Index(
                fields=["status", "is_premium", "is_verified"], name="studios_search_prio_idx"
            ),
            models.Index(fields=["published_at"], name="studios_published_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class StudioImage(LegacyIdModel):
    """The legacy `studio_images` table; the first by sort_order is the thumbnail."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="images")
    image_url = models.URLField(max_length=500)
    # Uploaded images: the stored file (Django storage); image_url is its public URL.
    # Imported rows keep only their Cloudinary image_url.
    file = models.FileField(upload_to="studios/", max_length=300, null=True, blank=True)
    alt_text = models.CharField(max_length=300, null=True, blank=True)
    sort_order = models.IntegerField(default=0, db_default=0)

    class Meta:
        db_table = "studio_images"
        constraints = [legacy_id_unique()]
        indexes = [models.Index(fields=["studio", "sort_order"], name="studio_images_order_idx")]
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.image_url


class StudioService(LegacyIdModel):
    """The legacy `studio_services` join: which services a studio offers."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="services")
    service = models.CharField(max_length=32, choices=ServiceType.choices)

    class Meta:
        db_table = "studio_services"
        constraints = [
            legacy_id_unique(),
            models.UniqueConstraint(fields=["studio", "service"], name="studio_service_uniq"),
            choices_check("service", ServiceType),
        ]
        indexes = [models.Index(fields=["service", "studio"], name="studio_services_svc_idx")]

    def __str__(self) -> str:
        return self.service


class StudioStudioType(LegacyIdModel):
    """The legacy `studio_studio_types` join: which types a studio is."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="studio_types")
    studio_type = models.CharField(max_length=32, choices=StudioType.choices)

    class Meta:
        db_table = "studio_studio_types"
        constraints = [
            legacy_id_unique(),
            models.UniqueConstraint(fields=["studio", "studio_type"], name="studio_type_uniq"),
            choices_check("studio_type", StudioType),
        ]
        indexes = [models.Index(fields=["studio_type", "studio"], name="studio_types_type_idx")]

    def __str__(self) -> str:
        return self.studio_type
