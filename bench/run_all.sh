#!/usr/bin/env bash
# `make bench`: every benchmark script of bench/, one after another (docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")"
for script in *.sh; do
    [[ $script == run_all.sh ]] && continue
    echo "== bench/$script"
    "./$script"
done
