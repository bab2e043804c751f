#!/bin/bash
# test_scheduler_api.sh - drydock-scheduler's HTTP API against a real redis-server and a real
# docker-registry on loopback: auth (401), bad input (400/404/405/413), rule CRUD, a namespace
# rule run that queues one Job per matching tag on dd:jobs (decoded with --dump-jobs) and
# says why every other image was skipped, tasks, single-image scans, scan status and report
# (from hand-written job records shaped like the worker's), metrics.
#
# Registry content (distinct digests except apps/web:alias, which is apps/web:1.0 again):
#   apps/web: 1.0 1.1 latest alias     apps/team/api: 1.0     apps/gone: (manifest deleted)
#   other/web: 1.0
. "$(dirname "$0")/../lib/testlib.sh"
dd_test_init
. "$DD_SOURCE_DIR/tests/lib/oci.sh"
. "$DD_SOURCE_DIR/deploy/local/fleet.sh"
SCHED=${DD_BUILD_DIR:?DD_BUILD_DIR is required}/drydock-scheduler
[ -x "$SCHED" ] || { echo "FAIL: $SCHED missing" >&2; exit 1; }

dd_start_redis || exit 1
fleet_start_registry "" "" "$DD_T/reg" || { echo "FAIL: registry" >&2; exit 1; }
REG=$FLEET_REGISTRY
d_web10=$(fleet_push_image "$REG" apps/web 1.0 w10 "$DD_T")
d_web11=$(fleet_push_image "$REG" apps/web 1.1 w11 "$DD_T")
fleet_push_image "$REG" apps/web latest wl "$DD_T" >/dev/null
fleet_push_image "$REG" apps/web alias w10 "$DD_T" >/dev/null
d_api=$(fleet_push_image "$REG" apps/team/api 1.0 a10 "$DD_T")
d_gone=$(fleet_push_image "$REG" apps/gone 1.0 g10 "$DD_T")
fleet_push_image "$REG" other/web 1.0 o10 "$DD_T" >/dev/null
curl -sS -o /dev/null -X DELETE "http://$REG/v2/apps/gone/manifests/$d_gone"

port=$(dd_free_port)
fleet_scheduler_config "$DD_T/sched.json" "$port" "$DD_REDIS_PORT" "$REG" tok-api tok-events
"$SCHED" --config "$DD_T/sched.json" --no-cron 2>"$DD_T/sched.log" &
spid=$!
dd_cleanup_push dd_kill_pid "$spid"
URL=http://127.0.0.1:$port
dd_wait_http "$URL/healthz" 5 || { cat "$DD_T/sched.log" >&2; exit 1; }

