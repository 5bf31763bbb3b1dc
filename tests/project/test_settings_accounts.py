"""The accounts settings (project/settings/accounts.py) refuse bad configuration at boot."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def boot(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GOOGLE_CLIENT_ID": "abc"}, "set both GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET"),
        ({"TWITTER_CLIENT_SECRET": "abc"}, "set both TWITTER_CLIENT_ID and TWITTER_CLIENT_SECRET"),
        ({"OIDC_CLIENT_ID": "a", "OIDC_CLIENT_SECRET": "b"}, "OIDC_SERVER_URL must be set"),
        ({"ACCOUNT_EMAIL_VERIFICATION": "maybe"}, "none, optional or mandatory"),
        ({"API_WRITE_RATE": "lots"}, "API_WRITE_RATE must look like"),
    ],
)
def test_bad_configuration_stops_the_boot_with_one_line(env, message):
    result = boot(**env)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_configured_provider_boots():
    result = boot(FACEBOOK_CLIENT_ID="id", FACEBOOK_CLIENT_SECRET="secret", API_WRITE_RATE="10/s")
    assert result.returncode == 0, result.stderr
