#!/usr/bin/env bash
# `make bench`: every benchmark of bench/, one after another (docs/benchmarks.md): the
# benchmark scripts (*.sh), then the realtime benchmarks under the machine-wide lock.
set -euo pipefail
cd "$(dirname "$0")"
for script in *.sh; do
    [[ $script == run_all.sh ]] && continue
    echo "== bench/$script"
    "./$script"
done

cd ..
PY=.venv/bin/python
LOCK="flock /tmp/sf-bench.lock"

# --- Realtime ----------------------------------------------------------------------------
$LOCK $PY bench/ws_load.py --loads 500,1000 --targets floor,floor-channels,baseline,ours1,ours2
$LOCK $PY bench/pg_floor.py
$LOCK $PY bench/ws_load.py --loads 500 --targets ours1 --layer core
$LOCK $PY bench/ws_load.py --loads 500 --targets ours1 --send-path orm
$LOCK $PY bench/ws_idle.py --sockets 10000
$LOCK $PY bench/connect_floor.py --clients 10000
$LOCK $PY bench/notify_fanout.py --users 1000
$LOCK $PY bench/send_call.py