# api METHOD PATH [BODY-FILE|-] -> CODE, OUT=$DD_T/out.json; TOKEN overrides the token
api() {
    local method=$1 path=$2 body=${3:-}
    local -a args=(-sS -o "$DD_T/out.json" -w '%{http_code}' -X "$method"
        -H "Authorization: Bearer ${TOKEN-tok-api}")
    [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "@$body")
    CODE=$(curl "${args[@]}" "$URL$path")
    OUT=$DD_T/out.json
}
expect() { # LABEL WANT_CODE [JQ-FILTER]
    if [ "$CODE" != "$2" ]; then
        dd_fail "$1: HTTP $CODE, want $2: $(head -c 300 "$OUT")"
    elif [ -n "${3:-}" ] && ! jq -e "$3" "$OUT" >/dev/null 2>&1; then
        dd_fail "$1: '$3' false on $(head -c 400 "$OUT")"
    else
        dd_ok "$1"
    fi
}
body() { printf '%s' "$1" >"$DD_T/body.json"; echo "$DD_T/body.json"; }
jobs_json() { "$SCHED" --dump-jobs --redis "$DD_REDIS" >"$DD_T/jobs.jsonl"; }
rcli() { redis-cli -h 127.0.0.1 -p "$DD_REDIS_PORT" "$@"; }
wait_task() { # TASK_ID: until the task leaves EXPANDING (10 s)
    local i
    for i in $(seq 1 100); do
        api GET "/api/v1/tasks/$1"
        jq -e '.status != "EXPANDING"' "$OUT" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

# --- health and auth ---------------------------------------------------------------------
CODE=$(curl -sS -o "$DD_T/out.json" -w '%{http_code}' "$URL/healthz"); OUT=$DD_T/out.json
expect "healthz without a token" 200 '.status == "ok"'
TOKEN= api GET /api/v1/rules
expect "no token: 401" 401 '.error | test("unauthorized")'
TOKEN=wrong api GET /api/v1/rules
expect "wrong token: 401" 401
TOKEN=tok-api- api GET /api/v1/rules
expect "token with a suffix: 401" 401
TOKEN=tok-api api POST /api/v1/registry/events "$(body '{"events":[]}')"
expect "events endpoint refuses the API token" 401
TOKEN=tok-events api GET /api/v1/rules
expect "API refuses the events token" 401
TOKEN=tok-api api GET /metrics
expect "metrics need the token" 200
TOKEN= api GET /metrics
expect "metrics without token: 401" 401

# --- bad input ---------------------------------------------------------------------------
api POST /api/v1/rules "$(body '{"name":"x","scope":"namespace","namespace":"apps","tag_regex":"(^1"}')"
expect "bad regex: 400 with PCRE2 message and offset" 400 \
    '.error == "tag_regex: missing closing parenthesis at offset 3"'
api POST /api/v1/rules "$(body '{"name":"x","scope":"namespace","namespace":"apps","tag_regx":"."}')"
expect "unknown field: 400" 400 '.error | test("unknown field .tag_regx.")'
api POST /api/v1/rules "$(body '{"name":"x",')"
expect "truncated JSON: 400" 400 '.error | test("bad JSON")'
api POST /api/v1/rules "$(body '[1,2]')"
expect "array body: 400" 400
api POST /api/v1/rules "$(body '{"name":"x","scope":"namespace","namespace":"apps","registry":{"url":"http://r","password":"p"}}')"
expect "password in a rule: 400" 400 '.error | test("secrets are not accepted")'
api POST /api/v1/rules "$(body '{"name":"x","scope":"namespace","namespace":"apps","registry":{"url":"http://r","credentials":"nope"}}')"
expect "unknown credentials name: 400" 400 '.error | test("credentials")'
api POST /api/v1/rules "$(body '{"name":"x","scope":"namespace","namespace":"apps","triggers":{"cron":"* * *"}}')"
expect "bad cron: 400" 400 '.error | test("cron")'
head -c 2000000 /dev/zero | tr '\0' ' ' >"$DD_T/big.json"
api POST /api/v1/rules "$DD_T/big.json"
expect "2 MB body: 413" 413 '.error | test("larger than")'
api PATCH /api/v1/rules
expect "PATCH /rules: 405" 405
api GET /api/v1/rules/0123456789abcdef
expect "unknown rule: 404" 404
api GET /api/v1/rules/../../etc
expect "bad rule id: 404" 404
api GET /api/v1/nothing
expect "unknown path: 404" 404
api POST /api/v1/scans "$(body '{"image":"UPPER/Case:??"}')"
expect "bad image reference: 400" 400
api POST /api/v1/scans "$(body '{"image":"x/y:1","extra":1}')"
expect "scan with unknown field: 400" 400
api GET /api/v1/repos/apps/web/tags/1.0/nothing
expect "unknown repo sub-resource: 404" 404

# --- rule CRUD ---------------------------------------------------------------------------
api POST /api/v1/rules "$(body '{"name":"apps v1","scope":"namespace","namespace":"apps","tag_regex":"^1\\.[0-9]$"}')"
expect "create namespace rule: 201" 201 \
    '(.id | test("^[0-9a-f]{16}$")) and .registry.url == "'"$REG"'" and .triggers.manual'
rid=$(jq -r .id "$OUT")
created=$(jq -r .created_at "$OUT")
api GET "/api/v1/rules/$rid"
expect "get rule" 200 '.name == "apps v1" and .tag_regex == "^1\\.[0-9]$"'
api GET /api/v1/rules
expect "list rules" 200 '.rules | length == 1'
api PUT "/api/v1/rules/$rid" "$(body '{"name":"apps v1","scope":"namespace","namespace":"apps","tag_regex":"^1\\.[0-9]$|^alias$","triggers":{"manual":true,"cron":"0 3 * * *"}}')"
expect "update rule keeps id and created_at" 200 \
    '.id == "'"$rid"'" and .created_at == '"$created"' and .triggers.cron == "0 3 * * *"'
api POST /api/v1/rules "$(body '{"name":"tmp","scope":"repository","namespace":"other","repository":"web"}')"
tmp=$(jq -r .id "$OUT")
api DELETE "/api/v1/rules/$tmp"
expect "delete rule" 200 '.deleted'
api GET "/api/v1/rules/$tmp"
expect "deleted rule is gone" 404
api DELETE "/api/v1/rules/$tmp"
expect "delete twice: 404" 404

# --- a namespace rule run ----------------------------------------------------------------
api POST "/api/v1/rules/$rid/run"
expect "run rule: 202 with task_id" 202 '.task_id | test("^[0-9a-f]{32}$")'
task=$(jq -r .task_id "$OUT")
wait_task "$task" || dd_fail "task stayed EXPANDING"
expect "task after expansion" 200 \
    '.status == "RUNNING" and .images == 3 and .counts.QUEUED == 3 and .kind == "rule"'
# apps/web:1.0 and apps/web:alias share a digest: whichever the registry lists first is
# queued, the other is skipped as "already queued" (tag order is the registry's business)
jobs_json
if grep -q '/apps/web:alias"' "$DD_T/jobs.jsonl"; then qtag=alias dtag=1.0; else qtag=1.0 dtag=alias; fi
jq -r '.skipped[] | "\(.image)\t\(.reason)"' "$OUT" | sort >"$DD_T/skipped.txt"
sort >"$DD_T/skipped.want" <<EOF2
$REG/apps/gone	no tags (empty or deleted repository)
$REG/apps/web:$dtag	already queued
$REG/apps/web:latest	no tag match
EOF2
if diff -u "$DD_T/skipped.want" "$DD_T/skipped.txt"; then
    dd_ok "every skipped image says why"
else
    dd_fail "skipped list differs"
fi
jq -r '"\(.image) \(.digest) \(.task_id) \(.rule_id) \(.attempt) \(.platform)"' "$DD_T/jobs.jsonl" |
    sort >"$DD_T/jobs.txt"
sort >"$DD_T/jobs.want" <<EOF2
$REG/apps/web:$qtag $d_web10 $task $rid 1 linux/amd64
$REG/apps/web:1.1 $d_web11 $task $rid 1 linux/amd64
$REG/apps/team/api:1.0 $d_api $task $rid 1 linux/amd64
EOF2
if diff -u "$DD_T/jobs.want" "$DD_T/jobs.txt"; then
    dd_ok "dd:jobs holds one Job per matching image"
else
    dd_fail "jobs on dd:jobs differ"
fi
job10=$(jq -r 'select(.digest == "'"$d_web10"'") | .job_id' "$DD_T/jobs.jsonl")
[ "$(rcli HGET "dd:job:$job10" status)" = QUEUED ] && dd_ok "job record QUEUED" ||
    dd_fail "dd:job:$job10 status is not QUEUED"
[ "$(rcli GET "dd:pending:$d_web10")" = "$job10" ] && dd_ok "dd:pending holds the job id" ||
    dd_fail "dd:pending:$d_web10 missing"

api POST "/api/v1/rules/$rid/run"
task2=$(jq -r .task_id "$OUT")
wait_task "$task2"
expect "second run while pending: everything already queued" 200 \
    '.status == "DONE" and .images == 0 and ([.skipped[] | select(.reason == "already queued")] | length) == 4'
jobs_json
[ "$(wc -l <"$DD_T/jobs.jsonl")" = 3 ] && dd_ok "no job queued twice" ||
    dd_fail "dd:jobs has $(wc -l <"$DD_T/jobs.jsonl") entries, want 3"
api GET "/api/v1/tasks?rule=$rid"
expect "tasks of the rule" 200 '.tasks | length == 2 and .[0].task_id == "'"$task2"'"'
api GET "/api/v1/tasks?limit=0"
expect "bad limit: 400" 400

# --- status and report (records as the worker writes them) -------------------------------
api GET /api/v1/repos/apps/web/tags/$qtag/scan-status
expect "queued tag is SCANNING" 200 \
    '.status == "SCANNING" and .digest == "'"$d_web10"'" and .task_id == "'"$task"'" and .scanned_at == null'
api GET /api/v1/repos/apps/web/tags/9.9/scan-status
expect "unknown tag is NOT_SCANNED" 200 '.status == "NOT_SCANNED"'
api GET /api/v1/repos/apps/web/tags/$qtag/report
expect "no report yet: 404" 404 '.error | test("SCANNING")'
rcli HSET "dd:job:$job10" status COMPLETE critical 2 high 1 medium 0 low 3 unknown 0 \
    packages 1 finished_at 1700000000123 >/dev/null
rcli HSET "dd:tag:$REG/apps/web:$qtag" status COMPLETE scanned_at 1700000000123 >/dev/null
rcli SET "dd:report:$job10" '{"image":"x","vulnerabilities":[]}' >/dev/null
api GET /api/v1/repos/apps/web/tags/$qtag/scan-status
expect "complete tag" 200 \
    '.status == "COMPLETE" and .summary.critical == 2 and .summary.low == 3 and .scanned_at == 1700000000123'
api GET /api/v1/repos/apps/web/tags/$qtag/report
expect "report is the stored JSON" 200 '.vulnerabilities == []'
api GET "/api/v1/tasks/$task"
expect "task detail shows per-image status and counts" 200 \
    '.counts.COMPLETE == 1 and .counts.QUEUED == 2 and ([.jobs[] | select(.status == "COMPLETE")][0].summary.critical == 2)'
api GET "/api/v1/repos/team/api/tags/1.0/scan-status?registry=elsewhere:1"
expect "registry query parameter" 200 '.status == "NOT_SCANNED" and (.image | startswith("elsewhere:1/"))'

# --- single-image scan -------------------------------------------------------------------
api POST /api/v1/scans "$(body '{"image":"'"$REG"'/other/web:1.0"}')"
expect "scan one image: 202" 202
stask=$(jq -r .task_id "$OUT")
wait_task "$stask"
expect "scan task queued one job" 200 '.kind == "scan" and .images == 1'
api POST /api/v1/scans "$(body '{"image":"'"$REG"'/other/web:nope"}')"
stask=$(jq -r .task_id "$OUT")
wait_task "$stask"
expect "scan of a missing tag says manifest unknown" 200 \
    '.skipped[0].reason == "manifest unknown" and .images == 0'

# --- a registry that cannot be reached: the task fails as a whole, saying why ----------------
dead=$(dd_free_port)
api POST /api/v1/rules "$(body '{"name":"dead","scope":"namespace","namespace":"apps","registry":{"url":"http://127.0.0.1:'"$dead"'"}}')"
deadrule=$(jq -r .id "$OUT")
api POST "/api/v1/rules/$deadrule/run"
dtask=$(jq -r .task_id "$OUT")
wait_task "$dtask"
expect "unreachable registry: task FAILED with the reason" 200 \
    '.status == "FAILED" and (.error | test("cannot connect")) and .images == 0'
api DELETE "/api/v1/rules/$deadrule"

# --- metrics -----------------------------------------------------------------------------
api GET /metrics
if grep -qx 'drydock_jobs_queue_depth 4' "$OUT" && grep -qx 'drydock_rules 1' "$OUT"; then
    dd_ok "metrics: queue depth and rules"
else
    dd_fail "metrics: $(grep -v '^#' "$OUT" | tr '\n' ' ')"
fi

if grep -E 'tok-api|tok-events' "$DD_T/sched.log"; then
    dd_fail "a token appears in the scheduler log"
else
    dd_ok "no token in the log"
fi
kill -TERM "$spid"
wait "$spid" 2>/dev/null
rc=$?
[ "$rc" = 0 ] && dd_ok "clean exit on SIGTERM" || dd_fail "scheduler exit code $rc on SIGTERM"
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$DD_T/sched.log"; then
    dd_fail "sanitizer report in the scheduler log"
    grep -A5 -E 'Sanitizer|runtime error' "$DD_T/sched.log" | head -30 >&2
fi
dd_finish
