"""Users, profiles, studios and everything the directory shows.

Tables keep the legacy names (docs/data-model.md maps each column); rules the old site
enforced in application code are database constraints here.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Upper
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from common.models import LegacyIdModel, TimestampedModel, choices_check, legacy_id_unique


class Role(models.TextChoices):
    USER = "USER", "User"
    STUDIO_OWNER = "STUDIO_OWNER", "Studio owner"
    ADMIN = "ADMIN", "Administrator"


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


class ReviewStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    APPROVED = "APPROVED", "Approved"
    REJECTED = "REJECTED", "Rejected"


username_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*\Z",
    "Usernames may contain letters, digits, '_', '.' and '-', and start with a letter or digit.",
)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, username: str, email: str, password: str | None = None, **extra):
        email = self.normalize_email(email)
        extra.setdefault("display_name", username)
        user = self.model(username=username, email=email, **extra)
        user.set_password(password)  # None gives an unusable password (OAuth-only users)
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, email: str, password: str | None = None, **extra):
        extra["role"] = Role.ADMIN
        extra.setdefault("email_verified", True)
        return self.create_user(username, email, password, **extra)


class User(LegacyIdModel, TimestampedModel, AbstractBaseUser):
    """The legacy `users` table. Role decides access: ADMIN is staff and superuser."""

    email = models.EmailField(max_length=254)
    username = models.CharField(max_length=50, unique=True, validators=[username_validator])
    display_name = models.CharField(max_length=100)
    avatar_url = models.URLField(max_length=500, null=True, blank=True)
    role = models.CharField(
        max_length=16, choices=Role.choices, default=Role.USER, db_default=Role.USER
    )
    email_verified = models.BooleanField(default=False, db_default=False)
    is_active = models.BooleanField(default=True, db_default=True)
    # Suspension (set by moderation, enforced on every request and socket).
    suspended_until = models.DateTimeField(null=True, blank=True)
    is_suspended_indefinitely = models.BooleanField(default=False, db_default=False)
    suspension_reason = models.TextField(blank=True, default="", db_default="")

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        db_table = "users"
        constraints = [
            legacy_id_unique(),
            # UPPER, not LOWER: Django compiles `__iexact` to UPPER(col) = UPPER(%s) on
            # PostgreSQL, so these indexes also serve allauth's case-insensitive lookups.
            models.UniqueConstraint(Upper("email"), name="users_email_ci_uniq"),
            models.UniqueConstraint(Upper("username"), name="users_username_ci_uniq"),
            choices_check("role", Role),
        ]
        indexes = [
            # allauth stores emails lower-cased and looks them up with `email = %s`.
            models.Index(fields=["email"], name="users_email_idx"),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    # Django admin and permission checks: ADMIN has every permission, nobody else has any.
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.is_admin

    @property
    def is_superuser(self) -> bool:
        return self.is_staff

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_staff

    def has_perms(self, perm_list, obj: object = None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff

    @property
    def is_suspended(self) -> bool:
        if self.is_suspended_indefinitely:
            return True
        return self.suspended_until is not None and self.suspended_until > timezone.now()


# The profile's long texts. The legacy report gives them no limit (Prisma `String`); a
# 2.4 MB `about` made a 3.4 MB public profile (issue 8). 5,000 characters is about two
# pages, well above any legacy row (docs/data-model.md, "Strings").
PROFILE_LONG_TEXT_MAX = 5000
PROFILE_LONG_TEXT_FIELDS = (
    "about",
    "home_studio_description",
    "equipment_list",
    "services_offered",
)


def _long_text() -> models.TextField:
    """`text` with a limit: validated by the model and the API (DRF reads max_length) and
    checked by the database (a CHECK on the length, see UserProfile.Meta)."""
    return models.TextField(
        null=True,
        blank=True,
        max_length=PROFILE_LONG_TEXT_MAX,
        validators=[MaxLengthValidator(PROFILE_LONG_TEXT_MAX)],
    )


class UserProfile(LegacyIdModel, TimestampedModel):
    """The legacy `user_profiles` table: one per user, with per-field privacy flags."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    last_name = models.CharField(max_length=100, null=True, blank=True)
    phone = models.CharField(max_length=40, null=True, blank=True)
    about = _long_text()
    short_about = models.CharField(max_length=500, null=True, blank=True)
    location = models.CharField(max_length=200, null=True, blank=True)
    rate_tier_1 = models.CharField(max_length=100, null=True, blank=True)
    rate_tier_2 = models.CharField(max_length=100, null=True, blank=True)
    rate_tier_3 = models.CharField(max_length=100, null=True, blank=True)
    show_rates = models.BooleanField(default=False, db_default=False)
    facebook_url = models.URLField(max_length=500, null=True, blank=True)
    twitter_url = models.URLField(max_length=500, null=True, blank=True)
    x_url = models.URLField(max_length=500, null=True, blank=True)
    linkedin_url = models.URLField(max_length=500, null=True, blank=True)
    instagram_url = models.URLField(max_length=500, null=True, blank=True)
    tiktok_url = models.URLField(max_length=500, null=True, blank=True)
    threads_url = models.URLField(max_length=500, null=True, blank=True)
    youtube_url = models.URLField(max_length=500, null=True, blank=True)
    vimeo_url = models.URLField(max_length=500, null=True, blank=True)
    soundcloud_url = models.URLField(max_length=500, null=True, blank=True)
    is_crb_checked = models.BooleanField(default=False, db_default=False)
    is_featured = models.BooleanField(default=False, db_default=False)
    is_spotlight = models.BooleanField(default=False, db_default=False)
    verification_level = models.CharField(max_length=32, default="none", db_default="none")
    home_studio_description = _long_text()
    equipment_list = _long_text()
    services_offered = _long_text()
    show_email = models.BooleanField(default=False, db_default=False)
    show_phone = models.BooleanField(default=False, db_default=False)
    show_address = models.BooleanField(default=False, db_default=False)
    show_directions = models.BooleanField(default=True, db_default=True)
    use_coordinates_for_map = models.BooleanField(default=False, db_default=False)
    studio_name = models.CharField(max_length=200, null=True, blank=True)
    connection1 = models.CharField(max_length=10, null=True, blank=True)
    connection2 = models.CharField(max_length=10, null=True, blank=True)
    connection3 = models.CharField(max_length=10, null=True, blank=True)
    connection4 = models.CharField(max_length=10, null=True, blank=True)
    connection5 = models.CharField(max_length=10, null=True, blank=True)
    connection6 = models.CharField(max_length=10, null=True, blank=True)
    connection7 = models.CharField(max_length=10, null=True, blank=True)
    connection8 = models.CharField(max_length=10, null=True, blank=True)
    connection9 = models.CharField(max_length=10, null=True, blank=True)
    connection10 = models.CharField(max_length=10, null=True, blank=True)
    connection11 = models.CharField(max_length=10, null=True, blank=True)
    connection12 = models.CharField(max_length=10, null=True, blank=True)
    # Postgres text[] in the legacy schema; a JSON list here so SQLite can hold it too.
    custom_connection_methods = models.JSONField(default=list, db_default=[], blank=True)

    class Meta:
        db_table = "user_profiles"
        constraints = [
            legacy_id_unique(),
            *(
                models.CheckConstraint(
                    condition=LessThanOrEqual(Length(name), PROFILE_LONG_TEXT_MAX),
                    name=f"user_profiles_{name}_max_length",
                )
                for name in PROFILE_LONG_TEXT_FIELDS
            ),
        ]
        indexes = [
            # Partial: the homepage and premium page ask only for the true rows.
            models.Index(
                fields=["user"], condition=Q(is_featured=True), name="profile_featured_idx"
            ),
            models.Index(
                fields=["user"], condition=Q(is_spotlight=True), name="profile_spotlight_idx"
            ),
            models.Index(fields=["verification_level"], name="profile_verif_level_idx"),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user_id}"


