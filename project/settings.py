"""Studio Finder settings: one module, configured only from the environment.

Two modes (docs/configuration.md lists every variable):

* embedded — nothing set: SQLite under var/, in-memory channel layer, eager Celery,
  console email, DEBUG on. `make run` uses it.
* services — DATABASE_URL and REDIS_URL set: PostgreSQL, channels-redis, Celery on
  Redis, Django cache on Redis. Tests and production use it.

With DJANGO_DEBUG=0 the production secrets have no default: a missing one stops the
boot with a one-line message naming it.
"""

from __future__ import annotations

import re
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None


def _config_error(message: str) -> None:
    """Stop the process with one readable line instead of a traceback."""
    sys.exit(f"Configuration error: {message}")


def _validated_url(name: str, schemes: set[str]) -> str | None:
    value = env.str(name, default="").strip()
    if not value:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        _config_error(f"{name} is not a valid URL ({exc}).")
    if parts.scheme not in schemes:
        _config_error(
            f"{name} must start with one of {', '.join(sorted(s + '://' for s in schemes))}; "
            f"got {value.split(':', 1)[0]!r}."
        )
    if parts.scheme.startswith("postgres") and not parts.path.strip("/"):
        _config_error(f"{name} must name a database, e.g. postgres://user@host:5432/studio_finder.")
    return value


# --- Core -------------------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=True)

DATABASE_URL = _validated_url("DATABASE_URL", {"postgres", "postgresql", "pgsql", "sqlite"})
REDIS_URL = _validated_url("REDIS_URL", {"redis", "rediss", "unix"})
SERVICES_MODE = bool(DATABASE_URL and REDIS_URL)
if bool(DATABASE_URL) != bool(REDIS_URL):
    _config_error(
        "set both DATABASE_URL and REDIS_URL for services mode, or neither for embedded mode."
    )

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if not SECRET_KEY:
        # A dev secret generated once and kept under var/, so sessions survive restarts.
        _secret_file = VAR_DIR / "dev-secret-key"
        if not _secret_file.exists():
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            _secret_file.write_text(secrets.token_urlsafe(50))
        SECRET_KEY = _secret_file.read_text().strip()
    ALLOWED_HOSTS = env.list(
        "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
    )
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if not SECRET_KEY:
        _config_error("SECRET_KEY must be set when DJANGO_DEBUG=0.")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        _config_error("ALLOWED_HOSTS must be set when DJANGO_DEBUG=0 (comma-separated hosts).")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",  # first, so runserver serves WebSockets too (channels #1956)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth.usersessions templates use it
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_guid",
    # Before allauth: our allauth/layouts/* and allauth/elements/* templates win, so the
    # sign-in, sign-up, email and password pages carry the site's layout (docs/frontend.md).
    "frontend",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.headless",
    # The legacy `sessions` table's user link: one row per signed-in session, deleted with
    # the user (docs/data-model.md, "accounts and sessions").
    "allauth.usersessions",
    "common",
    "realtime",
    "directory",
    "billing",
    "moderation",
    "legacy",
]

MIDDLEWARE = [
    "django_guid.middleware.guid_middleware",
    "common.middleware.AccessLogMiddleware",
    "common.middleware.ApiErrorMiddleware",  # never an HTML error page under /api/
    "common.middleware.UnstorableInputMiddleware",  # 400 for NUL / lone surrogates anywhere
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "frontend.middleware.ContentSecurityPolicyMiddleware",  # the pages' CSP (docs/frontend.md)
    "allauth.account.middleware.AccountMiddleware",
    "directory.middleware.SuspensionMiddleware",  # after auth: refuses suspended sessions
    "directory.middleware.RateLimitRetryAfterMiddleware",  # Retry-After on allauth's 429s
    "directory.middleware.ProviderNotConfiguredMiddleware",  # 404 for unconfigured providers
]

ROOT_URLCONF = "project.urls"
ASGI_APPLICATION = "project.asgi.application"
WSGI_APPLICATION = "project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_USER_MODEL = "directory.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Database ---------------------------------------------------------------------------

