#!/usr/bin/env bash
# bench_fleet.sh - issue 5's proof on loopback: a namespace rule over N images sharing one base
# layer, run by a real drydock-scheduler and real drydock-worker processes against a real
# redis-server (AOF on) and a real docker-registry. Not a CI test: run it by hand.
#
# Usage: bench/bench_fleet.sh [--images N] [--concurrency C] [--base debian|tiny]
#                             [--build DIR] [--only SCENARIOS] [--keep]
#   --images N       images fleet/app-<i>:1 (default 60)
#   --concurrency C  --concurrency of every worker (default 2)
#   --base debian    the cached Debian minbase layer of tests/images/debian.sh (63 MB gzip;
#                    default; built by that script if missing); "tiny": a 1-package layer
#   --build DIR      drydock-scheduler / drydock-worker (default build/release)
#   --only LIST      comma list of w1,w2,w1warm,w2warm,kill,redis (default all six)
#   --keep           keep the work directory (logs, Redis dirs, registry data)
#   --rtt MS         reach the registry through bench/lib/latency_proxy.py adding MS ms of
#                    round trip to every connection (a remote registry); default 0 (direct)
#
# Scenarios (each with a fresh Redis, hence an empty fleet-wide layer cache):
#   w1     1 worker: run the rule, wait for DONE; images/s
#   w2     2 workers: same; images/s and the ratio to w1 (target >= 1.8)
#   w1warm, w2warm  the same with the layer cache primed by one scan of fleet/app-1 (the
#          fleet's steady state: no image fetches the base layer); the ratio again
#   (w1/w2/w*warm: the rule is expanded, every job queued, before the workers start; the wall
#   time runs from worker start to the last record's finished_at)
#   kill   2 workers; kill -9 of worker-1 once a quarter of the images are final; worker-2
#          reclaims its pending jobs (reclaim_idle_ms=2000): all COMPLETE, one event per job
#   redis  2 workers; `redis-cli shutdown` (AOF fsynced) once a quarter are final, restart on
#          the same port and dir after 2 s: all COMPLETE, one event per job, reconnects
# Counted in each: fetches of the base layer blob (registry access log: GETs of its digest),
# dd:metrics:layers_fetched / layer_cache_hits, completion events per job.
#
# The table is printed and written to bench/.work/fleet-<date>.md; logs stay in
# bench/.work/fleet-<date>/ with --keep. Everything listens on 127.0.0.1; only processes this
# script started are stopped, by pid.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
nimg=60 conc=2 base=debian build=$root/build/release only=w1,w2,w1warm,w2warm,kill,redis keep=0 rtt=0
while [ $# -gt 0 ]; do
    case $1 in
    --images) nimg=$2; shift 2 ;;
    --concurrency) conc=$2; shift 2 ;;
    --base) base=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --rtt) rtt=$2; shift 2 ;;
    -h | --help) sed -n '2,29p' "$0"; exit 0 ;;
    *) echo "bench_fleet.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
for t in redis-server redis-cli docker-registry curl jq python3 gzip tar; do
    command -v "$t" >/dev/null || { echo "bench_fleet.sh: $t is not installed" >&2; exit 1; }
done
SCHED=$build/drydock-scheduler WORKER=$build/drydock-worker
[ -x "$SCHED" ] && [ -x "$WORKER" ] || {
    echo "bench_fleet.sh: no $SCHED or $WORKER (cmake --preset release &&" \
        "cmake --build --preset release -j2)" >&2
    exit 1
}
export DD_SOURCE_DIR=$root
. "$root/tests/lib/services.sh" # dd_free_port dd_wait_http dd_kill_pid dd_cleanup_push
. "$root/tests/lib/oci.sh"
. "$root/bench/lib/fleet_lib.sh"

stamp=$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$root/bench/.work"
W=$root/bench/.work/fleet-$stamp
OUTMD=$root/bench/.work/fleet-$stamp.md
mkdir -p "$W"
[ $keep = 1 ] || dd_cleanup_push "rm -rf '$W'"
dd_cleanup_push fleet_stop_all

