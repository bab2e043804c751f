#!/usr/bin/env bash
# up.sh - bring up a whole drydock fleet on loopback: redis-server (AOF on), docker-registry
# with push notifications pointed at the scheduler, drydock-scheduler, N drydock-workers and
# one drydock-notifier (docs/notify.md).
#
# Usage: deploy/local/up.sh [--workers N] [--concurrency C] [--db ADVISORY.db]
#                           [--build DIR] [--dir STATE_DIR]
#   --workers N      drydock-worker processes (default 2; scaling = running more workers)
#   --build DIR      where drydock-scheduler / drydock-worker are (default build/release,
#                    then build/dev)
#   --dir STATE_DIR  runtime state: configs, data, logs, pids (default /tmp/drydock-fleet)
#
# Prints, and writes to STATE_DIR/env, DRYDOCK_SERVER, DRYDOCK_TOKEN and DD_REGISTRY, so
#   . /tmp/drydock-fleet/env; drydock rule add --name all --namespace apps --on-push
# works at once. deploy/local/down.sh stops everything it started (by recorded pid only).
# Everything listens on 127.0.0.1 only; the tokens are random per fleet.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
workers=2 conc=2 db= build= dir=/tmp/drydock-fleet
while [ $# -gt 0 ]; do
    case $1 in
    --workers) workers=$2; shift 2 ;;
    --concurrency) conc=$2; shift 2 ;;
    --db) db=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "up.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
if [ -z "$build" ]; then
    for b in "$root/build/release" "$root/build/dev"; do
        [ -x "$b/drydock-scheduler" ] && { build=$b; break; }
    done
fi
if [ -z "$build" ] || [ ! -x "$build/drydock-scheduler" ]; then
    echo "up.sh: no drydock-scheduler; build it (cmake --preset release && cmake --build" \
        "--preset release) or pass --build DIR" >&2
    exit 1
fi
if [ -f "$dir/pids" ]; then
    echo "up.sh: $dir/pids exists: a fleet is running (deploy/local/down.sh --dir $dir)" >&2
    exit 1
fi
for t in redis-server redis-cli docker-registry curl python3; do
    command -v "$t" >/dev/null || { echo "up.sh: $t is not installed" >&2; exit 1; }
done
export DD_SOURCE_DIR=$root
# shellcheck source=../../tests/lib/services.sh
. "$root/tests/lib/services.sh" # dd_free_port, dd_wait_http
# shellcheck source=fleet.sh
. "$root/deploy/local/fleet.sh"
trap - EXIT
mkdir -p "$dir/redis" "$dir/registry" "$dir/logs"
: >"$dir/pids"

token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
etoken=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
redis_port=$(dd_free_port)
reg_port=$(dd_free_port)
sched_port=$(dd_free_port)

redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$dir/redis" --appendonly yes \
    --save "" --daemonize no --logfile "$dir/logs/redis.log" >/dev/null 2>&1 &
echo "redis $!" >>"$dir/pids"
for _ in $(seq 1 50); do
    [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] && break
    sleep 0.1
done

fleet_registry_config "$dir/registry/config.yml" "$reg_port" "$dir/registry/data" \
    "http://127.0.0.1:$sched_port/api/v1/registry/events" "$etoken"
chmod 600 "$dir/registry/config.yml"
docker-registry serve "$dir/registry/config.yml" >"$dir/logs/registry.log" 2>&1 &
echo "registry $!" >>"$dir/pids"

fleet_scheduler_config "$dir/scheduler.json" "$sched_port" "$redis_port" \
    "127.0.0.1:$reg_port" "$token" "$etoken"
"$build/drydock-scheduler" --config "$dir/scheduler.json" >"$dir/logs/scheduler.log" 2>&1 &
echo "scheduler $!" >>"$dir/pids"

dd_wait_http "http://127.0.0.1:$reg_port/v2/" 5 || { echo "up.sh: registry did not start" >&2; exit 1; }
dd_wait_http "http://127.0.0.1:$sched_port/healthz" 5 ||
    { echo "up.sh: scheduler did not start; see $dir/logs/scheduler.log" >&2; exit 1; }

if [ -x "$build/drydock-worker" ]; then
    for i in $(seq 1 "$workers"); do
        wport=$(dd_free_port)
        args=(--redis "127.0.0.1:$redis_port" --concurrency "$conc" --name "worker-$i"
            --http "127.0.0.1:$wport")
        [ -n "$db" ] && args+=(--db "$db")
        "$build/drydock-worker" "${args[@]}" >"$dir/logs/worker-$i.log" 2>&1 &
        echo "worker-$i $!" >>"$dir/pids"
        echo "worker-$i: http://127.0.0.1:$wport/metrics"
    done
else
    echo "up.sh: no $build/drydock-worker yet: jobs will wait on dd:jobs" >&2
fi

if [ -x "$build/drydock-notifier" ]; then
    nport=$(dd_free_port)
    "$build/drydock-notifier" --redis "127.0.0.1:$redis_port" --name notifier-1 \
        --http "127.0.0.1:$nport" --set "report_base_url=http://127.0.0.1:$sched_port" \
        >"$dir/logs/notifier.log" 2>&1 &
    echo "notifier $!" >>"$dir/pids"
    echo "notifier: http://127.0.0.1:$nport/metrics"
else
    echo "up.sh: no $build/drydock-notifier: rule notifications stay on dd:events" >&2
fi

cat >"$dir/env" <<EOF2
export DRYDOCK_SERVER=http://127.0.0.1:$sched_port
export DRYDOCK_TOKEN=$token
export DD_REGISTRY=127.0.0.1:$reg_port
export DD_REDIS=127.0.0.1:$redis_port
EOF2
chmod 600 "$dir/env"
cat <<EOF2
fleet up in $dir (logs in $dir/logs)
  scheduler  http://127.0.0.1:$sched_port   (token in $dir/env)
  registry   127.0.0.1:$reg_port            (push notifications -> scheduler)
  redis      127.0.0.1:$redis_port          (AOF in $dir/redis)
next:  . $dir/env && drydock rule add --name all --namespace apps --on-push
stop:  deploy/local/down.sh --dir $dir
EOF2
