#!/bin/bash
# test_scheduler_cli.sh - the drydock CLI's scheduler client (rule add|list|show|rm|run,
# task list|show, status, report) against a real drydock-scheduler, redis-server and
# docker-registry; the scheduler pages _catalog and tags/list two entries at a time, so
# rule expansion follows the registry's Link: <...>; rel="next" headers across pages.
#
# Registry: ns/r1..ns/r5 with tag 1 each, ns/r1 also 2 and 3, zz/r1:1 (other namespace).
. "$(dirname "$0")/../lib/testlib.sh"
dd_test_init
. "$DD_SOURCE_DIR/tests/lib/oci.sh"
. "$DD_SOURCE_DIR/deploy/local/fleet.sh"
SCHED=${DD_BUILD_DIR:?DD_BUILD_DIR is required}/drydock-scheduler
[ -x "$SCHED" ] || { echo "FAIL: $SCHED missing" >&2; exit 1; }

dd_start_redis || exit 1
fleet_start_registry "" "" "$DD_T/reg" || { echo "FAIL: registry" >&2; exit 1; }
REG=$FLEET_REGISTRY
for r in r1 r2 r3 r4 r5; do
    fleet_push_image "$REG" "ns/$r" 1 "$r-1" "$DD_T" >/dev/null
done
fleet_push_image "$REG" ns/r1 2 r1-2 "$DD_T" >/dev/null
fleet_push_image "$REG" ns/r1 3 r1-3 "$DD_T" >/dev/null
fleet_push_image "$REG" zz/r1 1 zz "$DD_T" >/dev/null
# the registry really pages: 2 entries and a Link header
hdr=$(curl -sS -D - -o /dev/null "http://$REG/v2/_catalog?n=2" | tr -d '\r' | grep -i '^link:')
[[ $hdr == *'rel="next"'* ]] && dd_ok "registry pages _catalog with Link" ||
    dd_fail "no Link header from the registry: $hdr"

port=$(dd_free_port)
fleet_scheduler_config "$DD_T/sched.json" "$port" "$DD_REDIS_PORT" "$REG" tok-api tok-events
jq '.catalog_page_size = 2' "$DD_T/sched.json" >"$DD_T/s2.json" && mv "$DD_T/s2.json" "$DD_T/sched.json"
"$SCHED" --config "$DD_T/sched.json" --no-cron 2>"$DD_T/sched.log" &
spid=$!
dd_cleanup_push dd_kill_pid "$spid"
URL=http://127.0.0.1:$port
dd_wait_http "$URL/healthz" 5 || { cat "$DD_T/sched.log" >&2; exit 1; }
export DRYDOCK_SERVER=$URL DRYDOCK_TOKEN=tok-api

# cli LABEL WANT_RC ARGS... -> OUT, ERR files
cli() {
    local label=$1 want=$2
    shift 2
    OUT=$DD_T/cli.out
    ERR=$DD_T/cli.err
    timeout 30 "$DRYDOCK" "$@" >"$OUT" 2>"$ERR"
    local rc=$?
    if [ "$rc" != "$want" ]; then
        dd_fail "$label: drydock $* -> rc $rc, want $want: $(head -c 300 "$ERR")"
        return 1
    fi
    dd_ok "$label"
}

cli "rule add" 0 rule add --name "ns all" --namespace ns --tag-regex '^[0-9]+$' --on-push
rid=$(cat "$DD_T/cli.out")
[[ $rid =~ ^[0-9a-f]{16}$ ]] && dd_ok "rule add prints the id" || dd_fail "rule add printed '$rid'"
cli "rule add with a bad regex fails" 1 rule add --name x --namespace ns --tag-regex '(^1'
grep -q 'missing closing parenthesis at offset 3' "$DD_T/cli.err" && dd_ok "the API error is shown" ||
    dd_fail "stderr: $(cat "$DD_T/cli.err")"
cli "rule add without a token" 2 rule add --name x --namespace ns --token ""
cli "rule add with a wrong token" 1 rule add --name x --namespace ns --token nope
grep -q 'HTTP 401' "$DD_T/cli.err" && dd_ok "401 is reported" || dd_fail "stderr: $(cat "$DD_T/cli.err")"
printf '{"name":"from file","scope":"repository","namespace":"zz","repository":"r1"}' >"$DD_T/rule.json"
cli "rule add --file" 0 rule add --file "$DD_T/rule.json"
rid2=$(cat "$DD_T/cli.out")
cli "rule list" 0 rule list
grep -q "^$rid .*ns all .*ns/\* .*on_push" "$DD_T/cli.out" && grep -q "^$rid2 .*zz/r1" "$DD_T/cli.out" &&
    dd_ok "rule list shows both rules" || dd_fail "rule list: $(cat "$DD_T/cli.out")"
