"""People: the custom user, their profile and their key-value metadata.

Tables keep the legacy names (docs/data-model.md maps each column). This app is the
bottom of the domain: it imports no other app of the project but `common`
(tests/project/test_layers.py).
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.validators import MaxLengthValidator, RegexValidator
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
