# Studio Finder — the two commands of the README, and the rest.
#   make run    embedded mode: SQLite, demo data, http://127.0.0.1:8000 (HTTP + WebSocket)
#   make test   the whole suite on real PostgreSQL and Redis (started or installed if needed)

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
STAMP := $(VENV)/.synced
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails and the URLs of uploaded photos follow where `make run` serves.
SITE_URL ?= http://$(HOST):$(PORT)

# Services mode for tests: override on the command line or in the environment.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/studio_finder
TEST_REDIS_URL ?= redis://127.0.0.1:6379/9
SERVICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/studio_finder
SERVICES_REDIS_URL ?= redis://127.0.0.1:6379/0
PYTEST_ARGS ?=
# pytest-xdist processes for `make test` (each with its own test database and Redis db:
# tests/support/xdist_worker.py); the suite mostly waits on processes and sockets, so more
# workers than cores pays. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 4

EMBEDDED := env -u DATABASE_URL -u REDIS_URL SITE_URL=$(SITE_URL)
TESTENV := env DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL)
SERVICESENV := env DATABASE_URL=$(SERVICES_DATABASE_URL) REDIS_URL=$(SERVICES_REDIS_URL)

.PHONY: help venv run test lint format check-migrations services services-up browser-up bench bench-seed clean

help:  ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml uv.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	@UV_PROJECT_ENVIRONMENT=$(VENV) UV_SYSTEM_CERTS=1 $(UV) sync --frozen --inexact --quiet
	@touch $@

venv: $(STAMP)  ## create .venv and install the locked dependencies

run: $(STAMP)  ## embedded mode: migrate, seed demo data if empty, serve on http://127.0.0.1:8000
	$(EMBEDDED) $(PY) manage.py migrate --noinput
	$(EMBEDDED) $(PY) manage.py seed_demo --if-empty
	@echo "Serving http://$(HOST):$(PORT) (HTTP and WebSocket, one Daphne process). Ctrl-C stops."
	$(EMBEDDED) $(PY) -m daphne -v 0 -b $(HOST) -p $(PORT) project.asgi:application

services-up:  ## make sure PostgreSQL and Redis run (start or install them)
	@DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) scripts/ensure-services.sh

browser-up:  ## make sure Chromium is installed for the browser tests (apt when missing)
	@scripts/ensure-browser.sh

lint: $(STAMP)  ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)  ## apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-migrations: $(STAMP)
	$(TESTENV) $(PY) manage.py makemigrations --check --dry-run

test: $(STAMP) services-up browser-up lint check-migrations  ## the whole suite on real PostgreSQL and Redis
	$(TESTENV) $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

services: $(STAMP)  ## services mode: Daphne + Celery worker + beat on PostgreSQL and Redis
	@DATABASE_URL=$(SERVICES_DATABASE_URL) REDIS_URL=$(SERVICES_REDIS_URL) scripts/ensure-services.sh
	$(SERVICESENV) $(PY) manage.py migrate --noinput
	$(SERVICESENV) $(PY) manage.py seed_demo --if-empty
	$(SERVICESENV) HOST=$(HOST) PORT=$(PORT) scripts/run-services.sh

bench: $(STAMP) services-up  ## the benchmarks of bench/ (see docs/benchmarks.md)
	$(SERVICESENV) bench/run_all.sh

clean:  ## remove the virtualenv and local data
	rm -rf $(VENV) var .pytest_cache .ruff_cache
