"""Configuration from the environment: clear one-line errors, a clean deploy check."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.support.processes import PYTHON, ROOT

DEPLOY_SECRET = "k3J9-x0vQ_p2Lr7sT4wYz8nB1mC5dF6gH0jK2lM4nP6qR8sT0uV2wX4yZ6aB8cD0e"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ.get("PATH", ""), "VAR_DIR": env.pop("VAR_DIR", "/tmp/sf-var")}
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DJANGO_DEBUG": "0"}, "SECRET_KEY"),
        ({"DJANGO_DEBUG": "0", "SECRET_KEY": DEPLOY_SECRET}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": "not a url", "REDIS_URL": "redis://127.0.0.1:6379/0"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://u@h:port/db", "REDIS_URL": "redis://h:6379"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://u@h:5432/", "REDIS_URL": "redis://h:6379"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://u@h/db", "REDIS_URL": "http://h:6379"}, "REDIS_URL"),
        ({"DATABASE_URL": "postgres://u@h/db", "REDIS_URL": "redis://h:63x79"}, "REDIS_URL"),
        ({"DATABASE_URL": "postgres://u@h/db"}, "REDIS_URL"),
    ],
)
def test_a_bad_configuration_stops_with_one_line_naming_the_variable(env, named):
    result = manage("check", **env)

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error:")
    assert named in lines[0]
    assert "Traceback" not in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        SECRET_KEY=DEPLOY_SECRET,
        ALLOWED_HOSTS="studios.example.com",
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_embedded_mode_needs_no_variable_and_generates_a_dev_secret(tmp_path):
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.DEBUG, s.SERVICES_MODE)",
        VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["True", "False"]
    secret = (tmp_path / "dev-secret-key").read_text()
    assert len(secret) >= 50


def _variables_read_by_settings() -> set[str]:
    import re

    # project.settings is a package, one module per concern: read them all.
    modules = sorted((ROOT / "project" / "settings").glob("*.py"))
    assert len(modules) > 1, "project/settings/ should hold the settings modules"
    source = "\n".join(module.read_text() for module in modules)
    found = set(re.findall(r'env(?:\.[a-z_]+)?\(\s*"([A-Z][A-Z0-9_]+)"', source))
    found |= set(re.findall(r'_(?:validated_url|rate)\(\s*"([A-Z][A-Z0-9_]+)"', source))
    for prefix in re.findall(r'_oauth_app\(\s*"([A-Z]+)"', source):
        found |= {f"{prefix}_CLIENT_ID", f"{prefix}_CLIENT_SECRET"}
    return found


def test_every_variable_is_documented_with_its_default():
    variables = _variables_read_by_settings()
    # One from each settings module: core, directory, accounts, observability, billing.
    assert {
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "SEARCH_CACHE_SECONDS",
        "GOOGLE_CLIENT_ID",
        "LOG_FORMAT",
        "STRIPE_SECRET_KEY",
    } <= variables
    docs = (ROOT / "docs" / "configuration.md").read_text()
    example = (ROOT / ".env.example").read_text()
    assert not sorted(v for v in variables if f"`{v}`" not in docs), "missing in docs"
    assert not sorted(v for v in variables if f"# {v}=" not in example), "missing in .env.example"