if DATABASE_URL:
    DATABASES = {"default": env.db_url("DATABASE_URL")}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Where no pool is used (Celery workers, or DB_POOL=0): seconds to keep a connection.
    DB_CONN_MAX_AGE = env.int("DB_CONN_MAX_AGE", default=0)
    if env.bool("DB_POOL", default=True):
        # Under ASGI each request's ORM work runs on a fresh thread, so persistent connections
        # are never reused (and leak); psycopg's pool gets one back at the end of every request.
        # Pooling requires CONN_MAX_AGE 0. Celery workers drop the pool (project/celery.py).
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DB_POOL_MAX_SIZE", default=10),
            "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
            "max_idle": 300,
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = DB_CONN_MAX_AGE
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "studio-finder.sqlite3",
            "OPTIONS": {
                # WAL + IMMEDIATE: readers never block the writer thread under Daphne.
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "timeout": 20,
            },
        }
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# --- Redis: channel layer, cache, Celery ------------------------------------------------

CHANNEL_LAYER_BACKEND = env.str("CHANNEL_LAYER", default="pubsub")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": (
                "channels_redis.pubsub.RedisPubSubChannelLayer"
                if CHANNEL_LAYER_BACKEND == "pubsub"
                else "channels_redis.core.RedisChannelLayer"
            ),
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": env.str("CHANNEL_LAYER_PREFIX", default="sf.asgi"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="sf"),
            "TIMEOUT": 300,
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: safe defaults for a payment system. Tasks are idempotent because acks_late with
# Redis' visibility timeout can run a task twice (celery #5935).
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "global_keyprefix": env.str("CELERY_KEY_PREFIX", default=""),
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "global_keyprefix": env.str("CELERY_KEY_PREFIX", default=""),
}
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_DEFAULT_QUEUE", default="celery")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}

# --- Realtime (docs/realtime-protocol.md) ----------------------------------------------

REALTIME_EVENT_RETENTION_DAYS = env.int("REALTIME_EVENT_RETENTION_DAYS", default=30)
REALTIME_UNREAD_EMAIL_DELAY = env.int("REALTIME_UNREAD_EMAIL_DELAY", default=120)  # seconds
REALTIME_AUTH_TIMEOUT = env.float("REALTIME_AUTH_TIMEOUT", default=5.0)
REALTIME_IDLE_TIMEOUT = env.float("REALTIME_IDLE_TIMEOUT", default=60.0)
REALTIME_MAX_FRAME_BYTES = 64 * 1024
REALTIME_RATE_LIMIT_FRAMES = env.int("REALTIME_RATE_LIMIT_FRAMES", default=100)  # per window
REALTIME_RATE_LIMIT_WINDOW = env.float("REALTIME_RATE_LIMIT_WINDOW", default=10.0)  # seconds
# Where message_send writes (realtime/services/message_store.py): empty = chosen by the
# database (PostgreSQL: one SQL call; SQLite: the ORM). bench/settings_orm.py names the ORM
# store to measure it on PostgreSQL.
REALTIME_MESSAGE_STORE = ""
REALTIME_DB_POOL_MIN = env.int("REALTIME_DB_POOL_MIN", default=1)
# Small on purpose: a call holds a connection ~1 ms, and more backends than cores only add
# contention (measured: PostgreSQL CPU per message at 500/s, pool 16 → 4: -25%).
REALTIME_DB_POOL_MAX = env.int("REALTIME_DB_POOL_MAX", default=4)
CELERY_BEAT_SCHEDULE["realtime-trim-events"] = {
    "task": "tasks.realtime.trim_events",
    "schedule": 3600.0,
}

# --- Email ------------------------------------------------------------------------------

# django-environ's documented pattern: EMAIL_URL expands to the EMAIL_* settings.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Studio Finder <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Static and media -------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
if env.str("AWS_STORAGE_BUCKET_NAME", default=""):
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME")
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default=None)
    AWS_QUERYSTRING_AUTH = False
# In DEBUG, whitenoise serves straight from the finders: no collectstatic needed.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security ---------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the browser client reads it for X-CSRFToken
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    # Cookies only over HTTPS; SECURE_COOKIES=0 only to try a production build over plain HTTP.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# --- Django REST framework and OpenAPI --------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Apps send allauth's X-Session-Token; browsers the session cookie (+ CSRF).
        # Suspended accounts never get here: directory.middleware.SuspensionMiddleware.
        "common.authentication.SessionTokenAuthentication",
        "common.authentication.CsrfSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "common.schema.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Studio Finder API",
    "DESCRIPTION": "Directory, reviews, messaging, notifications and billing of Studio Finder.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Directory: studio management, geocoding, reviews, saved searches ------------------

