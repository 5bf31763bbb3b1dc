"""Import the old site's JSON backup (`database_backup_*.json`) into this schema.

The backup holds one key per legacy table, each a list of rows keyed by the legacy
column names (docs/data-model.md and ../shared/spec/legacy-schema-report.md). Tables are
loaded in dependency order; every row keeps its old id in `legacy_id`, so references
resolve and a second run updates rows instead of duplicating them.

Row by row, each in its own savepoint: a malformed row is reported with its table, id
and reason, and the rest still imports. The import spans every app's tables, which is why it
lives in the `legacy` app; nothing imports it but the `import_legacy` command.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils.dateparse import parse_datetime

from billing.models import (
    PaymentMethod,
    PendingSubscription,
    PendingSubscriptionStatus,
    Refund,
    RefundStatus,
    Subscription,
    SubscriptionStatus,
)
from directory.hashers import legacy_bcrypt_to_django
from directory.models import (
    Faq,
    LegacyContact,
    Poi,
    Review,
    ReviewResponse,
    ReviewStatus,
    Role,
    SavedSearch,
    ServiceType,
    Studio,
    StudioImage,
    StudioService,
    StudioStatus,
    StudioStudioType,
    StudioType,
    User,
    UserMetadata,
    UserProfile,
)
from directory.services.accounts import user_become_studio_owner, user_email_verified_sync
from directory.services.metadata import metadata_key_validate, metadata_value_validate
from directory.validators import SOCIAL_LINK_HOSTS
from moderation.models import ContentReport, ReportedContentType, ReportReason, ReportStatus
from realtime.models import Message, Notification, NotificationType, UserConnection

logger = logging.getLogger(__name__)

# Dependency order: a table comes after every table it references.
TABLES: tuple[str, ...] = (
    "users",
    "user_profiles",
    "accounts",
    "sessions",
    "user_metadata",
    "studios",
    "studio_images",
    "studio_services",
    "studio_studio_types",
    "reviews",
    "review_responses",
    "messages",
    "notifications",
    "user_connections",
    "contacts",
    "saved_searches",
    "subscriptions",
    "pending_subscriptions",
    "refunds",
    "content_reports",
    "poi",
    "faq",
)

# NextAuth provider names → allauth provider ids.
PROVIDERS = {"google": "google", "facebook": "facebook", "twitter": "twitter_oauth2"}
PROFILE_URL_FIELDS = tuple(SOCIAL_LINK_HOSTS)  # every social link of a profile
PROFILE_TEXT_FIELDS = (
    "last_name",
    "phone",
    "about",
    "short_about",
    "location",
    "rate_tier_1",
    "rate_tier_2",
    "rate_tier_3",
    "home_studio_description",
    "equipment_list",
    "services_offered",
    "studio_name",
    *(f"connection{i}" for i in range(1, 13)),
)
PROFILE_FLAGS = {
    "show_rates": False,
    "is_crb_checked": False,
    "is_featured": False,
    "is_spotlight": False,
    "show_email": False,
    "show_phone": False,
    "show_address": False,
    "show_directions": True,
    "use_coordinates_for_map": False,
}

CREATED, UPDATED, SKIPPED = "created", "updated", "skipped"


class RowError(Exception):
    """A row that cannot be imported; the message says why."""


@dataclass
class TableCounts:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.skipped + self.failed


@dataclass(frozen=True)
class RowFailure:
    table: str
    row_id: str | None
    reason: str

    def __str__(self) -> str:
        return f"{self.table} id={self.row_id!r}: {self.reason}"


@dataclass
class ImportReport:
    counts: dict[str, TableCounts] = field(
        default_factory=lambda: {t: TableCounts() for t in TABLES}
    )
    failures: list[RowFailure] = field(default_factory=list)
    ignored_tables: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def load_backup(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict):
        raise ValueError("the backup must be a JSON object with one key per table")
    return data


# --- reading legacy values ---------------------------------------------------------------


def _text(row: dict, key: str, *, required: bool = False) -> str | None:
    value = row.get(key)
    if value is None or (isinstance(value, str) and not value.strip() and not required):
        if required:
            raise RowError(f"{key} is required")
        return None
    if not isinstance(value, str):
        raise RowError(f"{key} must be text, not {type(value).__name__}")
    if required and not value.strip():
        raise RowError(f"{key} is required")
    if "\x00" in value:
        raise RowError(f"{key} contains a NUL character")
    return value


def _bool(row: dict, key: str, default: bool) -> bool:
    value = row.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "0", "1"):
        return value.lower() in ("true", "1")
    raise RowError(f"{key} must be true or false, not {value!r}")


def _int(row: dict, key: str, *, required: bool = False, default: int | None = None) -> int | None:
    value = row.get(key)
    if value is None:
        if required:
            raise RowError(f"{key} is required")
        return default
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise RowError(f"{key} must be a whole number, not {value!r}")
    try:
        return int(value)
    except ValueError:
        raise RowError(f"{key} must be a whole number, not {value!r}") from None


def _decimal(row: dict, key: str) -> Decimal | None:
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        raise RowError(f"{key} must be a number, not {value!r}")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise RowError(f"{key} must be a number, not {value!r}") from None


def _datetime(row: dict, key: str, *, required: bool = False) -> datetime | None:
    value = row.get(key)
    if value is None:
        if required:
            raise RowError(f"{key} is required")
        return None
    parsed = None
    if isinstance(value, str):
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        parsed = datetime.fromtimestamp(value / 1000, tz=UTC)  # JavaScript milliseconds
    if parsed is None:
        raise RowError(f"{key} is not a date and time: {value!r}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _choice(
    row: dict, key: str, choices: type[models.TextChoices], default: str | None = None
) -> str:
    value = row.get(key)
    if value is None and default is not None:
        return default
    if value not in choices.values:
        raise RowError(f"{key} {value!r} is not one of {', '.join(choices.values)}")
    return value


def _json_value(value: Any, key: str, *, strict: bool) -> Any:
    """Legacy JSON columns hold either JSON or JSON encoded as a string."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        if strict:
            raise RowError(f"{key} is not valid JSON") from None
        return value