class Studio(LegacyIdModel, TimestampedModel):
    """The legacy `studios` table. An owner cannot be deleted while owning a studio."""

    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="studios")
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


class Review(LegacyIdModel, TimestampedModel):
    """The legacy `reviews` table: moderated, one per (studio, reviewer)."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reviews_written")
    # The studio's owner when the review was written (denormalised by the legacy site).
    # PROTECT: deleting a former owner must not delete reviews of a studio they handed on.
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="reviews_received")
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    content = models.TextField(null=True, blank=True)
    is_anonymous = models.BooleanField(default=False, db_default=False)
    status = models.CharField(
        max_length=16,
        choices=ReviewStatus.choices,
        default=ReviewStatus.PENDING,
        db_default=ReviewStatus.PENDING,
    )
    # Set when the content matched REVIEW_BLOCKLIST: the moderator sees why.
    is_flagged = models.BooleanField(default=False, db_default=False)
    flagged_terms = models.JSONField(default=list, db_default=[], blank=True)
    moderated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "reviews"
        constraints = [
            legacy_id_unique(),
            models.UniqueConstraint(fields=["studio", "reviewer"], name="review_once_per_studio"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="reviews_rating_1_to_5"
            ),
            choices_check("status", ReviewStatus),
            models.CheckConstraint(
                condition=~Q(reviewer=models.F("owner")), name="reviews_not_own_studio"
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="reviews_status_idx"),
            # Studio page: approved reviews newest first, and the rating aggregates.
            models.Index(
                fields=["studio", "-created_at"],
                condition=Q(status="APPROVED"),
                name="reviews_approved_idx",
            ),
            # Rating average and 5-to-1 distribution of a studio's approved reviews, and the
            # "sort by rating" aggregate over all studios: index-only scans.
            models.Index(
                fields=["studio", "rating"],
                condition=Q(status="APPROVED"),
                name="reviews_approved_rating_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ on {self.studio_id}"


class ReviewResponse(LegacyIdModel, TimestampedModel):
    """The legacy `review_responses` table: at most one owner response per review."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="response")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="review_responses")
    content = models.TextField()

    class Meta:
        db_table = "review_responses"
        constraints = [legacy_id_unique()]

    def __str__(self) -> str:
        return f"Response to {self.review_id}"


