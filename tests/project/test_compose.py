"""docker-compose.yml is right for users who have Docker (no engine runs here)."""

from __future__ import annotations

import importlib
import re
import shlex

import pytest
import yaml
from django.core.management import get_commands

from tests.support.processes import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DJANGO_SERVICES = ["migrate", "web", "worker", "beat"]


def _argv(service: dict) -> list[str]:
    command = service["command"]
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if argv[:2] == ["sh", "-c"]:
        # "rm -f pidfile && exec celery ..." → the last command of the script
        argv = shlex.split(argv[2].split("&&")[-1].strip())
    return [arg for arg in argv if arg != "exec"]


def test_the_stack_has_every_service():
    assert set(SERVICES) == {"postgres", "redis", "migrate", "web", "proxy", "worker", "beat"}
    assert SERVICES["postgres"]["image"].startswith("postgres:15")
    assert SERVICES["redis"]["image"].startswith("redis:7")


@pytest.mark.parametrize("name", ["postgres", "redis", "web"])
def test_health_checks(name):
    assert SERVICES[name]["healthcheck"]["test"]


@pytest.mark.parametrize("name", DJANGO_SERVICES)
def test_django_services_wait_for_healthy_services_and_the_migration(name):
    service = SERVICES[name]
    assert service["build"] == "."
    depends = service["depends_on"]
    assert depends["postgres"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"
    if name != "migrate":
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    env = service["environment"]
    assert env["DJANGO_DEBUG"] == "0"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["REDIS_URL"].startswith("redis://redis:6379")


@pytest.mark.parametrize("name", DJANGO_SERVICES)
def test_every_command_points_at_something_in_the_project(name):
    argv = _argv(SERVICES[name])
    program = argv[0]
    if program == "python":
        assert argv[1] == "manage.py"
        assert (ROOT / "manage.py").exists()
        assert argv[2] in get_commands(), f"unknown management command {argv[2]}"
    elif program == "daphne":
        module, attribute = argv[-1].split(":")
        assert hasattr(importlib.import_module(module), attribute)
    elif program == "celery":
        app_module = argv[argv.index("-A") + 1]
        celery_module = importlib.import_module(f"{app_module}.celery")
        assert celery_module.app.main == "studio_finder"
        assert argv[argv.index("-A") + 2] in {"worker", "beat"}
    else:
        pytest.fail(f"unexpected program {program!r} in {name}")


def test_web_scales_behind_the_proxy():
    web = SERVICES["web"]
    assert "ports" not in web, "a fixed host port would stop `--scale web=N`"
    proxy = SERVICES["proxy"]
    for volume in proxy["volumes"]:
        source = volume.split(":")[0]
        if source in COMPOSE["volumes"]:
            continue  # a named volume (uploads, shared with the Django services)
        assert (ROOT / source).exists(), source
    assert "media:/data/media:ro" in proxy["volumes"]  # nginx serves the uploads
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "http://web:8000" in conf
    assert "Upgrade" in conf  # WebSockets pass through


def test_dockerfile_runs_the_same_asgi_application():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "uv sync --frozen" in dockerfile  # the same lock file as CI
    assert "project.asgi:application" in dockerfile


def test_every_variable_the_stack_reads_is_documented():
    used = set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "docker-compose.yml").read_text()))
    for name in DJANGO_SERVICES:
        used |= set(SERVICES[name]["environment"])
    documented = (ROOT / "docs" / "configuration.md").read_text()
    missing = sorted(name for name in used if f"`{name}`" not in documented)
    assert not missing, f"not in docs/configuration.md: {missing}"


def test_postgres_holds_the_search_working_set_in_its_own_buffers():
    """The server's default 128 MB of shared buffers made warm searches copy pages from the
    OS cache (docs/benchmarks.md): the stack sizes them, and Docker's 64 MB /dev/shm is
    raised for the dynamic shared memory that PostgreSQL also keeps there."""
    postgres = SERVICES["postgres"]
    argv = _argv(postgres)
    assert argv[0] == "postgres"
    settings = dict(arg.split("=", 1) for arg in argv[1:] if arg != "-c")
    assert settings["shared_buffers"] == "${POSTGRES_SHARED_BUFFERS:-1GB}"
    assert "effective_cache_size" in settings
    assert postgres["shm_size"] == "256mb"


@pytest.mark.parametrize("name", DJANGO_SERVICES)
def test_every_django_service_shares_the_gazetteer_copy(name):
    """The first process writes it under VAR_DIR/cache; every replica reads it from one
    named volume, which Docker fills from the image's directory, owned by its user."""
    assert "cache:/app/var/cache" in SERVICES[name]["volumes"]
    assert "cache" in COMPOSE["volumes"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "VAR_DIR=/app/var" in dockerfile
    assert re.search(r"mkdir -p [^\n]*/app/var/cache", dockerfile)
    assert "chown -R app /data /app/var" in dockerfile
