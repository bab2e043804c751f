#!/bin/bash
# test_notify_deliver.sh - the whole path, happy case: a rule run by the scheduler, scans by a
# real worker, completion events, drydock-notifier delivering to real local receivers:
#   0 http      (secret: X-Drydock-Signature checked here with `openssl dgst -hmac`)
#   1 https     (a CA and server certificate made with openssl here; ca_file in the rule)
#   2 dingtalk  (the receiver checks access_token, timestamp and sign, answers errcode 0)
#   3 http      min_severity CRITICAL + only_on_change
# Checks the exact headers and JSON body against the job records, the DingTalk markdown, the
# min_severity and only_on_change filters over two runs, a FAILED scan (SCAN_FAILED), the
# sent markers and counters, that no secret is logged, /healthz, /metrics and SIGTERM.
#
# Expected values by hand: fleet/app1:1 and fleet/app2:1 are Debian 12 with libc6
# 2.36-9+deb12u4, matched by tests/fixtures/scan/osv with one CRITICAL finding
# (CVE-2099-1001, fixed in 2.36-9+deb12u7); fleet/clean:1 has zlib1g 1:1.2.13.dfsg-1, which is
# the fixed version of the only zlib record for Debian 12: no findings.
. "$(dirname "$0")/test_notify_lib.bash"
notify_setup
notify_require_notifier

SH=http-hmac-key-1
SD=SECdingtalk-secret-2
TD=robot-token-3
notify_make_ca "$DD_T/pki" good || { dd_fail "openssl CA"; dd_finish; }
recv_start H http --secret "$SH" || dd_finish
recv_start S https --cert "$DD_T/pki/good-server.pem" --key "$DD_T/pki/good-server.key" || dd_finish
recv_start D dingtalk --secret "$SD" --token "$TD" || dd_finish
recv_start L http || dd_finish

mapfile -t IMGS < <(fleet_images 2 fleet/app)
fleet_push_image "$DD_REGISTRY" fleet/clean 1 s1 "$DD_T" >/dev/null || dd_fail "push clean"
# an image whose layer blob is gone: the scan FAILS (worker max_attempts=1)
push_broken_image fleet/broken 1 || dd_fail "push broken"

RULE=$(
    cat <<EOF
{"name":"fleet releases","scope":"namespace","namespace":"fleet","tag_regex":"^1\$","notify":[
 {"type":"http","url":"http://127.0.0.1:$RPORT_H/hooks/drydock?team=a","secret":"$SH","name":"plain"},
 {"type":"https","url":"https://127.0.0.1:$RPORT_S/tls-hook","ca_file":"$DD_T/pki/good-ca.pem"},
 {"type":"dingtalk","webhook_url":"http://127.0.0.1:$RPORT_D/robot/send?access_token=$TD","secret":"$SD","name":"robot"},
 {"type":"http","url":"http://127.0.0.1:$RPORT_L/crit","min_severity":"critical","only_on_change":true}]}
EOF
)
rid=$(rule_create "$RULE") || { dd_fail "rule"; dd_finish; }
NHTTP=$(dd_free_port)
notifier_start n1 --http "127.0.0.1:$NHTTP"
t0=$(($(date +%s) * 1000))
task=$(rule_run "$rid")
wait_task_done "$task" 4 40 || dd_fail "task $task did not finish: $(api GET "/api/v1/tasks/$task")"
api GET "/api/v1/tasks/$task" >"$DD_T/task1.json"
jq -e '[.jobs[].status] | sort == ["COMPLETE", "COMPLETE", "COMPLETE", "FAILED"]' "$DD_T/task1.json" >/dev/null &&
    dd_ok "round 1: 3 scans COMPLETE, the broken image FAILED" || dd_fail "task: $(jq -c '[.jobs[] | {image, status, error}]' "$DD_T/task1.json")"

recv_wait H 4 30 && dd_ok "http target: 4 deliveries" || dd_fail "http target got $(recv_lines H | grep -c .)"
recv_wait S 4 20 && dd_ok "https target (own CA): 4 deliveries" || dd_fail "https target got $(recv_lines S | grep -c .)"
recv_wait D 4 20 && dd_ok "dingtalk target: 4 deliveries" || dd_fail "dingtalk got $(recv_lines D | grep -c .)"
sleep 1 # L decides on the same events; give stragglers a moment before counting exactly