class SavedSearch(LegacyIdModel, TimestampedModel):
    """The legacy `saved_searches` table; filters are stored as JSON, not a JSON string."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=100)
    filters = models.JSONField(default=dict, db_default={})
    last_alerted_at = models.DateTimeField(null=True, blank=True)
    alerts_enabled = models.BooleanField(default=True, db_default=True)

    class Meta:
        db_table = "saved_searches"
        constraints = [legacy_id_unique()]

    def __str__(self) -> str:
        return self.name


class Faq(LegacyIdModel, TimestampedModel):
    """The legacy `faq` table, shown by sort_order."""

    question = models.TextField()
    answer = models.TextField()
    sort_order = models.IntegerField(null=True, blank=True)

    class Meta:
        db_table = "faq"
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ"
        constraints = [legacy_id_unique()]
        indexes = [models.Index(fields=["sort_order"], name="faq_sort_idx")]
        ordering = [models.F("sort_order").asc(nulls_last=True), "id"]

    def __str__(self) -> str:
        return self.question[:80]


class UserMetadata(LegacyIdModel, TimestampedModel):
    """The legacy `user_metadata` key-value store: one value per (user, key)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="metadata")
    key = models.CharField(
        max_length=64,
        validators=[RegexValidator(r"^[a-z0-9_.-]{1,64}\Z", "Keys match [a-z0-9_.-]{1,64}.")],
    )
    value = models.JSONField(null=True, blank=True)

    class Meta:
        db_table = "user_metadata"
        verbose_name_plural = "user metadata"
        constraints = [
            legacy_id_unique(),
            models.UniqueConstraint(fields=["user", "key"], name="user_metadata_key_uniq"),
        ]
        indexes = [models.Index(fields=["key"], name="user_metadata_key_idx")]

    def __str__(self) -> str:
        return self.key


class Poi(LegacyIdModel, TimestampedModel):
    """The legacy `poi` table: points of interest, managed in the admin only."""

    name = models.CharField(max_length=200)
    description = models.TextField(null=True, blank=True)
    latitude = models.DecimalField(max_digits=10, decimal_places=8, null=True, blank=True)
    longitude = models.DecimalField(max_digits=11, decimal_places=8, null=True, blank=True)
    address = models.CharField(max_length=500, null=True, blank=True)
    category = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        db_table = "poi"
        verbose_name = "point of interest"
        verbose_name_plural = "points of interest"
        constraints = [legacy_id_unique()]

    def __str__(self) -> str:
        return self.name