cli "rule show" 0 rule show "$rid"
jq -e '.triggers.on_push and .tag_regex == "^[0-9]+$"' "$DD_T/cli.out" >/dev/null &&
    dd_ok "rule show prints the rule JSON" || dd_fail "rule show: $(cat "$DD_T/cli.out")"
cli "rule rm" 0 rule rm "$rid2"
cli "rule show of a removed rule" 1 rule show "$rid2"
cli "rule with a bad subcommand" 2 rule frobnicate

cli "rule run" 0 rule run "$rid"
task=$(cat "$DD_T/cli.out")
for i in $(seq 1 100); do
    "$DRYDOCK" task show "$task" --json >"$DD_T/task.json" 2>/dev/null
    jq -e '.status != "EXPANDING"' "$DD_T/task.json" >/dev/null 2>&1 && break
    sleep 0.1
done
jq -e '.images == 7 and .status == "RUNNING"' "$DD_T/task.json" >/dev/null &&
    dd_ok "expansion across catalog and tag pages queued 7 images" ||
    dd_fail "task: $(head -c 600 "$DD_T/task.json")"
"$SCHED" --dump-jobs --redis "$DD_REDIS" | jq -r .image | sort >"$DD_T/images.txt"
printf '%s\n' "$REG/ns/r1:1" "$REG/ns/r1:2" "$REG/ns/r1:3" "$REG/ns/r2:1" "$REG/ns/r3:1" \
    "$REG/ns/r4:1" "$REG/ns/r5:1" | sort >"$DD_T/images.want"
diff -u "$DD_T/images.want" "$DD_T/images.txt" && dd_ok "one job per image on every page" ||
    dd_fail "queued images differ"
cli "task list" 0 task list --rule "$rid"
grep -q "^$task  rule .*RUNNING .* 7 .*QUEUED=7" "$DD_T/cli.out" && dd_ok "task list row" ||
    dd_fail "task list: $(cat "$DD_T/cli.out")"
cli "task show" 0 task show "$task"
[ "$(grep -c '^  QUEUED ' "$DD_T/cli.out")" = 7 ] && dd_ok "task show lists 7 queued images" ||
    dd_fail "task show: $(cat "$DD_T/cli.out")"

cli "status" 0 status "$REG/ns/r2:1"
grep -q "^$REG/ns/r2:1  SCANNING  digest=sha256:" "$DD_T/cli.out" && dd_ok "status line" ||
    dd_fail "status: $(cat "$DD_T/cli.out")"
cli "status --json" 0 status "$REG/ns/r9:1" --json
jq -e '.status == "NOT_SCANNED"' "$DD_T/cli.out" >/dev/null && dd_ok "unknown tag NOT_SCANNED" ||
    dd_fail "status --json: $(cat "$DD_T/cli.out")"
cli "report before the scan" 1 report "$REG/ns/r2:1"
job=$(redis-cli -h 127.0.0.1 -p "$DD_REDIS_PORT" HGET "dd:tag:$REG/ns/r2:1" job_id)
redis-cli -h 127.0.0.1 -p "$DD_REDIS_PORT" SET "dd:report:$job" '{"image":"r2","results":[]}' >/dev/null
cli "report" 0 report "$REG/ns/r2:1"
jq -e '.image == "r2"' "$DD_T/cli.out" >/dev/null && dd_ok "report prints the stored JSON" ||
    dd_fail "report: $(cat "$DD_T/cli.out")"
cli "status of a bad reference" 2 status 'NOT A REF'
DRYDOCK_SERVER=http://127.0.0.1:1 cli "unreachable server" 1 rule list

kill -TERM "$spid"
wait "$spid" 2>/dev/null
[ $? = 0 ] && dd_ok "clean exit on SIGTERM" || dd_fail "scheduler did not exit cleanly"
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$DD_T/sched.log"; then
    dd_fail "sanitizer report in the scheduler log"
fi
dd_finish