echo "== images: $nimg x fleet/app-<i>:1, base=$base" >&2
fleet_start_registry_logged "$W/registry" || exit 1
# what the scheduler and the workers use: the registry itself, or the latency relay before it
SREG=$REG
if [ "$rtt" != 0 ]; then
    pport=$(dd_free_port)
    python3 "$root/bench/lib/latency_proxy.py" --port "$pport" --upstream "$REG" \
        --delay-ms "$(echo "scale=3; $rtt / 2" | bc)" 2>"$W/proxy.log" &
    PROXY_PID=$! # outlives the scenarios, like the registry
    dd_cleanup_push "dd_kill_pid $PROXY_PID"
    SREG=127.0.0.1:$pport
    dd_wait_http "http://$SREG/v2/" 5 || { echo "latency relay did not start" >&2; exit 1; }
    echo "== registry reached through a ${rtt} ms RTT relay at $SREG" >&2
fi
t0=$(date +%s.%N)
fleet_build_images "$nimg" "$base" "$W/img" || { echo "pushing images failed" >&2; exit 1; }
t1=$(date +%s.%N)
build_s=$(echo "$t1 - $t0" | bc)
printf '   pushed %d images in %.1f s; base layer %s (%s bytes gzip)\n' "$nimg" "$build_s" \
    "$BASE_DIGEST" "$BASE_SIZE" >&2

ROWS=()
FINDINGS=()
declare -A TP STEADY QUEUE_MS

for sc in w1 w2 w1warm w2warm kill redis; do
    case ",$only," in *",$sc,"*) ;; *) continue ;; esac
    case $sc in w1*) nw=1 ;; *) nw=2 ;; esac
    echo "== scenario $sc: $nw worker(s) x concurrency $conc" >&2
    fleet_scenario "$sc" "$nw" "$conc" "$nimg" "$W/$sc"
done

{
    echo "# drydock fleet benchmark $stamp"
    echo
    echo "$(nproc) cores; $nimg images fleet/app-<i>:1 sharing base layer $BASE_DIGEST" \
        "($BASE_SIZE bytes gzip, base=$base) + one small layer each; worker --concurrency $conc;" \
        "registry RTT added: ${rtt} ms;" \
        "build $(git -C "$root" rev-parse --short HEAD 2>/dev/null); pushed in $(printf %.1f "$build_s") s."
    echo
    echo "| scenario | workers | wall s | images/s | steady images/s | job ms p50 | queue ms p50/p90 | COMPLETE | other | events/job | base GETs | layers_fetched | cache hits | verdict |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    for pair in w1:w2 w1warm:w2warm; do
        a=${pair%:*} b=${pair#*:}
        [ -n "${TP[$a]:-}" ] && [ -n "${TP[$b]:-}" ] || continue
        r=$(echo "scale=2; ${TP[$b]} / ${TP[$a]}" | bc | xargs printf '%.2f')
        ok=$(echo "$r >= 1.8" | bc)
        echo "2 workers vs 1 ($b vs $a): **${r}x** (target >= 1.8x: $([ "$ok" = 1 ] && echo met || echo NOT met))"
        [ -n "${STEADY[$a]:-}" ] && [ -n "${STEADY[$b]:-}" ] &&
            echo "steady state (first record to last): $(echo "scale=2; ${STEADY[$b]} / ${STEADY[$a]}" | bc | xargs printf '%.2f')x"
        echo
    done
    echo "wall s: w* from worker start (queue full), kill/redis from the rule run, to the last"
    echo "record's finished_at. steady: (COMPLETE - 1) / (last - first finished_at). base GETs:"
    echo "registry access-log GETs of the base blob; layers_fetched / cache hits: dd:metrics:*."
    echo "queue ms: per job, the queue's share of a delivery as the worker logs it (queue_us: BEGIN"
    echo "script before the scan, report SET + FINAL script after matching)."
    echo
    if [ ${#FINDINGS[@]} -gt 0 ]; then
        echo "Findings:"
        printf -- '- %s\n' "${FINDINGS[@]}"
    fi
} >"$OUTMD"
cat "$OUTMD"
echo "(written to $OUTMD)" >&2