class LegacyContact(LegacyIdModel, TimestampedModel):
    """The legacy `contacts` table, kept as imported; its rows become user connections."""

    user1 = models.CharField(max_length=64, help_text="Legacy user id")
    user2 = models.CharField(max_length=64, help_text="Legacy user id")
    accepted = models.SmallIntegerField(default=0, db_default=0)

    class Meta:
        db_table = "contacts"
        constraints = [
            legacy_id_unique(),
            models.CheckConstraint(condition=Q(accepted__in=[0, 1]), name="contacts_accepted_0_1"),
        ]

    def __str__(self) -> str:
        return f"{self.user1} ↔ {self.user2}"


# --- Search index (derived; docs/search.md) --------------------------------------------
#
# Two tables that nothing in Python writes: database triggers (migration
# 0004_search_index) keep them in step with studios, their types, services, images and
# reviews, and with owners' display names, inside the same transaction as the change —
# whatever made it (a service, the admin, bulk_create, a raw UPDATE, an import).


class StudioSearch(models.Model):
    """One row per listed studio (ACTIVE and visible), with what search filters and sorts on.

    type_mask / service_mask hold one bit per StudioType / ServiceType (directory.search.bits),
    so "has any of these" is one AND on the row instead of two joins per candidate.
    """

    # No database foreign key: the triggers delete these rows with their studio, and bulk
    # rebuilds insert millions of them without a deferred key check each.
    studio = models.OneToOneField(
        Studio,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_row",
        db_constraint=False,
    )
    name_key = models.CharField(max_length=200)
    city_key = models.CharField(max_length=200)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    is_premium = models.BooleanField()
    is_verified = models.BooleanField()
    has_images = models.BooleanField()
    type_mask = models.SmallIntegerField()
    service_mask = models.SmallIntegerField()
    review_count = models.IntegerField()
    rating_avg = models.FloatField(null=True)
    studio_created_at = models.DateTimeField()
    # Embedded mode's text search: lower-cased name, city, owner's name and description.
    search_text = models.TextField(null=True)
    # PostgreSQL's: weighted tsvector (name A; owner and city B; description C).
    search_vector = SearchVectorField(null=True)

    class Meta:
        db_table = "studio_search"
        indexes = [
            # Studios without coordinates, found by their city in a radius search.
            models.Index(
                fields=["city_key"],
                condition=Q(latitude__isnull=True),
                name="studio_search_nocoord_city_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"search row of {self.studio_id}"


class StudioSearchFacet(models.Model):
    """PostgreSQL only: one row per (studio type, service) pair a studio with coordinates has.

    The radius + type + service search reads a GiST index on (facet, earth point) and touches
    only the studios that already match, instead of every studio in the circle. Empty in
    embedded mode, where the plain bounding-box path is fast enough.
    """

    pk = models.CompositePrimaryKey("studio_id", "facet")
    studio = models.ForeignKey(
        Studio,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the pk leads with it
        db_constraint=False,  # as StudioSearch.studio
    )
    facet = models.SmallIntegerField(help_text="type bit index × 16 + service bit index")
    latitude = models.FloatField()
    longitude = models.FloatField()
    is_premium = models.BooleanField()
    is_verified = models.BooleanField()
    has_images = models.BooleanField()

    class Meta:
        db_table = "studio_search_facet"

    def __str__(self) -> str:
        return f"facet {self.facet} of {self.studio_id}"


class StudioSearchWord(models.Model):
    """PostgreSQL only: every lexeme that has been in a studio_search.search_vector.

    A trigger on studio_search adds the words of every row written (migration
    0005_search_words); nothing removes them until the next rebuild, so the set is a
    superset of the live lexemes, which is all its readers need: a prefix (`nightin`) is
    asked as the exact words it begins, and a word that matches nothing is corrected to
    its most similar words (directory.search.text).
    """

    word = models.TextField(primary_key=True)

    class Meta:
        db_table = "studio_search_word"

    def __str__(self) -> str:
        return self.word