# --- exact payload and headers: every delivery checked against the job record ------------
check_body() { # RECEIVER TARGET-KEY -> failures on stderr, exit status
    local name=$1 idx=$2 bad=0 line ev body rec img repo st exp want_ev
    while IFS= read -r line; do
        body=$(jq -r .body <<<"$line")
        ev=$(jq -r .event_id <<<"$body")
        rec=$(rcli hgetall "dd:job:$ev" | paste -d'\t' - - | jq -R 'split("\t") | {(.[0]): .[1]}' | jq -s add)
        img=$(jq -r .image <<<"$rec")
        repo=${img#"$DD_REGISTRY"/}
        repo=${repo%:1}
        st=$(jq -r .status <<<"$rec")
        exp=$(jq -n --arg id "$ev" --arg rid "$rid" --arg img "$img" --arg repo "$repo" \
            --arg st "$st" --arg api "$API" --argjson rec "$rec" '{
            event_type: (if $st == "COMPLETE" then "SCAN_COMPLETED" else "SCAN_FAILED" end),
            event_id: $id, rule: {id: $rid, name: "fleet releases"}, image: $img,
            repository: $repo, tag: "1", digest: $rec.digest, status: $st,
            summary: {critical: ($rec.critical // "0" | tonumber), high: ($rec.high // "0" | tonumber),
                      medium: ($rec.medium // "0" | tonumber), low: ($rec.low // "0" | tonumber),
                      unknown: ($rec.unknown // "0" | tonumber)},
            report_url: ($api + "/api/v1/repos/" + $repo + "/tags/1/report")}')
        if ! jq -e --argjson e "$exp" --argjson t0 "$t0" '
            (. as $b | $e | to_entries | all(.value == $b[.key]))
            and (.occurred_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"))
            and ((.occurred_at | fromdateiso8601) * 1000 >= $t0 - 2000)
            and (if .status == "COMPLETE" then .error == null else (.error | type == "string" and length > 0) end)
            and (keys - ["event_type","event_id","occurred_at","rule","image","repository","tag","digest","status","summary","error","report_url"] == [])' \
            <<<"$body" >/dev/null; then
            bad=1
            echo "  $name body: $body" >&2
            echo "  expected (plus occurred_at, error): $exp" >&2
        fi
        want_ev=SCAN_COMPLETED
        [ "$st" = FAILED ] && want_ev=SCAN_FAILED
        if ! jq -e --arg k "$ev:$idx" --arg ev "$want_ev" '.method == "POST" and .headers["content-type"] == "application/json"
            and (.headers["user-agent"] | startswith("drydock-notifier/"))
            and .headers["x-drydock-event"] == $ev and .headers["idempotency-key"] == $k' <<<"$line" >/dev/null; then
            bad=1
            echo "  $name headers: $(jq -c '{method, headers}' <<<"$line")" >&2
        fi
    done < <(recv_lines "$name")
    return $bad
}
check_body H "$(tkey http "http://127.0.0.1:$RPORT_H/hooks/drydock?team=a")" && dd_ok "http: exact body (all fields = job record), Content-Type, User-Agent, X-Drydock-Event, Idempotency-Key" || dd_fail "http bodies/headers"
check_body S "$(tkey https "https://127.0.0.1:$RPORT_S/tls-hook")" && dd_ok "https: exact body and headers" || dd_fail "https bodies/headers"
[ "$(recv_lines H '.path + "?" + .query' | jq -r . | sort -u)" = "/hooks/drydock?team=a" ] && dd_ok "http: the URL's path and query kept" || dd_fail "paths: $(recv_lines H '.path + "?" + .query' | sort -u)"
bad=0
while IFS= read -r line; do
    body=$(jq -r .body <<<"$line")
    want="sha256=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$SH" | awk '{print $NF}')"
    got=$(jq -r '.headers["x-drydock-signature"]' <<<"$line")
    [ "$got" = "$want" ] && [ "$(jq -r .signature_valid <<<"$line")" = true ] || { bad=1; echo "  signature $got want $want" >&2; }
done < <(recv_lines H)
[ $bad = 0 ] && dd_ok "http: X-Drydock-Signature = HMAC-SHA256 of the raw body (openssl agrees)" || dd_fail "signatures"
[ "$(recv_lines S '.headers | has("x-drydock-signature")' | sort -u)" = false ] && dd_ok "https without secret: no signature header" || dd_fail "https signature header present"
[ "$(recv_lines H '.body | fromjson | .event_id' | sort | uniq -d)" = "" ] && dd_ok "http: each event once" || dd_fail "http duplicates"
[ "$(recv_lines H '.body | fromjson | .event_type' | jq -r . | sort | uniq -c | tr -s ' ' | paste -sd,)" = " 3 SCAN_COMPLETED, 1 SCAN_FAILED" ] &&
    dd_ok "3 SCAN_COMPLETED + 1 SCAN_FAILED" || dd_fail "event types: $(recv_lines H '.body | fromjson | .event_type' | sort | uniq -c)"

# --- DingTalk ---------------------------------------------------------------------------
if [ "$(recv_lines D '[.errcode, .sign_valid, .timestamp_ok, .token_ok, .body_ok, .path]' | sort -u)" = '[0,true,true,true,true,"/robot/send"]' ]; then
    dd_ok "dingtalk: token, timestamp and sign verified by the receiver, errcode 0"
else
    dd_fail "dingtalk checks: $(recv_lines D '{errcode, sign_valid, timestamp_ok, token_ok, body_ok, query}')"
fi
bad=0
for img in "${IMGS[@]}"; do
    txt=$(recv_lines D '.body | fromjson' | jq -rs --arg i "$img" 'map(select(.markdown.text | contains($i))) | .[0].markdown.text')
    jid=$(rcli hget "dd:tag:$img" job_id)
    dig=$(rcli hget "dd:job:$jid" digest)
    repo=${img#"$DD_REGISTRY"/}
    for want in "$dig" "CVE-2099-1001" "libc6" "2.36-9+deb12u4" "2.36-9+deb12u7" "$API/api/v1/repos/${repo%:1}/tags/1/report"; do
        [[ $txt == *"$want"* ]] || { bad=1; echo "  dingtalk text for $img lacks '$want': $txt" >&2; }
    done
done
[ $bad = 0 ] && dd_ok "dingtalk markdown: image, digest, finding with installed and fixed version, report link" || dd_fail "dingtalk text"

# --- filters ---------------------------------------------------------------------------------
got=$(recv_lines L '.body | fromjson | .image' | jq -r . | sort | paste -sd' ')
[ "$got" = "$(printf '%s\n' "$DD_REGISTRY/fleet/broken:1" "${IMGS[@]}" | sort | paste -sd' ')" ] &&
    dd_ok "min_severity CRITICAL: both vulnerable images and the FAILED scan, not the clean image" ||
    dd_fail "min_severity target got: $got"

# round 2: same images again -> same results; only_on_change sends nothing new
task2=$(rule_run "$rid")
wait_task_done "$task2" 4 40 || dd_fail "round 2 did not finish"
recv_wait H 8 30 && recv_wait S 8 20 && recv_wait D 8 20 && dd_ok "round 2: 4 more to each plain target" ||
    dd_fail "round 2: H=$(recv_lines H | grep -c .) S=$(recv_lines S | grep -c .) D=$(recv_lines D | grep -c .)"
for i in $(seq 1 50); do # every event of round 2 acknowledged by the notifier
    [ "$(rcli XPENDING dd:events notifier | head -1)" = 0 ] && break
    sleep 0.1
done
[ "$(recv_lines L | grep -c .)" = 3 ] && dd_ok "only_on_change: unchanged results not sent again" ||
    dd_fail "only_on_change target got $(recv_lines L | grep -c .) (want 3)"
[ "$(rcli --scan --pattern "dd:notify:last:$rid:$(tkey http "http://127.0.0.1:$RPORT_L/crit"):*" | grep -c .)" = 3 ] && dd_ok "dd:notify:last keys for the only_on_change target" ||
    dd_fail "last keys: $(rcli --scan --pattern 'dd:notify:last:*')"

# --- markers, counters, secrets ----------------------------------------------------------
n_sent=$(rcli --scan --pattern 'dd:notify:sent:*' | grep -c .)
[ "$n_sent" = 27 ] && dd_ok "27 sent markers (8 jobs x 3 targets + 3)" || dd_fail "sent markers: $n_sent"
ttl=$(rcli TTL "$(rcli --scan --pattern 'dd:notify:sent:*' | head -1)")
[ "$ttl" -gt 604000 ] && [ "$ttl" -le 604800 ] && dd_ok "sent marker TTL 7 days" || dd_fail "marker TTL $ttl"
[ "$(rcli GET dd:metrics:notify_sent)" = 27 ] && dd_ok "dd:metrics:notify_sent = 27" || dd_fail "notify_sent=$(rcli GET dd:metrics:notify_sent)"
[ "$(dead_count)" = 0 ] && dd_ok "no dead letters" || dd_fail "dead letters: $(api GET /api/v1/notify/dead-letters)"
check_no_secret "notifier log" "$SH" "$DD_T/n1.log"
check_no_secret "notifier log (dingtalk secret)" "$SD" "$DD_T/n1.log"
check_no_secret "notifier log (access token)" "$TD" "$DD_T/n1.log"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NHTTP/healthz")" = 200 ] && dd_ok "notifier /healthz" || dd_fail "/healthz"
curl -s "http://127.0.0.1:$NHTTP/metrics" >"$DD_T/nmetrics.txt"
grep -qx 'drydock_notifier_delivered_total 27' "$DD_T/nmetrics.txt" &&
    grep -qx 'drydock_notifier_skipped_min_severity_total 2' "$DD_T/nmetrics.txt" &&
    grep -qx 'drydock_notifier_skipped_unchanged_total 3' "$DD_T/nmetrics.txt" &&
    dd_ok "notifier /metrics: 27 delivered, 2 skipped by min_severity, 3 unchanged" ||
    dd_fail "notifier metrics: $(grep -v '^#' "$DD_T/nmetrics.txt" | head -30)"

# --- who is not notified: a single scan (no rule), a disabled rule, a deleted rule ----------
counts() { echo "$(recv_lines H | grep -c .)/$(recv_lines S | grep -c .)/$(recv_lines D | grep -c .)/$(recv_lines L | grep -c .)"; }
wait_acked() {
    local i
    for i in $(seq 1 50); do
        [ "$(rcli XPENDING dd:events notifier | head -1)" = 0 ] && break
        sleep 0.1
    done
}
before=$(counts)
ev0=$(rcli XLEN dd:events)
stask=$(api POST /api/v1/scans "{\"image\":\"${IMGS[0]}\"}" | jq -r .task_id)
wait_task_done "$stask" 1 30 || dd_fail "single scan did not finish"
disabled=$(api GET "/api/v1/rules/$rid" | jq -c 'del(.id, .created_at, .updated_at) | .enabled = false')
api PUT "/api/v1/rules/$rid" "$disabled" >/dev/null
task3=$(rule_run "$rid")
wait_task_done "$task3" 4 40 || dd_fail "run of the disabled rule did not finish"
for i in $(seq 1 50); do
    [ "$(rcli XLEN dd:events)" -ge $((ev0 + 5)) ] && break
    sleep 0.1
done
sleep 0.5
wait_acked
[ "$(counts)" = "$before" ] && [ "$(rcli XPENDING dd:events notifier | head -1)" = 0 ] &&
    dd_ok "a scan without a rule and a disabled rule's scans: acknowledged, nothing sent" ||
    dd_fail "sent for no rule / a disabled rule: $before -> $(counts)"
ev0=$(rcli XLEN dd:events)
# the rule is deleted after its scans finished and before the notifier reads their events
# (the notifier is stopped meanwhile): the rule is read at delivery time
api PUT "/api/v1/rules/$rid" "$(jq -c '.enabled = true' <<<"$disabled")" >/dev/null
kill -STOP "$NPID_n1"
task4=$(rule_run "$rid")
wait_task_done "$task4" 4 40 || dd_fail "run of the deleted rule did not finish"
for i in $(seq 1 50); do
    [ "$(rcli XLEN dd:events)" -ge $((ev0 + 4)) ] && break
    sleep 0.1
done
api DELETE "/api/v1/rules/$rid" >/dev/null
kill -CONT "$NPID_n1"
sleep 0.5
wait_acked
[ "$(counts)" = "$before" ] && dd_ok "a deleted rule's scans: nothing sent" || dd_fail "sent for a deleted rule: $before -> $(counts)"
curl -s "http://127.0.0.1:$NHTTP/metrics" >"$DD_T/nmetrics2.txt"
nr=$(awk '$1 == "drydock_notifier_events_no_rule_total" {print $2}' "$DD_T/nmetrics2.txt")
un=$(awk '$1 == "drydock_notifier_events_unrouted_total" {print $2}' "$DD_T/nmetrics2.txt")
echo "  events_no_rule_total=$nr events_unrouted_total=$un"
[ "${nr:-0}" -ge 8 ] && dd_ok "events_no_rule counts the disabled and deleted rule's events ($nr)" || dd_fail "events_no_rule_total=$nr"
kill -TERM "$NPID_n1"
wait "$NPID_n1"
rc=$?
[ $rc = 0 ] && dd_ok "SIGTERM: exit 0" || dd_fail "notifier exit $rc"
check_clean_log notifier "$DD_T/n1.log"
check_clean_log scheduler "$DD_T/sched.log"
dd_finish
