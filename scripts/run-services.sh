#!/usr/bin/env bash
# Run web (Daphne), a Celery worker and beat in the foreground; Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p var
rm -f var/celerybeat.pid
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM
$PY -m celery -A project worker --loglevel=INFO --concurrency=2 & pids+=($!)
$PY -m celery -A project beat --loglevel=INFO --pidfile=var/celerybeat.pid \
  --schedule=var/celerybeat-schedule & pids+=($!)
echo "Serving http://${HOST:-127.0.0.1}:${PORT:-8000} (Daphne), with a Celery worker and beat."
$PY -m daphne -v 0 -b "${HOST:-127.0.0.1}" -p "${PORT:-8000}" project.asgi:application & pids+=($!)
wait -n
