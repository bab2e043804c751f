#!/usr/bin/env bash
# down.sh - stop a fleet started by up.sh: TERM each recorded pid (notifier and workers first,
# then the scheduler, the registry and Redis), KILL what is still there after 5 s. Only pids listed in
# STATE_DIR/pids are touched. --purge also deletes STATE_DIR (data, logs, tokens).
#
# Usage: deploy/local/down.sh [--dir STATE_DIR] [--purge]
set -euo pipefail
dir=/tmp/drydock-fleet purge=0
while [ $# -gt 0 ]; do
    case $1 in
    --dir) dir=$2; shift 2 ;;
    --purge) purge=1; shift ;;
    -h | --help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "down.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
if [ ! -f "$dir/pids" ]; then
    echo "down.sh: no fleet in $dir" >&2
    exit 1
fi
# reverse order: workers stop before the queue they read from
mapfile -t lines < <(tac "$dir/pids")
for l in "${lines[@]}"; do
    name=${l% *} pid=${l#* }
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "down.sh: $name ($pid) ignored TERM; killing" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    echo "stopped $name"
done
rm -f "$dir/pids"
[ "$purge" = 1 ] && rm -rf "$dir"
exit 0