# With auto-approval an owner may publish (set ACTIVE) without an admin; off, as the
# legacy site moderated new listings.
STUDIO_AUTO_APPROVE = env.bool("STUDIO_AUTO_APPROVE", default=False)
STUDIO_MAX_IMAGES = env.int("STUDIO_MAX_IMAGES", default=20)
STUDIO_IMAGE_MAX_BYTES = env.int("STUDIO_IMAGE_MAX_BYTES", default=10 * 1024 * 1024)
# Uploads larger than this on either side are scaled down when re-encoded.
STUDIO_IMAGE_MAX_SIDE = env.int("STUDIO_IMAGE_MAX_SIDE", default=2560)

# Nominatim (OpenStreetMap) through geopy. The public instance's policy: an identifying
# User-Agent and at most one request a second, which GEOCODER_MIN_INTERVAL enforces across
# every worker through a Redis key.
GEOCODER_NOMINATIM_URL = env.str(
    "GEOCODER_NOMINATIM_URL", default="https://nominatim.openstreetmap.org"
).rstrip("/")
GEOCODER_USER_AGENT = env.str("GEOCODER_USER_AGENT", default=f"StudioFinder/1.0 (+{SITE_URL})")
GEOCODER_MIN_INTERVAL = env.float("GEOCODER_MIN_INTERVAL", default=1.0)
GEOCODER_TIMEOUT = env.float("GEOCODER_TIMEOUT", default=10.0)
GEOCODER_CACHE_SECONDS = env.int("GEOCODER_CACHE_SECONDS", default=30 * 24 * 3600)
GEOCODER_MISS_CACHE_SECONDS = env.int("GEOCODER_MISS_CACHE_SECONDS", default=24 * 3600)
GEOCODER_RETRY_BACKOFF = env.int("GEOCODER_RETRY_BACKOFF", default=5)  # first retry, seconds
GEOCODER_MAX_RETRIES = env.int("GEOCODER_MAX_RETRIES", default=8)
# Place-name searches (someone waits on the page): each client may send this many that
# need the geocoder, they wait at most _MAX_WAIT for a slot and _TIMEOUT for the answer,
# and all of them together use at most _SHARE of the geocoder's requests (tasks keep the
# rest). docs/security.md, "Geocoder".
GEOCODER_SEARCH_RATE = env.str("GEOCODER_SEARCH_RATE", default="6/minute")
GEOCODER_SEARCH_MAX_WAIT = env.float("GEOCODER_SEARCH_MAX_WAIT", default=2.0)
GEOCODER_SEARCH_TIMEOUT = env.float("GEOCODER_SEARCH_TIMEOUT", default=4.0)
GEOCODER_SEARCH_SHARE = env.float("GEOCODER_SEARCH_SHARE", default=0.5)

# Words or phrases (comma-separated) that flag a new review for the moderator.
REVIEW_BLOCKLIST = env.list("REVIEW_BLOCKLIST", default=[])

# One OpenAPI enum per choice set of the directory, named after it.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "StudioStatusEnum": "directory.models.StudioStatus",
        "ReviewStatusEnum": "directory.models.ReviewStatus",
        "ReviewDecisionEnum": ["APPROVED", "REJECTED"],
        "StudioTypeEnum": "directory.models.StudioType",
        "ServiceTypeEnum": "directory.models.ServiceType",
        "ReportStatusEnum": "moderation.models.ReportStatus",
        "ReportReasonEnum": "moderation.models.ReportReason",
        "ReportedContentTypeEnum": "moderation.models.ReportedContentType",
    }
)

