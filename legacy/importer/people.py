"""Users, profiles, social accounts, sessions and metadata."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.contrib.auth.hashers import make_password

from accounts.hashers import legacy_bcrypt_to_django
from accounts.models import Role, User, UserMetadata, UserProfile
from accounts.services.accounts import user_email_verified_sync
from accounts.services.metadata import metadata_key_validate, metadata_value_validate
from accounts.validators import SOCIAL_LINK_HOSTS

from .report import (
    CREATED,
    SKIPPED,
    UPDATED,
    RowError,
)
from .values import (
    _bool,
    _choice,
    _datetime,
    _int,
    _json_value,
    _text,
    _url,
)

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


class PeopleImport:
    """The people tables (a mixin of LegacyImporter over ImporterCore)."""

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
