#!/bin/bash
# test_worker_basic.sh - two drydock-worker processes against a real redis-server and
# docker-registry: every job ends COMPLETE with its counts, one completion event per job, the
# report and tag records written, the shared base layer fetched once (single flight) and then
# served from the fleet-wide layer cache,
# /healthz and /metrics answering, and SIGTERM ending each worker with status 0.
#
# Expected values by hand: each image is Debian 12 with libc6 2.36-9+deb12u4 (source glibc),
# which tests/fixtures/scan/osv matches with exactly one finding, CVE-2099-1001, CRITICAL (see
# test_scan_tiny.sh); one package per image.
. "$(dirname "$0")/test_worker_lib.bash"
fleet_setup
fleet_db || { dd_fail "db build"; dd_finish; }
N=6
mapfile -t IMGS < <(fleet_images $N)
[ ${#IMGS[@]} = $N ] || { dd_fail "pushing images"; dd_finish; }
HPORT=$(dd_free_port)
worker_start w1 --concurrency 2 --db "$DD_T/db" --http "127.0.0.1:$HPORT"
worker_start w2 --concurrency 2 --db "$DD_T/db"
enqueue "${IMGS[@]}" >"$DD_T/jobs.tsv" || dd_fail "enqueue"
if wait_final $N 40; then dd_ok "$N jobs final"; else dd_fail "only $(count_final) of $N final"; fi

bad=0
while IFS=$'\t' read -r id img; do
    rec=$(rcli hgetall "dd:job:$id" | paste - - | sort | tr '\t' '=' | tr '\n' ' ')
    for f in "status=COMPLETE " "critical=1 " "packages=1 " "high=0 " "attempt=1 " "db_built_at=20" \
        "final=w"; do
        [[ $rec == *"$f"* ]] || { bad=1; echo "  record $id lacks $f: $rec" >&2; }
    done
    rcli --raw get "dd:report:$id" | jq -e '[.results[].vulnerabilities[]?.id] == ["CVE-2099-1001"]' \
        >/dev/null || { bad=1; echo "  report $id wrong" >&2; }
    tag=$(rcli hget "dd:tag:$img" status)
    [ "$tag" = COMPLETE ] || { bad=1; echo "  dd:tag:$img status=$tag" >&2; }
done <"$DD_T/jobs.tsv"
[ $bad = 0 ] && dd_ok "records, reports and tags as expected" || dd_fail "records/reports/tags"

ev=$(events_per_job)
if [ "$(echo "$ev" | grep -c .)" = $N ] && ! echo "$ev" | grep -qv '^1 '; then
    dd_ok "one completion event per job"
else
    dd_fail "events per job: $ev"
fi
hits=$(rcli get dd:metrics:layer_cache_hits)
fetched=$(rcli get dd:metrics:layers_fetched)
echo "  first round: layer cache hits=$hits layers fetched=$fetched"
# single flight: 4 jobs start at once on two workers, yet the shared base layer is fetched
# once (one claimant, the others wait for its cache entry): N app layers + 1 base layer
[ "${hits:-0}" -ge $((N - 1)) ] && [ "${fetched:-0}" = $((N + 1)) ] &&
    dd_ok "base layer fetched once across two workers ($fetched layers for $N images)" ||
    dd_fail "base layer fetched more than once (hits=$hits fetched=$fetched, want $((N + 1)))"

# second round: every layer of every image is cached now: nothing fetched
enqueue "${IMGS[@]}" >"$DD_T/jobs2.tsv"
if wait_final $((2 * N)) 30; then dd_ok "second round final"; else dd_fail "second round"; fi
fetched2=$(rcli get dd:metrics:layers_fetched)
hits2=$(rcli get dd:metrics:layer_cache_hits)
echo "  second round: layer cache hits=$hits2 layers fetched=$fetched2"
[ "$fetched2" = "$fetched" ] && [ "$hits2" -ge $((hits + 2 * N)) ] &&
    dd_ok "second round served entirely from the layer cache" ||
    dd_fail "second round fetched layers ($fetched -> $fetched2, hits $hits -> $hits2)"
while IFS=$'\t' read -r id img; do
    [ "$(rcli hget "dd:job:$id" critical)" = 1 ] || dd_fail "cached scan of $img lost the finding"
done <"$DD_T/jobs2.tsv"

# a new DB renamed into place (as `drydock db update` does) is picked up by the next job
old_built=$(rcli hget "dd:job:$(head -1 "$DD_T/jobs.tsv" | cut -f1)" db_built_at)
sleep 1.1 # built_at has one-second resolution
"$DRYDOCK" db build --from "$DD_SOURCE_DIR/tests/fixtures/scan/osv" --out "$DD_T/db.new" \
    >/dev/null 2>&1 && mv "$DD_T/db.new" "$DD_T/db"
read -r jid _ < <(enqueue "${IMGS[0]}")
wait_final $((2 * N + 1)) 20
new_built=$(rcli hget "dd:job:$jid" db_built_at)
echo "  db_built_at: $old_built -> $new_built"
[ -n "$new_built" ] && [ "$new_built" != "$old_built" ] &&
    [ "$(rcli hget "dd:job:$jid" status)" = COMPLETE ] &&
    dd_ok "new advisory DB picked up between jobs" || dd_fail "DB reload ($old_built -> $new_built)"

[ "$(curl -s "http://127.0.0.1:$HPORT/healthz")" = ok ] && dd_ok "/healthz" || dd_fail "/healthz"
for i in $(seq 1 20); do # the queue gauges refresh every 2 s
    m=$(curl -s "http://127.0.0.1:$HPORT/metrics")
    echo "$m" | grep -q '^drydock_queue_pending 0' && echo "$m" | grep -q '^drydock_queue_depth 0' &&
        break
    sleep 0.25
done
echo "$m" | grep -q '^drydock_worker_jobs_done_total [1-9]' &&
    echo "$m" | grep -q '^drydock_worker_scan_duration_seconds_count [1-9]' &&
    echo "$m" | grep -q '^drydock_queue_pending 0' && echo "$m" | grep -q '^drydock_queue_depth 0' &&
    dd_ok "/metrics" || { dd_fail "/metrics"; echo "$m" >&2; }

for w in w1 w2; do
    pid=$(eval echo "\$WPID_$w")
    kill -TERM "$pid"
    wait "$pid"
    rc=$?
    [ $rc = 0 ] && dd_ok "$w: SIGTERM -> exit 0" || { dd_fail "$w exit $rc"; tail -5 "$DD_T/$w.log" >&2; }
    grep -qE 'Sanitizer|runtime error' "$DD_T/$w.log" && { dd_fail "$w: sanitizer report"; tail -30 "$DD_T/$w.log" >&2; }
done
dd_finish