def _url(row: dict, key: str) -> str | None:
    """A URL; the old forms accepted "facebook.com/me" without a scheme, so add one."""
    value = _text(row, key)
    if value is None:
        return None
    value = value.strip()
    if "://" not in value:
        value = "https://" + value.lstrip("/")
    return value


# --- the importer ---------------------------------------------------------------------------


class LegacyImporter:
    def __init__(self, backup: dict[str, Any], *, on_row: Callable[[], None] | None = None) -> None:
        self.backup = backup
        self.report = ImportReport()
        self.on_row = on_row or (lambda: None)
        self._ids: dict[type[models.Model], dict[str, int]] = {}

    # public ------------------------------------------------------------------------------

    def tables(self) -> list[tuple[str, list]]:
        """The backup's tables in import order (missing tables are empty)."""
        self.report.ignored_tables = sorted(set(self.backup) - set(TABLES))
        result = []
        for table in TABLES:
            rows = self.backup.get(table, [])
            if not isinstance(rows, list):
                self._fail(
                    table, None, f"the table must be a list of rows, not {type(rows).__name__}"
                )
                rows = []
            result.append((table, rows))
        return result

    def total_rows(self) -> int:
        return sum(len(rows) for _, rows in self.tables())

    def run(self) -> ImportReport:
        for table, rows in self.tables():
            handler = getattr(self, f"_import_{table}")
            for row in rows:
                self._import_row(table, handler, row)
                self.on_row()
        return self.report

    # machinery ---------------------------------------------------------------------------

    def _import_row(self, table: str, handler: Callable[[dict], str], row: Any) -> None:
        row_id = row.get("id") if isinstance(row, dict) else None
        row_id = None if row_id is None else str(row_id)
        try:
            if not isinstance(row, dict):
                raise RowError(f"a row must be an object, not {type(row).__name__}")
            if table != "sessions" and not row_id:
                raise RowError("id is required")
            with transaction.atomic():
                outcome = handler(row)
        except RowError as exc:
            self._fail(table, row_id, str(exc))
        except ValidationError as exc:
            self._fail(table, row_id, _validation_message(exc))
        except IntegrityError as exc:
            self._fail(table, row_id, str(exc).strip().splitlines()[0])
        except Exception as exc:  # any other bad data: reported, never stops the import
            logger.debug("legacy row failed", exc_info=True)
            self._fail(table, row_id, f"{type(exc).__name__}: {exc}")
        else:
            counts = self.report.counts[table]
            setattr(counts, outcome, getattr(counts, outcome) + 1)

    def _fail(self, table: str, row_id: str | None, reason: str) -> None:
        self.report.counts[table].failed += 1
        self.report.failures.append(RowFailure(table, row_id, reason))

    def _ids_of(self, model: type[models.Model]) -> dict[str, int]:
        if model not in self._ids:
            self._ids[model] = dict(
                model.objects.filter(legacy_id__isnull=False).values_list("legacy_id", "pk")
            )
        return self._ids[model]

    def _ref(
        self, model: type[models.Model], row: dict, key: str, *, required: bool = True
    ) -> int | None:
        legacy_id = row.get(key)
        if legacy_id is None:
            if required:
                raise RowError(f"{key} is required")
            return None
        pk = self._ids_of(model).get(str(legacy_id))
        if pk is None:
            table = model._meta.db_table
            raise RowError(f"{key} {legacy_id!r}: no such row in {table} (missing or failed)")
        return pk

    def _upsert(
        self,
        model: type[models.Model],
        legacy_id: str,
        values: dict[str, Any],
        *,
        created_at: datetime | None = None,
        updated_at: datetime | None = None,
        exclude_from_validation: Iterable[str] = (),
    ) -> tuple[models.Model, str]:
        """Create or update the row with this legacy id, validated like a form would."""
        instance = model.objects.filter(legacy_id=legacy_id).first()
        outcome = UPDATED
        if instance is None:
            instance = model(legacy_id=legacy_id)
            outcome = CREATED
        for name, value in values.items():
            setattr(instance, name, value)
        instance.full_clean(
            exclude=list(exclude_from_validation), validate_unique=False, validate_constraints=False
        )
        instance.save()
        # auto_now/auto_now_add ignore given values: put the legacy times back.
        times = {}
        field_names = {f.name for f in model._meta.fields}
        if created_at and "created_at" in field_names:
            times["created_at"] = created_at
        if "updated_at" in field_names and (updated_at or created_at):
            times["updated_at"] = updated_at or created_at
        if times:
            model.objects.filter(pk=instance.pk).update(**times)
        self._ids_of(model)[legacy_id] = instance.pk
        return instance, outcome

    # tables ------------------------------------------------------------------------------

    def _import_users(self, row: dict) -> str:
        legacy_id = str(row["id"])
        # allauth keeps addresses lower-case and looks them up that way.
        email = _text(row, "email", required=True).strip().lower()
        password = row.get("password")
        if password is None:
            password = make_password(None)  # OAuth-only: password reset or social login
        else:
            try:
                password = legacy_bcrypt_to_django(password)
            except ValueError as exc:
                raise RowError(f"password: {exc}") from None
        values = {
            "email": email,
            "username": _text(row, "username", required=True).strip(),
            "display_name": _text(row, "display_name", required=True).strip(),
            "avatar_url": _url(row, "avatar_url"),
            "role": _choice(row, "role", Role, default=Role.USER),
        }
        existing = User.objects.filter(legacy_id=legacy_id).first()
        # A password changed on the new site (or already upgraded from bcrypt on login)
        # is never put back to the legacy hash by a re-run.
        if (
            existing is None
            or not existing.has_usable_password()
            or existing.password.startswith("bcrypt$")
        ):
            values["password"] = password
        user, outcome = self._upsert(
            User,
            legacy_id,
            values,
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["password"],
        )
        self._sync_email_address(user, verified=_bool(row, "email_verified", False))
        return outcome

    @staticmethod
    def _sync_email_address(user: User, *, verified: bool) -> None:
        address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
        if address is None:
            address = EmailAddress(user=user, email=user.email)
        address.verified = address.verified or verified  # never un-verify
        address.primary = True
        address.save()
        EmailAddress.objects.filter(user=user).exclude(pk=address.pk).update(primary=False)
        user_email_verified_sync(user_id=user.pk)

    def _import_user_profiles(self, row: dict) -> str:
        values: dict[str, Any] = {"user_id": self._ref(User, row, "user_id")}
        for name in PROFILE_TEXT_FIELDS:
            values[name] = _text(row, name)
        for name in PROFILE_URL_FIELDS:
            values[name] = _url(row, name)
        for name, default in PROFILE_FLAGS.items():
            values[name] = _bool(row, name, default)
        values["verification_level"] = _text(row, "verification_level") or "none"
        methods = row.get("custom_connection_methods") or []
        if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
            raise RowError("custom_connection_methods must be a list of text")
        values["custom_connection_methods"] = methods
        _, outcome = self._upsert(
            UserProfile,
            str(row["id"]),
            values,
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["user"],
        )
        return outcome

    def _import_accounts(self, row: dict) -> str:
        """NextAuth `accounts` → allauth SocialAccount (+ SocialToken when it had one)."""
        user_id = self._ref(User, row, "user_id")
        provider_name = _text(row, "provider", required=True)
        provider = PROVIDERS.get(provider_name)
        if provider is None:
            raise RowError(f"provider {provider_name!r} is not one of {', '.join(PROVIDERS)}")
        kind = _text(row, "type") or "oauth"
        if kind not in ("oauth", "oidc"):
            raise RowError(f"type {kind!r} is not a provider account (oauth/oidc)")
        uid = row.get("provider_account_id")
        if uid in (None, ""):
            raise RowError("provider_account_id is required")
        extra = {
            "legacy_id": str(row["id"]),
            "legacy_type": kind,
            **{k: row[k] for k in ("scope", "token_type", "session_state") if row.get(k)},
        }
        account = SocialAccount.objects.filter(provider=provider, uid=str(uid)).first()
        outcome = UPDATED if account else CREATED
        if account is None:
            account = SocialAccount(provider=provider, uid=str(uid))
        elif account.user_id != user_id:
            raise RowError(f"{provider} account {uid!r} already belongs to another user")
        account.user_id = user_id
        account.extra_data = {**(account.extra_data or {}), **extra}
        account.save()
        access_token = _text(row, "access_token")
        if access_token:
            expires = _int(row, "expires_at")
            SocialToken.objects.update_or_create(
                account=account,
                app=None,
                defaults={
                    "token": access_token,
                    "token_secret": _text(row, "refresh_token") or "",
                    "expires_at": None
                    if expires is None
                    else datetime.fromtimestamp(expires, tz=UTC),
                },
            )
        return outcome

    def _import_sessions(self, row: dict) -> str:
        return SKIPPED  # everyone signs in again; old session tokens mean nothing here

    def _import_user_metadata(self, row: dict) -> str:
        key = _text(row, "key", required=True)
        try:
            metadata_key_validate(key)
            value = metadata_value_validate(_json_value(row.get("value"), "value", strict=False))
        except Exception as exc:
            fields = getattr(exc, "fields", {}) or {}
            raise RowError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()) or str(exc)
            ) from None
        _, outcome = self._upsert(
            UserMetadata,
            str(row["id"]),
            {"user_id": self._ref(User, row, "user_id"), "key": key, "value": value},
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["user"],
        )
        return outcome

    def _import_studios(self, row: dict) -> str:
        owner_id = self._ref(User, row, "owner_id")
        latitude, longitude = _decimal(row, "latitude"), _decimal(row, "longitude")
        if (latitude is None) != (longitude is None):
            raise RowError("latitude and longitude must both be set or both be empty")
        values = {
            "owner_id": owner_id,
            "name": _text(row, "name", required=True),
            "description": _text(row, "description"),
            "address": _text(row, "address"),
            "full_address": _text(row, "full_address"),
            "abbreviated_address": _text(row, "abbreviated_address"),
            "city": _text(row, "city", required=True),
            "latitude": latitude,
            "longitude": longitude,
            "website_url": _url(row, "website_url"),
            "phone": _text(row, "phone"),
            "is_premium": _bool(row, "is_premium", False),
            "is_verified": _bool(row, "is_verified", False),
            "is_profile_visible": _bool(row, "is_profile_visible", True),
            "status": _choice(row, "status", StudioStatus, default=StudioStatus.ACTIVE),
        }
        _, outcome = self._upsert(
            Studio,
            str(row["id"]),
            values,
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["owner"],
        )
        user_become_studio_owner(user=User.objects.get(pk=owner_id))
        return outcome

    def _import_studio_images(self, row: dict) -> str:
        _, outcome = self._upsert(
            StudioImage,
            str(row["id"]),
            {
                "studio_id": self._ref(Studio, row, "studio_id"),
                "image_url": _url(row, "image_url") or _text(row, "image_url", required=True),
                "alt_text": _text(row, "alt_text"),
                "sort_order": _int(row, "sort_order", default=0),
            },
            exclude_from_validation=["studio"],
        )
        return outcome

    def _import_studio_services(self, row: dict) -> str:
        _, outcome = self._upsert(
            StudioService,
            str(row["id"]),
            {
                "studio_id": self._ref(Studio, row, "studio_id"),
                "service": _choice(row, "service", ServiceType),
            },
            exclude_from_validation=["studio"],
        )
        return outcome

    def _import_studio_studio_types(self, row: dict) -> str:
        _, outcome = self._upsert(
            StudioStudioType,
            str(row["id"]),
            {
                "studio_id": self._ref(Studio, row, "studio_id"),
                "studio_type": _choice(row, "studio_type", StudioType),
            },
            exclude_from_validation=["studio"],
        )
        return outcome

    def _import_reviews(self, row: dict) -> str:
        reviewer_id = self._ref(User, row, "reviewer_id")
        owner_id = self._ref(User, row, "owner_id")
        if reviewer_id == owner_id:
            raise RowError("a review of one's own studio (reviewer_id = owner_id)")
        rating = _int(row, "rating", required=True)
        if not 1 <= rating <= 5:
            raise RowError(f"rating {rating} is not between 1 and 5")
        _, outcome = self._upsert(
            Review,
            str(row["id"]),
            {
                "studio_id": self._ref(Studio, row, "studio_id"),
                "reviewer_id": reviewer_id,
                "owner_id": owner_id,
                "rating": rating,
                "content": _text(row, "content"),
                "is_anonymous": _bool(row, "is_anonymous", False),
                "status": _choice(row, "status", ReviewStatus, default=ReviewStatus.PENDING),
            },
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["studio", "reviewer", "owner"],
        )
        return outcome

    def _import_review_responses(self, row: dict) -> str:
        _, outcome = self._upsert(
            ReviewResponse,
            str(row["id"]),
            {
                "review_id": self._ref(Review, row, "review_id"),
                "author_id": self._ref(User, row, "author_id"),
                "content": _text(row, "content", required=True),
            },
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["review", "author"],
        )
        return outcome

    def _import_messages(self, row: dict) -> str:
        _, outcome = self._upsert(
            Message,
            str(row["id"]),
            {
                "sender_id": self._ref(User, row, "sender_id"),
                "receiver_id": self._ref(User, row, "receiver_id"),
                "subject": _text(row, "subject"),
                "content": _text(row, "content", required=True),
                "is_read": _bool(row, "is_read", False),
            },
            created_at=_datetime(row, "created_at"),
            exclude_from_validation=["sender", "receiver"],
        )
        return outcome

    def _import_notifications(self, row: dict) -> str:
        data = _json_value(row.get("data"), "data", strict=True)
        _, outcome = self._upsert(
            Notification,
            str(row["id"]),
            {
                "user_id": self._ref(User, row, "user_id"),
                "type": _choice(row, "type", NotificationType),
                "title": _text(row, "title", required=True),
                "message": _text(row, "message", required=True),
                "data": data,
                "read": _bool(row, "read", False),
                "read_at": _datetime(row, "read_at"),
                "action_url": _text(row, "action_url"),
            },
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["user"],
        )
        return outcome

    def _connect(
        self,
        *,
        legacy_id: str,
        user_id: int,
        other_id: int,
        accepted: bool,
        created_at: datetime | None,
    ) -> str:
        """One connection per pair of people, whichever way it was asked: a second row for
        the same pair (either direction) is merged into the first — accepted if either was."""
        if user_id == other_id:
            raise RowError("a connection of a user with themselves")
        existing = UserConnection.objects.filter(legacy_id=legacy_id).first()
        if existing is None:
            existing = UserConnection.objects.filter(
                Q(user_id=user_id, connected_user_id=other_id)
                | Q(user_id=other_id, connected_user_id=user_id)
            ).first()
            if existing is not None:
                if accepted and not existing.accepted:
                    existing.accepted = True
                    existing.accepted_at = existing.accepted_at or created_at
                    existing.save(update_fields=["accepted", "accepted_at"])
                return UPDATED
        _, outcome = self._upsert(
            UserConnection,
            legacy_id,
            {
                "user_id": user_id,
                "connected_user_id": other_id,
                "accepted": accepted,
                "accepted_at": created_at if accepted else None,
            },
            created_at=created_at,
            exclude_from_validation=["user", "connected_user"],
        )
        return outcome

    def _import_user_connections(self, row: dict) -> str:
        return self._connect(
            legacy_id=str(row["id"]),
            user_id=self._ref(User, row, "user_id"),
            other_id=self._ref(User, row, "connected_user_id"),
            accepted=_bool(row, "accepted", False),
            created_at=_datetime(row, "created_at"),
        )

    def _import_contacts(self, row: dict) -> str:
        """Kept as they were in `contacts`, and migrated into user connections as the
        report recommends (user1 asked user2; accepted 1 means connected)."""
        accepted = _int(row, "accepted", default=0)
        if accepted not in (0, 1):
            raise RowError(f"accepted must be 0 or 1, not {accepted}")
        user1, user2 = _text(row, "user1", required=True), _text(row, "user2", required=True)
        created_at = _datetime(row, "created_at")
        _, outcome = self._upsert(
            LegacyContact,
            str(row["id"]),
            {"user1": user1, "user2": user2, "accepted": accepted},
            created_at=created_at,
            updated_at=_datetime(row, "updated_at"),
        )
        self._connect(
            legacy_id=f"contact:{row['id']}",
            user_id=self._ref(User, row, "user1"),
            other_id=self._ref(User, row, "user2"),
            accepted=accepted == 1,
            created_at=created_at,
        )
        return outcome

    def _import_saved_searches(self, row: dict) -> str:
        filters = _json_value(row.get("filters"), "filters", strict=True)
        if not isinstance(filters, dict):
            raise RowError("filters must be a JSON object")
        _, outcome = self._upsert(
            SavedSearch,
            str(row["id"]),
            {
                "user_id": self._ref(User, row, "user_id"),
                "name": _text(row, "name", required=True),
                "filters": filters,
            },
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["user"],
        )
        return outcome

    def _import_subscriptions(self, row: dict) -> str:
        _, outcome = self._upsert(
            Subscription,
            str(row["id"]),
            {
                "user_id": self._ref(User, row, "user_id"),
                "stripe_subscription_id": _text(row, "stripe_subscription_id"),
                "stripe_customer_id": _text(row, "stripe_customer_id"),
                "paypal_subscription_id": _text(row, "paypal_subscription_id"),
                "payment_method": _choice(
                    row, "payment_method", PaymentMethod, default=PaymentMethod.STRIPE
                ),
                "status": _choice(row, "status", SubscriptionStatus),
                "current_period_start": _datetime(row, "current_period_start"),
                "current_period_end": _datetime(row, "current_period_end"),
                "cancelled_at": _datetime(row, "cancelled_at"),
            },
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["user"],
        )
        return outcome

    def _import_pending_subscriptions(self, row: dict) -> str:
        _, outcome = self._upsert(
            PendingSubscription,
            str(row["id"]),
            {
                "user_id": self._ref(User, row, "user_id"),
                "studio_id": self._ref(Studio, row, "studio_id"),
                "paypal_subscription_id": _text(row, "paypal_subscription_id"),
                "stripe_session_id": _text(row, "stripe_session_id"),
                "status": _choice(
                    row,
                    "status",
                    PendingSubscriptionStatus,
                    default=PendingSubscriptionStatus.PENDING_APPROVAL,
                ),
                "payment_method": _choice(row, "payment_method", PaymentMethod),
            },
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["user", "studio"],
        )
        return outcome

    def _import_refunds(self, row: dict) -> str:
        amount = _int(row, "amount", required=True)
        if amount <= 0:
            raise RowError(f"amount must be positive, not {amount}")
        _, outcome = self._upsert(
            Refund,
            str(row["id"]),
            {
                "stripe_refund_id": _text(row, "stripe_refund_id", required=True),
                "stripe_payment_intent_id": _text(row, "stripe_payment_intent_id", required=True),
                "amount": amount,
                "currency": _text(row, "currency", required=True).lower(),
                "reason": _text(row, "reason"),
                "status": _choice(row, "status", RefundStatus),
                "processed_by_id": self._ref(User, row, "processed_by"),
            },
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["processed_by"],
        )
        return outcome

    _REPORTED_MODELS = {
        ReportedContentType.REVIEW: Review,
        ReportedContentType.MESSAGE: Message,
        ReportedContentType.STUDIO: Studio,
        ReportedContentType.USER: User,
    }

    def _import_content_reports(self, row: dict) -> str:
        content_type = _choice(row, "content_type", ReportedContentType)
        content_pk = self._ref(self._REPORTED_MODELS[content_type], row, "content_id")
        reason = _choice(row, "reason", ReportReason)
        custom_reason = _text(row, "custom_reason")
        if reason == ReportReason.OTHER and not custom_reason:
            raise RowError("reason OTHER needs a custom_reason")
        _, outcome = self._upsert(
            ContentReport,
            str(row["id"]),
            {
                "reporter_id": self._ref(User, row, "reporter_id"),
                "content_type": content_type,
                "content_id": str(content_pk),
                "reported_user_id": self._ref(User, row, "reported_user_id", required=False),
                "reason": reason,
                "custom_reason": custom_reason,
                "status": _choice(row, "status", ReportStatus, default=ReportStatus.PENDING),
                "reviewed_by_id": self._ref(User, row, "reviewed_by_id", required=False),
                "reviewed_at": _datetime(row, "reviewed_at"),
                "resolution": _text(row, "resolution"),
            },
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["reporter", "reported_user", "reviewed_by"],
        )
        return outcome

    def _import_poi(self, row: dict) -> str:
        _, outcome = self._upsert(
            Poi,
            str(row["id"]),
            {
                "name": _text(row, "name", required=True),
                "description": _text(row, "description"),
                "latitude": _decimal(row, "latitude"),
                "longitude": _decimal(row, "longitude"),
                "address": _text(row, "address"),
                "category": _text(row, "category"),
            },
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
        )
        return outcome

    def _import_faq(self, row: dict) -> str:
        _, outcome = self._upsert(
            Faq,
            str(row["id"]),
            {
                "question": _text(row, "question", required=True),
                "answer": _text(row, "answer", required=True),
                "sort_order": _int(row, "sort_order"),
            },
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
        )
        return outcome


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)
