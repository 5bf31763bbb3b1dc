"""Accounts settings: django-allauth, providers, hashers, roles, throttles (docs/accounts.md)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .core import INSTALLED_APPS, REST_FRAMEWORK, SITE_URL, _config_error, env

# --- Accounts (django-allauth), roles, API errors and throttling: docs/accounts.md ------

INSTALLED_APPS += [
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.facebook",
    "allauth.socialaccount.providers.twitter_oauth2",  # X
    "allauth.socialaccount.providers.openid_connect",  # optional company SSO (OIDC_*)
]

# The first hasher hashes new passwords; the legacy site's bcrypt hashes are checked by
# the last one and re-hashed with the first on the user's next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "accounts.hashers.LegacyBCryptPasswordHasher",
]

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
HEADLESS_ADAPTER = "accounts.adapters.HeadlessAdapter"
ACCOUNT_USER_DISPLAY = "accounts.adapters.user_display"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="optional")
if ACCOUNT_EMAIL_VERIFICATION not in {"none", "optional", "mandatory"}:
    _config_error(
        "ACCOUNT_EMAIL_VERIFICATION must be none, optional or mandatory; "
        f"got {ACCOUNT_EMAIL_VERIFICATION!r}."
    )
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_NOTIFICATIONS = True  # tell people when their password or email changes
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Studio Finder] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = urlsplit(SITE_URL).scheme or "https"
# Public profiles live at /{username}: names that are routes of the site are taken.
ACCOUNT_USERNAME_BLACKLIST = [
    "_allauth", "about", "accounts", "admin", "api", "auth", "billing", "contact", "dashboard",
    "faq", "healthz", "help", "login", "logout", "media", "messages", "network",
    "notifications", "premium", "privacy", "profile", "readyz", "search", "settings",
    "signup", "static", "studio", "studios", "support", "terms", "ws",
]  # fmt: skip
LOGIN_REDIRECT_URL = "/"
HEADLESS_ONLY = False  # the /accounts/ pages and the /_allauth/ API both serve
SOCIALACCOUNT_STORE_TOKENS = False  # imported legacy tokens are kept; new ones not needed
CSRF_FAILURE_VIEW = "common.api.csrf_failure"

# Behind N reverse proxies, the client's IP is the Nth address from the right of
# X-Forwarded-For; allauth's and DRF's per-IP limits both need it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT


def _oauth_app(prefix: str) -> dict | None:
    """{PREFIX}_CLIENT_ID and {PREFIX}_CLIENT_SECRET, both or neither."""
    client_id = env.str(f"{prefix}_CLIENT_ID", default="").strip()
    secret = env.str(f"{prefix}_CLIENT_SECRET", default="").strip()
    if bool(client_id) != bool(secret):
        _config_error(f"set both {prefix}_CLIENT_ID and {prefix}_CLIENT_SECRET, or neither.")
    return {"client_id": client_id, "secret": secret} if client_id else None


# A provider's button appears only when its app is configured here.
SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {}
if _google := _oauth_app("GOOGLE"):
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [_google],
        "SCOPE": ["profile", "email"],
        "AUTH_PARAMS": {"access_type": "online"},
        "OAUTH_PKCE_ENABLED": True,
    }
if _facebook := _oauth_app("FACEBOOK"):
    SOCIALACCOUNT_PROVIDERS["facebook"] = {
        "APPS": [_facebook],
        "METHOD": "oauth2",
        "SCOPE": ["email", "public_profile"],
    }
if _x := _oauth_app("TWITTER"):  # the legacy site's names for X's OAuth 2.0 app
    SOCIALACCOUNT_PROVIDERS["twitter_oauth2"] = {"APPS": [_x]}
if _oidc := _oauth_app("OIDC"):
    _oidc_server = env.str("OIDC_SERVER_URL", default="")
    if not _oidc_server:
        _config_error("OIDC_SERVER_URL must be set with OIDC_CLIENT_ID (the issuer URL).")
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                **_oidc,
                "provider_id": env.str("OIDC_PROVIDER_ID", default="sso"),
                "name": env.str("OIDC_PROVIDER_NAME", default="Single sign-on"),
                "settings": {"server_url": _oidc_server},
            }
        ],
        "OAUTH_PKCE_ENABLED": True,
    }

# DRF: writes are throttled per user (per IP when anonymous); reads are not.
_RATE_RE = r"\d+/[smhd]\w*"


def _rate(name: str, default: str) -> str:
    value = env.str(name, default=default).strip()
    if not re.fullmatch(_RATE_RE, value):
        _config_error(f"{name} must look like 120/minute or 10/s; got {value!r}.")
    return value


REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    "common.throttling.UserWriteRateThrottle",
    "common.throttling.AnonWriteRateThrottle",
]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "writes": _rate("API_WRITE_RATE", "120/minute"),
    "anon_writes": _rate("API_ANON_WRITE_RATE", "30/minute"),
}
# One budget per user for message sends, REST and WebSocket together
# (realtime/services/budget.py); the unit is s, m, h or d.
MESSAGE_SEND_RATE = _rate("MESSAGE_SEND_RATE", "120/minute")
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
