"""The baseline: a minimal Channels chat written the way the Channels tutorial does.

No database, default `RedisChannelLayer` (the core layer), nothing stored. Kept only to
measure our server against (docs/benchmarks.md, "## Realtime").
"""

import os

SECRET_KEY = "baseline-benchmark-only"  # noqa: S105 - a local benchmark app
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["daphne", "channels"]
ASGI_APPLICATION = "bench.baseline.asgi.application"
DATABASES: dict = {}
USE_TZ = True
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")],
            "prefix": os.environ.get("CHANNEL_LAYER_PREFIX", "baseline"),
        },
    }
}
LOGGING = {"version": 1, "root": {"level": "WARNING"}}
