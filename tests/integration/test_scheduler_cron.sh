#!/bin/bash
# test_scheduler_cron.sh - cron-triggered rule runs through a real drydock-scheduler, Redis and
# docker-registry. The minute timer itself is covered by test_cron (matcher); here
# --cron-now runs the current minute's check at start, so the test needs no wait:
#   a rule with cron "* * * * *" fires (a rule task with its job), one with "0 0 1 1 *" does not
#   (unless it is New Year's midnight UTC: then the test waits a minute), a disabled rule does
#   not, and two schedulers checking the same minute against one Redis run the rule once.
. "$(dirname "$0")/../lib/testlib.sh"
dd_test_init
. "$DD_SOURCE_DIR/tests/lib/oci.sh"
. "$DD_SOURCE_DIR/deploy/local/fleet.sh"
SCHED=${DD_BUILD_DIR:?DD_BUILD_DIR is required}/drydock-scheduler
[ -x "$SCHED" ] || { echo "FAIL: $SCHED missing" >&2; exit 1; }

dd_start_redis || exit 1
fleet_start_registry "" "" "$DD_T/reg" || { echo "FAIL: registry" >&2; exit 1; }
REG=$FLEET_REGISTRY
fleet_push_image "$REG" cr/app 1 c1 "$DD_T" >/dev/null

start_sched() { # NAME [extra flags] -> PORT_<NAME>
    local name=$1 port
    shift
    port=$(dd_free_port)
    fleet_scheduler_config "$DD_T/$name.json" "$port" "$DD_REDIS_PORT" "$REG" tok-api tok-events
    "$SCHED" --config "$DD_T/$name.json" "$@" 2>"$DD_T/$name.log" &
    local pid=$!
    dd_cleanup_push dd_kill_pid "$pid"
    eval "PID_$name=$pid PORT_$name=$port"
    dd_wait_http "http://127.0.0.1:$port/healthz" 5
}
rcli() { redis-cli -h 127.0.0.1 -p "$DD_REDIS_PORT" "$@"; }

start_sched setup --no-cron
URL=http://127.0.0.1:$PORT_setup
H="Authorization: Bearer tok-api"
add_rule() {
    curl -sS -H "$H" -X POST "$URL/api/v1/rules" --data-binary "$1" | jq -r .id
}
every=$(add_rule '{"name":"every minute","scope":"namespace","namespace":"cr","triggers":{"manual":false,"cron":"* * * * *"}}')
never=$(add_rule '{"name":"new year","scope":"namespace","namespace":"cr","triggers":{"cron":"0 0 1 1 *"}}')
off=$(add_rule '{"name":"disabled","scope":"namespace","namespace":"cr","enabled":false,"triggers":{"cron":"* * * * *"}}')
[ ${#every} = 16 ] && [ ${#never} = 16 ] && [ ${#off} = 16 ] && dd_ok "cron rules created" ||
    dd_fail "rules not created"
dd_kill_pid "$PID_setup"

# both schedulers must check the same minute: not in the last 8 s of one, nor at New Year
# (started one after the other: each takes well under a second to answer /healthz)
while [ "$(date -u +%S)" -ge 52 ] || [ "$(date -u +%m%d%H%M)" = 01010000 ]; do sleep 1; done
start_sched a --cron-now
start_sched b --cron-now
for i in $(seq 1 100); do
    [ "$(rcli ZCARD "dd:rule:$every:tasks")" -ge 1 ] && [ "$(rcli XLEN dd:jobs)" -ge 1 ] && break
    sleep 0.1
done
sleep 0.5
n=$(rcli ZCARD "dd:rule:$every:tasks")
[ "$n" = 1 ] && dd_ok "the every-minute rule ran once for two schedulers" ||
    dd_fail "every-minute rule has $n tasks"
[ "$(rcli ZCARD "dd:rule:$never:tasks")" = 0 ] && dd_ok "a non-matching cron did not run" ||
    dd_fail "the new-year rule ran"
[ "$(rcli ZCARD "dd:rule:$off:tasks")" = 0 ] && dd_ok "a disabled rule did not run" ||
    dd_fail "the disabled rule ran"
task=$(rcli ZRANGE "dd:rule:$every:tasks" 0 0)
[ "$(rcli HGET "dd:task:$task" kind)" = rule ] && dd_ok "cron run is a rule task" ||
    dd_fail "task kind $(rcli HGET "dd:task:$task" kind)"
"$SCHED" --dump-jobs --redis "$DD_REDIS" >"$DD_T/jobs.jsonl"
if [ "$(jq -r --arg t "$task" --arg r "$every" --arg i "$REG/cr/app:1" \
    'select(.image == $i) | .task_id == $t and .rule_id == $r' "$DD_T/jobs.jsonl")" = true ]; then
    dd_ok "the cron run queued the image's job"
else
    dd_fail "jobs: $(cat "$DD_T/jobs.jsonl")"
fi
[ "$(rcli KEYS "dd:cron:$every:*" | wc -l)" = 1 ] && [ "$(rcli KEYS 'dd:cron:*' | wc -l)" = 1 ] && dd_ok "one tick claimed in Redis, for the matching rule" ||
    dd_fail "cron claims: $(rcli KEYS 'dd:cron:*' | tr '\n' ' ')"
for n in a b; do
    pid=PID_$n
    kill -TERM "${!pid}"
    wait "${!pid}" 2>/dev/null
    [ $? = 0 ] && dd_ok "scheduler $n exits cleanly" || dd_fail "scheduler $n exit"
    if grep -qE 'Sanitizer|runtime error' "$DD_T/$n.log"; then
        dd_fail "sanitizer report in scheduler $n"
    fi
done
dd_finish
