"""`jit=off` and `max_parallel_workers_per_gather=0` stay on a DATABASE_URL that carries
its own `?options=` (say a statement_timeout), which come after them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _options(database_url: str) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "project.settings",
    }
    code = (
        "import django; from django.conf import settings; django.setup();"
        "print(settings.DATABASES['default']['OPTIONS'].get('options', ''))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip().splitlines()[-1]


def test_the_urls_own_options_keep_jit_and_parallel_workers_off():
    options = _options(
        "postgres://postgres@127.0.0.1:5432/sf_none?options=-c%20statement_timeout%3D5000"
    )
    assert "statement_timeout=5000" in options
    assert "jit=off" in options
    assert "max_parallel_workers_per_gather=0" in options
