#!/bin/bash
# test_scheduler_push.sh - scan on push: a real docker-registry sends its notifications
# (Authorization: Bearer <events token> from the registry config's headers:) to
# drydock-scheduler's POST /api/v1/registry/events; a pushed tag matching an on_push rule
# gets a Job on dd:jobs without any API call; a tag that does not match gets none; the same
# digest pushed again under another tag while pending is not queued twice.
. "$(dirname "$0")/../lib/testlib.sh"
dd_test_init
. "$DD_SOURCE_DIR/tests/lib/oci.sh"
. "$DD_SOURCE_DIR/deploy/local/fleet.sh"
SCHED=${DD_BUILD_DIR:?DD_BUILD_DIR is required}/drydock-scheduler
[ -x "$SCHED" ] || { echo "FAIL: $SCHED missing" >&2; exit 1; }

dd_start_redis || exit 1
port=$(dd_free_port)
URL=http://127.0.0.1:$port
fleet_start_registry "$URL/api/v1/registry/events" tok-events "$DD_T/reg" ||
    { echo "FAIL: registry" >&2; exit 1; }
REG=$FLEET_REGISTRY
fleet_scheduler_config "$DD_T/sched.json" "$port" "$DD_REDIS_PORT" "$REG" tok-api tok-events
"$SCHED" --config "$DD_T/sched.json" --no-cron 2>"$DD_T/sched.log" &
spid=$!
dd_cleanup_push dd_kill_pid "$spid"
dd_wait_http "$URL/healthz" 5 || { cat "$DD_T/sched.log" >&2; exit 1; }

H="Authorization: Bearer tok-api"
rcli() { redis-cli -h 127.0.0.1 -p "$DD_REDIS_PORT" "$@"; }
wait_jobs() { # N: until dd:jobs has N entries (15 s)
    local i
    for i in $(seq 1 150); do
        [ "$(rcli XLEN dd:jobs)" -ge "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

curl -sS -o "$DD_T/rule.json" -H "$H" -X POST "$URL/api/v1/rules" --data-binary \
    '{"name":"web releases","scope":"repository","namespace":"apps","repository":"web","tag_regex":"^v[0-9]+$","triggers":{"on_push":true}}'
rid=$(jq -r .id "$DD_T/rule.json")
curl -sS -o /dev/null -H "$H" -X POST "$URL/api/v1/rules" --data-binary \
    '{"name":"manual only","scope":"namespace","namespace":"apps","tag_regex":".*"}'
[ ${#rid} = 16 ] && dd_ok "on_push rule created" || dd_fail "rule not created: $(cat "$DD_T/rule.json")"

d1=$(fleet_push_image "$REG" apps/web v1 s1 "$DD_T")
if wait_jobs 1; then
    dd_ok "a push of a matching tag queued a job without an API call"
else
    dd_fail "no job after pushing apps/web:v1; scheduler log:"
    tail -5 "$DD_T/sched.log" >&2
fi
"$SCHED" --dump-jobs --redis "$DD_REDIS" >"$DD_T/jobs.jsonl"
if jq -e --arg img "$REG/apps/web:v1" --arg d "$d1" --arg r "$rid" \
    'select(.image == $img) | .digest == $d and .rule_id == $r and .attempt == 1' \
    "$DD_T/jobs.jsonl" >/dev/null; then
    dd_ok "the job names the image, digest and rule"
else
    dd_fail "job content: $(cat "$DD_T/jobs.jsonl")"
fi

# a non-matching tag, then a matching one: events arrive in order, so once v2's job is
# there, dev's event has been handled too
fleet_push_image "$REG" apps/web dev s2 "$DD_T" >/dev/null
fleet_push_image "$REG" other/web v1 s3 "$DD_T" >/dev/null
d4=$(fleet_push_image "$REG" apps/web v2 s4 "$DD_T")
wait_jobs 2 || dd_fail "no job for apps/web:v2"
sleep 0.5
"$SCHED" --dump-jobs --redis "$DD_REDIS" >"$DD_T/jobs.jsonl"
jq -r .image "$DD_T/jobs.jsonl" | sort >"$DD_T/images.txt"
printf '%s\n' "$REG/apps/web:v1" "$REG/apps/web:v2" | sort >"$DD_T/images.want"
if diff -u "$DD_T/images.want" "$DD_T/images.txt"; then
    dd_ok "only matching pushes were queued (not apps/web:dev, not other/web:v1)"
else
    dd_fail "queued images differ"
fi

# the same manifest under a new matching tag while v2 is pending: not queued again
fleet_push_image "$REG" apps/web v3 s4 "$DD_T" >/dev/null
dup=0
for i in $(seq 1 100); do
    if curl -sS -H "$H" "$URL/api/v1/tasks?rule=$rid" |
        jq -e '[.tasks[] | select(.skipped_count == 1)] | length == 1' >/dev/null; then
        dup=1
        break
    fi
    sleep 0.1
done
[ $dup = 1 ] && dd_ok "same digest pushed again while pending: recorded as already queued" ||
    dd_fail "no duplicate recorded for apps/web:v3"
[ "$(rcli XLEN dd:jobs)" = 2 ] && dd_ok "still 2 jobs" || dd_fail "dd:jobs has $(rcli XLEN dd:jobs)"
[ "$(rcli HGET "dd:tag:$REG/apps/web:v2" digest)" = "$d4" ] && dd_ok "tag record for v2" ||
    dd_fail "dd:tag for apps/web:v2 missing"

# envelopes the registry also sends: blob pushes, pulls, deletes, pushes by digest (ignored)
cat >"$DD_T/ev.json" <<EOF2
{"events":[
 {"action":"push","target":{"mediaType":"application/octet-stream","digest":"$d1","repository":"apps/web","tag":"v9"}},
 {"action":"pull","target":{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"$d1","repository":"apps/web","tag":"v9"}},
 {"action":"push","target":{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"$d1","repository":"apps/web"}},
 {"action":"push","target":{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"sha256:zz","repository":"apps/web","tag":"v9"}},
 {"action":"push","target":{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"$d1","repository":"apps/web","tag":"v9"}}
]}
EOF2
out=$(curl -sS -H "Authorization: Bearer tok-events" -X POST --data-binary "@$DD_T/ev.json" \
    "$URL/api/v1/registry/events")
if echo "$out" | jq -e '.ignored == 4 and .duplicates == 1 and .queued == 0' >/dev/null; then
    dd_ok "events: non-manifest, pull, untagged and malformed events ignored; pending digest dup"
else
    dd_fail "events reply: $out"
fi
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer tok-events" -X POST \
    --data-binary '{"events": 5}' "$URL/api/v1/registry/events")
[ "$code" = 400 ] && dd_ok "malformed envelope: 400" || dd_fail "malformed envelope: $code"
code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST --data-binary "@$DD_T/ev.json" \
    "$URL/api/v1/registry/events")
[ "$code" = 401 ] && dd_ok "events without the token: 401" || dd_fail "events without token: $code"

kill -TERM "$spid"
wait "$spid" 2>/dev/null
rc=$?
[ "$rc" = 0 ] && dd_ok "clean exit on SIGTERM" || dd_fail "scheduler exit code $rc on SIGTERM"
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$DD_T/sched.log"; then
    dd_fail "sanitizer report in the scheduler log"
fi
dd_finish
