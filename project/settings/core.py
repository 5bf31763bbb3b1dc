"""Studio Finder settings, the core: configured only from the environment.

`project.settings` is this package: core (this module: mode, database, Redis, realtime,
email, static files, security, REST framework), then directory (studios, search), accounts,
observability (logging, Sentry) and billing, in that order (project/settings/__init__.py).

Two modes (docs/configuration.md lists every variable):

* embedded — nothing set: SQLite under var/, in-memory channel layer, eager Celery,
  console email, DEBUG on. `make run` uses it.
* services — DATABASE_URL and REDIS_URL set: PostgreSQL, channels-redis, Celery on
  Redis, Django cache on Redis. Tests and production use it.

With DJANGO_DEBUG=0 the production secrets have no default: a missing one stops the
boot with a one-line message naming it.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
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
    "accounts",
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
    "accounts.middleware.SuspensionMiddleware",  # after auth: refuses suspended sessions
    "accounts.middleware.RateLimitRetryAfterMiddleware",  # Retry-After on allauth's 429s
    "accounts.middleware.ProviderNotConfiguredMiddleware",  # 404 for unconfigured providers
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

AUTH_USER_MODEL = "accounts.User"
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
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # Every query here is small: no JIT — where the planner overestimates rows (a
        # prefix word asked per map cell: directory/search/radius_text.py) it compiled the
        # statement first, 12 ms of a 13 ms search at a million studios — and no parallel
        # workers, whose start cost 15 ms of a 25 ms facet search (docs/deployment.md).
        # First, so that an `?options=` of DATABASE_URL (later `-c` wins) can change them.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = " ".join(
            ["-c jit=off -c max_parallel_workers_per_gather=0", options.get("options", "")]
        ).strip()
    # Where no pool is used (Celery workers, or DB_POOL=0): seconds to keep a connection.
    DB_CONN_MAX_AGE = env.int("DB_CONN_MAX_AGE", default=0)
    # Celery workers (sync, one connection per process) keep theirs across tasks.
    WORKER_DB_CONN_MAX_AGE = env.int("WORKER_DB_CONN_MAX_AGE", default=60)
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
# Several Redis hosts shard the channel layer by channel/group name (docs/deployment.md);
# every process must list the same hosts in the same order.
CHANNEL_LAYER_HOSTS = env.list("CHANNEL_LAYER_HOSTS", default=[]) or [REDIS_URL]
for _host in CHANNEL_LAYER_HOSTS:
    if REDIS_URL and urlsplit(_host).scheme not in {"redis", "rediss", "unix"}:
        _config_error("CHANNEL_LAYER_HOSTS must be redis://, rediss:// or unix:// URLs.")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": (
                "realtime.layers.PubSubChannelLayer"
                if CHANNEL_LAYER_BACKEND == "pubsub"
                else "channels_redis.core.RedisChannelLayer"
            ),
            "CONFIG": {
                "hosts": CHANNEL_LAYER_HOSTS,
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
# Celery's Django fixup closes the database connection around every task unless this is
# set; then it closes every N tasks, and project/celery.py closes as Django does
# (CONN_MAX_AGE = WORKER_DB_CONN_MAX_AGE, unusable connections at once).
CELERY_DB_REUSE_MAX = 1000
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
        # Suspended accounts never get here: accounts.middleware.SuspensionMiddleware.
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
