#!/usr/bin/env bash
# seed_demo at one million studios on PostgreSQL (docs/benchmarks.md).
#
#   bench/seed_1m.sh [STUDIOS] [SEED]            default: 1000000 studios, seed 1
#
# SEED_BENCH_DATABASE_URL names the database to load; it is DROPPED and re-created,
# migrated, then loaded by `manage.py seed_demo` under `flock /tmp/sf-bench.lock` so
# that no other benchmark runs at the same time. Without it, the services database's
# name with "_seed_bench" appended is used, never the services database itself.
# The loaded database is left in place: the search benchmarks run on it.
# REDIS_URL (or SERVICES_REDIS_URL) is only needed because services mode wants both URLs.
set -euo pipefail
cd "$(dirname "$0")/.."

studios=${1:-1000000}
seed=${2:-1}
services_url=${SERVICES_DATABASE_URL:-${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/studio_finder}}
url=${SEED_BENCH_DATABASE_URL:-${services_url%%\?*}_seed_bench}
database=${url##*/}
database=${database%%\?*}
maintenance_url=${url%/*}/postgres
export DATABASE_URL=$url
export REDIS_URL=${REDIS_URL:-${SERVICES_REDIS_URL:-redis://127.0.0.1:6379/0}}
python=${PYTHON:-.venv/bin/python}

echo "Re-creating $database"
psql "$maintenance_url" -v ON_ERROR_STOP=1 -q \
    -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS \"$database\"" -c "CREATE DATABASE \"$database\""
"$python" manage.py migrate --noinput -v0

mkdir -p bench/results
log=bench/results/seed_1m-$(date -u +%Y%m%dT%H%M%SZ).log
command="manage.py seed_demo --scale $studios --seed $seed -v2"
flock /tmp/sf-bench.lock bash -c '
    echo "load average before: $(cut -d" " -f1-3 /proc/loadavg)"
    start=$(date +%s%N)
    "$1" $2
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    echo "load average after: $(cut -d" " -f1-3 /proc/loadavg)"
    printf "wall clock of python %s: %d.%01d s\n" "$2" $((elapsed_ms / 1000)) $((elapsed_ms % 1000 / 100))
' _ "$python" "$command" 2>&1 | tee "$log" | tr '\r' '\n' | grep -v "rows/s\]$\|ddl/s\]$\| ddl\]$\|^$"
psql "$url" -Atc "SELECT 'database size: ' || pg_size_pretty(pg_database_size(current_database()))" \
    | tee -a "$log"
echo "Log: $log"
