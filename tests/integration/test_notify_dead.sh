#!/bin/bash
# test_notify_dead.sh - permanent failures end in the dead letters, never in an insecure
# fallback or a silent loss, and a replay after the fix delivers. One scan, four targets:
#   0 https, ca_file = ANOTHER CA than the one that signed the server certificate
#   1 https, no ca_file (system CAs) on the self-signed test CA's certificate
#   2 http answering 400 (permanent): dead-lettered at the first attempt
#   3 dingtalk with a secret the robot does not know: 200 + errcode 310000 every time
# Then: the dead letters hold every field and no secret; the rule is fixed with a PUT that keeps
# the other secrets through "<redacted>", the 400 receiver is healed, and `drydock notify
# dead-letters replay` delivers each of the four exactly once; dd:dead ends empty.
. "$(dirname "$0")/test_notify_lib.bash"
notify_setup
notify_require_notifier

SD=SECrobot-real-secret
SD_WRONG=SECrobot-wrong-secret
TD=robot-token-dead
notify_make_ca "$DD_T/pki" good && notify_make_ca "$DD_T/pki" other || { dd_fail "openssl"; dd_finish; }
recv_start A https --cert "$DD_T/pki/good-server.pem" --key "$DD_T/pki/good-server.key" || dd_finish
recv_start B https --cert "$DD_T/pki/good-server.pem" --key "$DD_T/pki/good-server.key" || dd_finish
recv_start P http --fail-first -1 --status 400 || dd_finish
recv_start D dingtalk --secret "$SD" --token "$TD" || dd_finish
mapfile -t IMGS < <(fleet_images 1 fleet/app)
rule_json() { # CA-FILE-OF-TARGET-0 DINGTALK-SECRET
    cat <<EOF
{"name":"dead","scope":"namespace","namespace":"fleet","notify":[
 {"type":"https","url":"https://127.0.0.1:$RPORT_A/a","ca_file":"$1","name":"wrong-ca"},
 {"type":"https","url":"https://127.0.0.1:$RPORT_B/b","name":"system-ca"},
 {"type":"http","url":"http://127.0.0.1:$RPORT_P/p","secret":"http-secret-kept","name":"perm"},
 {"type":"dingtalk","webhook_url":"http://127.0.0.1:$RPORT_D/robot/send?access_token=$TD","secret":"$2","name":"robot"}]}
EOF
}
rid=$(rule_create "$(rule_json "$DD_T/pki/other-ca.pem" "$SD_WRONG")") || { dd_fail "rule"; dd_finish; }
notifier_start n1 --set max_attempts=3
task=$(rule_run "$rid")
wait_task_done "$task" 1 30 || dd_fail "scan did not finish"
job=$(api GET "/api/v1/tasks/$task" | jq -r '.jobs[0].job_id')
wait_dead 4 30 && dd_ok "four dead letters" || dd_fail "dead letters: $(dead_count)"
for i in $(seq 1 50); do
    [ "$(rcli XPENDING dd:events notifier | head -1)" = 0 ] && break
    sleep 0.1
done
[ "$(rcli XPENDING dd:events notifier | head -1)" = 0 ] && dd_ok "the event was acknowledged once every target was dead-lettered" ||
    dd_fail "event still pending: $(rcli XPENDING dd:events notifier)"

# the bad certificate never reached HTTP: only refused handshakes, one per attempt
[ "$(recv_lines A | grep -c .)" = 0 ] && [ "$(jq -c 'select(.tls_error)' "$RLOG_A" | grep -c .)" = 3 ] &&
    dd_ok "wrong ca_file: 3 attempts, each refused at the TLS handshake, no request sent" ||
    dd_fail "wrong CA: requests=$(recv_lines A | grep -c .) tls errors=$(jq -c 'select(.tls_error)' "$RLOG_A" | grep -c .)"
[ "$(recv_lines B | grep -c .)" = 0 ] && [ "$(jq -c 'select(.tls_error)' "$RLOG_B" | grep -c .)" = 3 ] &&
    dd_ok "self-signed CA vs system CAs: refused 3 times, no insecure fallback" ||
    dd_fail "system CA: requests=$(recv_lines B | grep -c .) tls errors=$(jq -c 'select(.tls_error)' "$RLOG_B" | grep -c .)"
