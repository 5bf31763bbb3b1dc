#!/usr/bin/env bash
# Every benchmark of bench/, one after another, under the machine-wide benchmark lock.
# Figures and how to read them: docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
LOCK="flock /tmp/sf-bench.lock"

# --- Realtime ----------------------------------------------------------------------------
$LOCK $PY bench/ws_load.py --loads 500,1000 --targets baseline,ours1,ours2
$LOCK $PY bench/ws_load.py --loads 500 --targets ours1 --layer core
$LOCK $PY bench/ws_load.py --loads 500 --targets ours1 --send-path orm
$LOCK $PY bench/ws_idle.py --sockets 10000
$LOCK $PY bench/notify_fanout.py --users 1000
$LOCK $PY bench/send_call.py
