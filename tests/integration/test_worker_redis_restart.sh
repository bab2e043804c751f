#!/bin/bash
# test_worker_redis_restart.sh - Redis restarted (AOF on) between and during jobs: the workers
# reconnect by themselves, take the jobs queued after the restart, and every job ends COMPLETE
# exactly once, with the records from before the restart intact.
#
# Regression test: hiredis 0.14's libuv adapter swallows a refused connect, so a worker whose
# reconnect attempt hit a Redis that was still down used to wait forever (redis_uv.c now drops
# a connect that does not complete within CONNECT_TIMEOUT_MS and tries again).
. "$(dirname "$0")/test_worker_lib.bash"
fleet_setup
N=8
rcli config set appendonly yes >/dev/null || dd_fail "enable AOF"
for i in $(seq 1 50); do # the first AOF rewrite runs in the background
    [ "$(rcli info persistence | tr -d '\r' | sed -n 's/^aof_rewrite_in_progress://p')" = 0 ] && break
    sleep 0.1
done
mapfile -t IMGS < <(fleet_images $N)
[ ${#IMGS[@]} = $N ] || { dd_fail "pushing images"; dd_finish; }
FAST=(--set reclaim_idle_ms=1500 --set reclaim_interval_ms=300 --set max_attempts=5)
worker_start w1 --concurrency 1 "${FAST[@]}"
worker_start w2 --concurrency 1 "${FAST[@]}"
H=$((N / 2))
enqueue "${IMGS[@]:0:$H}" >"$DD_T/jobs.tsv" || dd_fail "enqueue"
wait_final $H 20 && dd_ok "first $H jobs final before the restart" || dd_fail "first jobs"

# stop Redis with its AOF written, keep it down for a while, start it again in the same place
rcli shutdown >/dev/null 2>&1
for i in $(seq 1 50); do kill -0 "$DD_REDIS_PID" 2>/dev/null || break; sleep 0.1; done
sleep 2
redis-server --port "$DD_REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly yes \
    --dir "$DD_REDIS_DIR" --daemonize no --logfile "$DD_REDIS_DIR/redis2.log" >/dev/null 2>&1 &
DD_REDIS_PID=$!
disown "$DD_REDIS_PID"
for i in $(seq 1 50); do [ "$(rcli ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
[ "$(rcli ping 2>/dev/null)" = PONG ] && dd_ok "redis back on the same port" || dd_fail "redis restart"
[ "$(count_final)" = $H ] && dd_ok "records from before the restart kept (AOF)" ||
    dd_fail "after restart $(count_final) final records, want $H"
# jobs queued now can only be taken by workers that reconnected
enqueue "${IMGS[@]:$H}" >>"$DD_T/jobs.tsv" || dd_fail "enqueue after the restart"

if wait_final $N 45; then dd_ok "all $N jobs final after the restart"; else
    dd_fail "only $(count_final) of $N final after the restart"
    tail -5 "$DD_T/w1.log" "$DD_T/w2.log" >&2
fi
bad=0
while IFS=$'\t' read -r id _; do
    [ "$(rcli hget "dd:job:$id" status)" = COMPLETE ] || { bad=1; echo "  $id: $(rcli hget "dd:job:$id" status)" >&2; }
done <"$DD_T/jobs.tsv"
[ $bad = 0 ] && dd_ok "every job COMPLETE" || dd_fail "jobs not COMPLETE"
ev=$(events_per_job)
if [ "$(echo "$ev" | grep -c .)" = $N ] && ! echo "$ev" | grep -qv '^1 '; then
    dd_ok "one completion event per job"
else
    dd_fail "events per job: $ev"
fi
grep -q 'connect timed out\|connection lost' "$DD_T/w1.log" "$DD_T/w2.log" &&
    dd_ok "workers logged the outage" || dd_fail "no outage logged"
for w in w1 w2; do
    pid=$(eval echo "\$WPID_$w")
    kill -TERM "$pid"
    wait "$pid"
    rc=$?
    [ $rc = 0 ] && dd_ok "$w: SIGTERM -> exit 0" || { dd_fail "$w exit $rc"; tail -5 "$DD_T/$w.log" >&2; }
    grep -qE 'Sanitizer|runtime error' "$DD_T/$w.log" && { dd_fail "$w: sanitizer report"; tail -30 "$DD_T/$w.log" >&2; }
done
dd_finish