[ "$(recv_lines P | grep -c .)" = 1 ] && dd_ok "400: dead-lettered after 1 attempt (permanent)" || dd_fail "400: $(recv_lines P | grep -c .) requests"
[ "$(recv_lines D '[.errcode, .sign_valid]' | sort -u)" = '[310000,false]' ] && [ "$(recv_lines D | grep -c .)" = 3 ] &&
    dd_ok "dingtalk errcode 310000: 3 attempts" || dd_fail "dingtalk: $(recv_lines D '{n, errcode, sign_valid}')"

api GET /api/v1/notify/dead-letters >"$DD_T/dl.json"
jq -e --arg job "$job" --arg rid "$rid" --arg img "${IMGS[0]}" '
  (.dead_letters | length == 4)
  and ([.dead_letters[] | [.target, .target_type, .target_name, .attempts]] | sort ==
       [[0, "https", "wrong-ca", 3], [1, "https", "system-ca", 3], [2, "http", "perm", 1], [3, "dingtalk", "robot", 3]])
  and all(.dead_letters[]; .job_id == $job and .rule_id == $rid and .image == $img and .status == "COMPLETE"
          and (.digest | startswith("sha256:")) and (.reason | length > 0) and .failed_at > 1700000000000)' \
    "$DD_T/dl.json" >/dev/null && dd_ok "dead letters: target, type, name, attempts, job, image, digest, status" ||
    dd_fail "dead letters: $(jq -c '.dead_letters[] | del(.digest)' "$DD_T/dl.json")"
reason() { jq -r --argjson t "$1" '.dead_letters[] | select(.target == $t) | .reason' "$DD_T/dl.json"; }
echo "  reasons: 0: $(reason 0) | 1: $(reason 1) | 2: $(reason 2) | 3: $(reason 3)"
[[ $(reason 0) == *[Cc]ertificate* || $(reason 0) == *SSL* || $(reason 0) == *TLS* ]] && dd_ok "reason of the TLS failure names it" || dd_fail "reason 0: $(reason 0)"
[[ $(reason 2) == *400* ]] && dd_ok "reason of the 400 names the status" || dd_fail "reason 2: $(reason 2)"
[[ $(reason 3) == *310000* ]] && dd_ok "reason of the DingTalk failure has the errcode" || dd_fail "reason 3: $(reason 3)"
"$DRYDOCK" notify dead-letters list --server "$API" --token "$TOKEN" --format json >"$DD_T/cli-dl.json"
check_no_secret "dead letters, notifier log" "$SD_WRONG" "$DD_T/dl.json" "$DD_T/n1.log" "$DD_T/cli-dl.json"
check_no_secret "access token" "$TD" "$DD_T/dl.json" "$DD_T/n1.log" "$DD_T/cli-dl.json"
[ "$(rcli GET dd:metrics:notify_dead)" = 4 ] && dd_ok "notify_dead = 4" || dd_fail "notify_dead=$(rcli GET dd:metrics:notify_dead)"
[ -z "$(rcli --scan --pattern 'dd:notify:sent:*')" ] && dd_ok "no sent markers" || dd_fail "markers: $(rcli --scan --pattern 'dd:notify:sent:*')"

