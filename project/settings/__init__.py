# ruff: noqa: F403, I001 - star imports, in execution order (not sorted)
"""Studio Finder settings (`DJANGO_SETTINGS_MODULE=project.settings`).

One module per concern, run in this order; a later module reads what it needs from
`core` and may extend core's lists and dicts (INSTALLED_APPS, CELERY_BEAT_SCHEDULE, ...).
docs/configuration.md lists every variable they read.
"""

from .core import *
from .directory import *
from .accounts import *
from .observability import *
from .billing import *
