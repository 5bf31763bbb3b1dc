#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on the addresses in DATABASE_URL and REDIS_URL.
# Starts them when installed and stopped; installs them with apt when missing and root.
# Fails loudly (exit 1) when a service cannot be had: the suite never skips for it.
set -euo pipefail

DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/studio_finder}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}

read -r PG_HOST PG_PORT PG_USER PG_DB < <(python3 - "$DATABASE_URL" <<'PY'
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
print(p.hostname or "127.0.0.1", p.port or 5432, p.username or "postgres", p.path.strip("/"))
PY
)
read -r REDIS_HOST REDIS_PORT < <(python3 - "$REDIS_URL" <<'PY'
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
print(p.hostname or "127.0.0.1", p.port or 6379)
PY
)

say() { echo "services: $*" >&2; }
die() { echo "services: ERROR: $*" >&2; exit 1; }
is_local() { [[ "$1" == "127.0.0.1" || "$1" == "localhost" || "$1" == "::1" ]]; }
as_root() { if [[ $(id -u) == 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

apt_install() {
  [[ $(id -u) == 0 ]] || die "$* not installed and not running as root: install it (apt-get install $*)."
  command -v apt-get >/dev/null || die "$* not installed and apt-get is not available."
  say "installing $* with apt"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

pg_ready() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; }
redis_ready() { python3 - "$REDIS_HOST" "$REDIS_PORT" <<'PY' 2>/dev/null
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1)
s.sendall(b"PING\r\n"); ok = s.recv(16).startswith(b"+PONG"); s.close()
sys.exit(0 if ok else 1)
PY
}
wait_for() { for _ in $(seq 1 30); do "$1" && return 0; sleep 0.5; done; return 1; }

# --- PostgreSQL -------------------------------------------------------------------------
if ! pg_ready; then
  is_local "$PG_HOST" || die "PostgreSQL at $PG_HOST:$PG_PORT is not reachable."
  if ! command -v pg_ctlcluster >/dev/null; then
    apt_install postgresql postgresql-contrib
    fresh_pg=1
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n1)
  if [[ ${fresh_pg:-0} == 1 ]]; then
    # A cluster we just installed: let local TCP connections in without a password.
    hba=/etc/postgresql/$version/main/pg_hba.conf
    sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
  fi
  say "starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start \
    || die "could not start PostgreSQL $version."
  wait_for pg_ready || die "PostgreSQL did not become ready on $PG_HOST:$PG_PORT."
fi

# --- Redis --------------------------------------------------------------------------------
if ! redis_ready; then
  is_local "$REDIS_HOST" || die "Redis at $REDIS_HOST:$REDIS_PORT is not reachable."
  command -v redis-server >/dev/null || apt_install redis-server
  say "starting Redis on port $REDIS_PORT"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    >/dev/null || die "could not start Redis."
  wait_for redis_ready || die "Redis did not become ready on $REDIS_HOST:$REDIS_PORT."
fi

# --- The database ----------------------------------------------------------------------------
if [[ -n "$PG_DB" ]]; then
  exists=$(psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'") \
    || die "cannot connect to PostgreSQL as $PG_USER at $PG_HOST:$PG_PORT."
  if [[ "$exists" != 1 ]]; then
    say "creating database $PG_DB"
    createdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$PG_DB"
  fi
fi
say "PostgreSQL $PG_HOST:$PG_PORT/$PG_DB and Redis $REDIS_HOST:$REDIS_PORT are up"
