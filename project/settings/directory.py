"""Directory settings: studio management, geocoding, reviews, saved searches, search."""

from __future__ import annotations

from celery.schedules import crontab

from .core import CELERY_BEAT_SCHEDULE, SITE_URL, SPECTACULAR_SETTINGS, env

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
CELERY_BEAT_SCHEDULE["search-premium-rotation"] = {  # the text plan's stored rotation
    "task": "tasks.search.rotate_premium_order",
    "schedule": crontab(hour=0, minute=0),
}
CELERY_BEAT_SCHEDULE["saved-search-alerts"] = {
    "task": "tasks.saved_searches.send_saved_search_alerts",
    "schedule": crontab(hour=SAVED_SEARCH_ALERT_HOUR, minute=0),
}

# --- Search, map, featured, places (docs/search.md) ---------------------------------------

SEARCH_CACHE_SECONDS = env.int("SEARCH_CACHE_SECONDS", default=300)  # 0: no page cache
SEARCH_FACET_PLAN = env.bool("SEARCH_FACET_PLAN", default=True)  # PostgreSQL fast path
SEARCH_KNN_PLAN = env.bool(
    "SEARCH_KNN_PLAN", default=True
)  # nearest-first, directory/search/knn.py
SEARCH_CITY_PLAN = env.bool("SEARCH_CITY_PLAN", default=True)  # directory/search/city.py
SEARCH_TEXT_PLAN = env.bool("SEARCH_TEXT_PLAN", default=True)  # directory/search/text_plan.py
SEARCH_RADIUS_TEXT_PLAN = env.bool(
    "SEARCH_RADIUS_TEXT_PLAN", default=True
)  # text + centre, directory/search/radius_text.py
SEARCH_EXACT_COUNT_LIMIT = env.int("SEARCH_EXACT_COUNT_LIMIT", default=2000)  # then estimated
# A filtered count of the tier plan is exact only while its circle holds at most this many
# studios (the exact count tests each); past it, the sample's estimate.
SEARCH_EXACT_COUNT_SCAN_LIMIT = env.int("SEARCH_EXACT_COUNT_SCAN_LIMIT", default=4000)
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