SAVED_SEARCH_MAX_PER_USER = env.int("SAVED_SEARCH_MAX_PER_USER", default=25)
SAVED_SEARCH_ALERT_HOUR = env.int("SAVED_SEARCH_ALERT_HOUR", default=6)
CELERY_BEAT_SCHEDULE["saved-search-alerts"] = {
    "task": "tasks.saved_searches.send_saved_search_alerts",
    "schedule": crontab(hour=SAVED_SEARCH_ALERT_HOUR, minute=0),
}

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
    "directory.hashers.LegacyBCryptPasswordHasher",
]

ACCOUNT_ADAPTER = "directory.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "directory.adapters.SocialAccountAdapter"
HEADLESS_ADAPTER = "directory.adapters.HeadlessAdapter"
ACCOUNT_USER_DISPLAY = "directory.adapters.user_display"
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

# --- Logging, request ids, error reporting ----------------------------------------------

DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": False,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": True,
    "UUID_LENGTH": 32,
}
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {
        "text": {
            "format": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(message)s",
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
                "correlation_id": "request_id",
            },
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Replace Django's default "django" logger (plain text, DEBUG-only console).
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.db.backends": {"level": "INFO"},
        "daphne": {"level": "WARNING"},
        "django_guid": {"level": "WARNING"},  # not a line per request about the header
    },
}

SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
    )

# --- Search, map, featured, places (docs/search.md) ---------------------------------------

SEARCH_CACHE_SECONDS = env.int("SEARCH_CACHE_SECONDS", default=300)  # 0: no page cache
SEARCH_FACET_PLAN = env.bool("SEARCH_FACET_PLAN", default=True)  # PostgreSQL fast path
SEARCH_KNN_PLAN = env.bool(
    "SEARCH_KNN_PLAN", default=True
)  # nearest-first, directory/search/knn.py
SEARCH_EXACT_COUNT_LIMIT = env.int("SEARCH_EXACT_COUNT_LIMIT", default=2000)  # then estimated
SEARCH_ROTATION_SALT = env.str("SEARCH_ROTATION_SALT", default="premium-rotation")
MAP_MARKER_LIMIT = env.int("MAP_MARKER_LIMIT", default=500)
# The search page's map tiles ({z}/{x}/{y}); empty: no tiles, markers on a plain background
# (offline). The tile host is added to the Content-Security-Policy's img-src.
MAP_TILE_URL = env.str("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="© OpenStreetMap contributors")
FEATURED_PINNED_USERNAME = env.str("FEATURED_PINNED_USERNAME", default="VoiceoverGuy")
# Place names the gazetteer does not know go to the geocoder (GEOCODER_* above); off, they
# are unknown places (400) — for offline use.
GEOCODER_ENABLED = env.bool("GEOCODER_ENABLED", default=True)

# --- Billing: Stripe (docs/billing.md) ----------------------------------------------------

# stripe-python 16.x pins this API version; payloads and the fake in tests follow it.
STRIPE_API_VERSION = "2026-10-28.endive"
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_PRICE_ID = env.str("STRIPE_PRICE_ID", default="")
# Where stripe-python sends API calls: Stripe's own server unless a test or a proxy says so.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com").rstrip("/")
STRIPE_WEBHOOK_TOLERANCE = 300  # seconds a signed webhook stays valid
# A completed checkout waits for an admin's approval before the studio goes premium.
BILLING_REQUIRE_APPROVAL = env.bool("BILLING_REQUIRE_APPROVAL", default=False)
# A PAST_DUE subscription keeps premium this many days after its period started.
BILLING_PAST_DUE_GRACE_DAYS = env.int("BILLING_PAST_DUE_GRACE_DAYS", default=14)
BILLING_REMINDER_DAYS = (14, 3)
BILLING_DAILY_HOUR = env.int("BILLING_DAILY_HOUR", default=5)
CELERY_BEAT_SCHEDULE["billing-expiry-reminders"] = {
    "task": "tasks.billing_schedules.send_expiry_reminders",
    "schedule": crontab(hour=BILLING_DAILY_HOUR, minute=0),
}
CELERY_BEAT_SCHEDULE["billing-premium-sweep"] = {
    "task": "tasks.billing_schedules.sweep_premium",
    "schedule": crontab(hour=BILLING_DAILY_HOUR, minute=15),
}
if not DEBUG and STRIPE_SECRET_KEY and not STRIPE_WEBHOOK_SECRET:
    _config_error("STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set.")
