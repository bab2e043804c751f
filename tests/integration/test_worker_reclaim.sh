#!/bin/bash
# test_worker_reclaim.sh - the retry model (docs/worker.md): a worker killed with kill -9
# mid-scan leaves its jobs pending; a live worker reclaims them with XAUTOCLAIM after
# reclaim_idle_ms and finishes each exactly once (attempt 2, one completion event per job).
# A poisoned job (an image that does not exist) is retried through the same path and ends
# FAILED after max_attempts with the registry's reason.
#
# Slow jobs without sleeps in the worker: the images are read through tests/lib/faultreg.py
# with the r429-1 fault (every URL answers 429 + Retry-After: 1 once), so each scan takes a few
# seconds and the kill lands while all of w1's jobs are in flight.
. "$(dirname "$0")/test_worker_lib.bash"
fleet_setup
N=4
mapfile -t IMGS < <(fleet_images $N)
[ ${#IMGS[@]} = $N ] || { dd_fail "pushing images"; dd_finish; }
dd_start_faultreg "$DD_REGISTRY" || exit 1
SLOW=()
for img in "${IMGS[@]}"; do SLOW+=("$DD_FAULTREG/r429-1/${img#*/}"); done
FAST=(--set reclaim_idle_ms=1500 --set reclaim_interval_ms=300 --set max_attempts=3)

worker_start w1 --concurrency $N "${FAST[@]}"
enqueue "${SLOW[@]}" >"$DD_T/jobs.tsv" || dd_fail "enqueue"
for i in $(seq 1 50); do
    [ "$(grep -c 'attempt=1 msg=started' "$DD_T/w1.log")" -ge $N ] && break
    sleep 0.1
done
started=$(grep -c 'attempt=1 msg=started' "$DD_T/w1.log")
kill -KILL "$WPID_w1"
wait "$WPID_w1" 2>/dev/null
final=$(count_final)
echo "  w1 killed with $started jobs started, $final final"
[ "$started" = $N ] && [ "$final" = 0 ] && dd_ok "kill -9 landed mid-scan" ||
    dd_fail "kill -9 did not land mid-scan (started=$started final=$final)"
pend=$(rcli xpending dd:jobs workers | head -1)
[ "$pend" = $N ] && dd_ok "the dead worker's $N jobs are pending" || dd_fail "pending=$pend"

worker_start w2 --concurrency $N "${FAST[@]}"
if wait_final $N 30; then dd_ok "all jobs final after the reclaim"; else dd_fail "final: $(count_final)/$N"; fi
bad=0
while IFS=$'\t' read -r id img; do
    st=$(rcli hget "dd:job:$id" status)
    at=$(rcli hget "dd:job:$id" attempt)
    wk=$(rcli hget "dd:job:$id" final)
    [ "$st" = COMPLETE ] && [ "$at" = 2 ] && [ "$wk" = w2 ] || {
        bad=1
        echo "  $id: status=$st attempt=$at final=$wk" >&2
    }
done <"$DD_T/jobs.tsv"
[ $bad = 0 ] && dd_ok "every job COMPLETE on attempt 2 by w2" || dd_fail "records after reclaim"
ev=$(events_per_job)
if [ "$(echo "$ev" | grep -c .)" = $N ] && ! echo "$ev" | grep -qv '^1 '; then
    dd_ok "exactly one completion event per job"
else
    dd_fail "events per job: $ev"
fi
[ "$(grep -c 'reclaimed an idle job' "$DD_T/w2.log")" = $N ] && dd_ok "w2 reclaimed $N entries" ||
    dd_fail "w2 reclaims: $(grep -c 'reclaimed an idle job' "$DD_T/w2.log")"
for i in $(seq 1 20); do
    [ "$(rcli xpending dd:jobs workers | head -1)" = 0 ] && break
    sleep 0.1
done
[ "$(rcli xpending dd:jobs workers | head -1)" = 0 ] && dd_ok "nothing left pending" ||
    dd_fail "entries still pending"

# poison: retried through the reclaim path, FAILED after 3 attempts with the reason
read -r pid_job _ < <(enqueue "$DD_REGISTRY/nope/missing:1")
seen_retrying=0
for i in $(seq 1 150); do
    st=$(rcli hget "dd:job:$pid_job" status)
    [ "$st" = RETRYING ] && seen_retrying=1
    [ "$(rcli hexists "dd:job:$pid_job" final)" = 1 ] && break
    sleep 0.1
done
[ $seen_retrying = 1 ] && dd_ok "poisoned job shown RETRYING between attempts" ||
    dd_fail "never saw RETRYING"
st=$(rcli hget "dd:job:$pid_job" status)
at=$(rcli hget "dd:job:$pid_job" attempt)
er=$(rcli hget "dd:job:$pid_job" error)
echo "  poisoned job: status=$st attempt=$at error=$er"
[ "$st" = FAILED ] && [ "$at" = 3 ] && [[ $er == "after 3 attempts: "* ]] &&
    dd_ok "poisoned job FAILED after 3 attempts with the reason" || dd_fail "poisoned job"
[ "$(events_per_job | grep -c " $pid_job\$")" = 1 ] && dd_ok "one event for the poisoned job" ||
    dd_fail "events for the poisoned job"
[ "$(rcli get dd:metrics:jobs_retried)" = 2 ] && dd_ok "jobs_retried = 2" ||
    dd_fail "jobs_retried = $(rcli get dd:metrics:jobs_retried)"

kill -TERM "$WPID_w2"
wait "$WPID_w2"
[ $? = 0 ] && dd_ok "w2: SIGTERM -> exit 0" || dd_fail "w2 exit status"
grep -qE 'Sanitizer|runtime error' "$DD_T/w2.log" && { dd_fail "sanitizer report"; tail -30 "$DD_T/w2.log" >&2; }
dd_finish