# --- fix and replay ---------------------------------------------------------------------------
# target 0 gets the right CA, target 1 too, the robot the right secret; the http secret
# stays what it was through the "<redacted>" placeholder of the GET reply. The PUT also
# reverses the targets: dead letters name their target by key (type + URL), so each replay
# must still reach its own receiver, not whatever now sits at its old index.
fixed=$(api GET "/api/v1/rules/$rid" | jq -c --arg ca "$DD_T/pki/good-ca.pem" --arg sd "$SD" '
  del(.id, .created_at, .updated_at) | .notify[0].ca_file = $ca | .notify[1].ca_file = $ca | .notify[3].secret = $sd
  | .notify |= reverse')
api PUT "/api/v1/rules/$rid" "$fixed" >/dev/null
[ "$(cat "$DD_T/api.status")" = 200 ] && [ "$(rcli --raw GET "dd:rule:$rid" | jq -r '.notify[1].secret')" = http-secret-kept ] &&
    dd_ok "rule fixed by PUT; the http secret kept through the placeholder" || dd_fail "PUT: $(cat "$DD_T/api.body")"
recv_control P "fail_first=0"
id2=$(jq -r '.dead_letters[] | select(.target == 2) | .id' "$DD_T/dl.json")
out=$("$DRYDOCK" notify dead-letters replay "$id2" --server "$API" --token "$TOKEN" 2>&1)
[ "$out" = "replayed 1" ] && dd_ok "replay one: $out" || dd_fail "replay one: $out"
recv_wait P 2 20 '.' && [ "$(recv_lines P .answer | paste -sd,)" = 400,200 ] && dd_ok "replayed 400 target delivered" ||
    dd_fail "P after replay: $(recv_lines P '{n, answer}')"
out=$("$DRYDOCK" notify dead-letters replay --all --server "$API" --token "$TOKEN" 2>&1)
[ "$out" = "replayed 3" ] && dd_ok "replay --all: $out" || dd_fail "replay --all: $out"
recv_wait A 1 20 && dd_ok "https with the right ca_file delivered after replay" || dd_fail "A after replay: $(tail -3 "$RLOG_A")"
recv_wait B 1 20 && dd_ok "https target 1 delivered after replay" || dd_fail "B after replay"
recv_wait D 1 20 'select(.errcode == 0 and .sign_valid)' && dd_ok "dingtalk with the right secret delivered after replay" ||
    dd_fail "D after replay: $(recv_lines D '{n, errcode}')"
for i in $(seq 1 50); do
    [ "$(rcli XPENDING dd:notify:replay notifier | head -1)" = 0 ] && break
    sleep 0.1
done
sleep 1
[ "$(recv_lines A | grep -c .)" = 1 ] && [ "$(recv_lines B | grep -c .)" = 1 ] && [ "$(recv_lines P 'select(.answer == 200)' | grep -c .)" = 1 ] &&
    [ "$(recv_lines D 'select(.errcode == 0)' | grep -c .)" = 1 ] && dd_ok "each replayed target delivered exactly once" ||
    dd_fail "after replay: A=$(recv_lines A | grep -c .) B=$(recv_lines B | grep -c .) P=$(recv_lines P | grep -c .) D=$(recv_lines D 'select(.errcode == 0)' | grep -c .)"
key=$(recv_lines A '.headers["idempotency-key"]' | jq -r .)
[ "$key" = "$job:$(tkey https "https://127.0.0.1:$RPORT_A/a")" ] &&
    dd_ok "replayed delivery keeps the Idempotency-Key <job>:<target key>" || dd_fail "replay key: $key"
[ "$(dead_count)" = 0 ] && dd_ok "dd:dead empty" || dd_fail "dd:dead: $(api GET /api/v1/notify/dead-letters)"
[ "$(rcli --scan --pattern "dd:notify:sent:$job:*" | grep -c .)" = 4 ] && dd_ok "4 sent markers after the replays" ||
    dd_fail "markers: $(rcli --scan --pattern 'dd:notify:sent:*')"
# replaying a delivered one again sends nothing (sent marker); an entry without a
# target_key (written before keys existed) goes by index: the http target is 1 since the PUT
rcli EVAL "local e = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1][2]
  return redis.call('XADD', KEYS[2], '*', 'event', e[2], 'rule_id', ARGV[1], 'target', '1', 'dead_id', '0-1')" \
    2 dd:events dd:notify:replay "$rid" >/dev/null
sleep 1.5
[ "$(recv_lines P 'select(.answer == 200)' | grep -c .)" = 1 ] && dd_ok "a replay of a delivered target sends nothing" || dd_fail "sent again after its marker"
check_no_secret "notifier log after replay" "$SD" "$DD_T/n1.log"
check_clean_log notifier "$DD_T/n1.log"
dd_finish
