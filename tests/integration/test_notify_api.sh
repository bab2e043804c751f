#!/bin/bash
# test_notify_api.sh - the scheduler side of notifications, against real redis-server and
# drydock-scheduler (no notifier needed):
#   - notify targets are validated with 400s naming the field and index;
#   - secrets and the DingTalk access_token never come back from POST/GET/list/PUT, while
#     Redis keeps them (the notifier reads them there), and a PUT that sends "<redacted>" back
#     keeps the stored secret; the scheduler log holds no secret either;
#   - dead letters (written here exactly as the contract says the notifier writes them) are
#     listed by the API and `drydock notify dead-letters list`, newest first, and replayed by
#     ID and all at once: each moves to dd:notify:replay (event bytes unchanged, rule_id,
#     target, dead_id) and leaves dd:dead; unknown IDs are 404; auth is required.
. "$(dirname "$0")/test_notify_lib.bash"
notify_setup

SEC_D=SECd1ngtalk-very-secret
TOK_D=acc3ss-t0ken-abc
SEC_H=hmac-key-http-xyz
# --- validation ---------------------------------------------------------------------------
bad_rule() { # NOTIFY-JSON EXPECTED-ERROR
    local out
    out=$(api POST /api/v1/rules "{\"name\":\"bad\",\"scope\":\"namespace\",\"namespace\":\"fleet\",\"notify\":$1}")
    if [ "$(cat "$DD_T/api.status")" = 400 ] && [ "$(jq -r .error <<<"$out")" = "$2" ]; then
        dd_ok "400: $2"
    else
        dd_fail "notify $1: HTTP $(cat "$DD_T/api.status") $out (wanted 400 $2)"
    fi
}
bad_rule '[{"type":"http","url":"http://127.0.0.1:1/x"},{"type":"https","url":"http://hooks.local/drydock"}]' \
    'notify[1].url: must start with https:// for type "https"'
bad_rule '[{"type":"slack","url":"https://x"}]' \
    'notify[0].type: unknown type "slack" ("dingtalk", "http" or "https")'
bad_rule '[{"type":"http","url":"http://x","ca_file":"/etc/ca.pem"}]' \
    'notify[0].ca_file: only allowed for type "https"'
bad_rule '[{"type":"http","url":"http://x","min_severity":"urgent"}]' \
    'notify[0].min_severity: must be one of CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN'
bad_rule '[{"type":"http","url":"http://x","retries":3}]' \
    "notify[0]: unknown field 'retries' for type \"http\""
bad_rule '[{"type":"dingtalk","webhook_url":"https://d/robot?<redacted>","secret":"<redacted>"}]' \
    'notify[0].webhook_url: "<redacted>" stands for a stored value: send it back only in a PUT whose stored rule has a target of the same type and URL'

# --- redaction ----------------------------------------------------------------------------
R1=$(
    cat <<EOF
{"name":"notify api","scope":"namespace","namespace":"fleet","notify":[
 {"type":"dingtalk","webhook_url":"https://oapi.dingtalk.com/robot/send?access_token=$TOK_D","secret":"$SEC_D","min_severity":"high","name":"ops-robot"},
 {"type":"http","url":"http://127.0.0.1:9/hook","secret":"$SEC_H","only_on_change":true},
 {"type":"https","url":"https://127.0.0.1:9/hook","ca_file":"/tmp/ca.pem"}]}
EOF
)
out=$(api POST /api/v1/rules "$R1")
rid=$(jq -r .id <<<"$out")
[ "$(cat "$DD_T/api.status")" = 201 ] && dd_ok "rule with three targets created" || dd_fail "create: $out"
want_notify='[{"type":"dingtalk","webhook_url":"https://oapi.dingtalk.com/robot/send?<redacted>","secret":"<redacted>","min_severity":"HIGH","name":"ops-robot"},{"type":"http","url":"http://127.0.0.1:9/hook","secret":"<redacted>","only_on_change":true},{"type":"https","url":"https://127.0.0.1:9/hook","ca_file":"/tmp/ca.pem"}]'
jq -e --argjson w "$want_notify" '.notify == $w' <<<"$out" >/dev/null &&
    dd_ok "POST reply: secrets and access_token redacted, min_severity upper case" ||
    dd_fail "POST reply notify: $(jq -c .notify <<<"$out")"
api GET "/api/v1/rules/$rid" >"$DD_T/get.json"
jq -e --argjson w "$want_notify" '.notify == $w' "$DD_T/get.json" >/dev/null &&
    dd_ok "GET redacted" || dd_fail "GET notify: $(jq -c .notify "$DD_T/get.json")"
api GET /api/v1/rules >"$DD_T/list.json"
jq -e --arg id "$rid" --argjson w "$want_notify" '.rules[] | select(.id == $id) | .notify == $w' \
    "$DD_T/list.json" >/dev/null && dd_ok "list redacted" || dd_fail "list notify"
stored=$(rcli --raw GET "dd:rule:$rid")
jq -e --arg s "$SEC_D" --arg t "$TOK_D" --arg h "$SEC_H" \
    '.notify[0].secret == $s and (.notify[0].webhook_url | endswith("access_token=" + $t)) and .notify[1].secret == $h' \
    <<<"$stored" >/dev/null && dd_ok "Redis keeps the real secrets for the notifier" ||
    dd_fail "stored rule: $stored"

# PUT the GET reply back (minus server fields), with the http target renamed and moved first:
# the placeholders map back to the stored values
put=$(jq -c 'del(.id, .created_at, .updated_at) | .notify = [.notify[1] + {"name":"renamed"}, .notify[0], .notify[2]]' "$DD_T/get.json")
out=$(api PUT "/api/v1/rules/$rid" "$put")
[ "$(cat "$DD_T/api.status")" = 200 ] && ! grep -qF -e "$SEC_D" -e "$SEC_H" -e "$TOK_D" <<<"$out" &&
    dd_ok "PUT with placeholders accepted, reply redacted" || dd_fail "PUT: HTTP $(cat "$DD_T/api.status") $out"
stored=$(rcli --raw GET "dd:rule:$rid")
jq -e --arg s "$SEC_D" --arg t "$TOK_D" --arg h "$SEC_H" \
    '.notify[1].secret == $s and .notify[1].webhook_url == "https://oapi.dingtalk.com/robot/send?access_token=" + $t and .notify[0].secret == $h and .notify[0].name == "renamed" and (.notify[2] | has("secret") | not)' \
    <<<"$stored" >/dev/null && dd_ok "PUT kept the stored secrets and access token" ||
    dd_fail "after PUT: $stored"
# a new secret replaces the stored one; a placeholder for an unknown URL is refused
put2=$(jq -c '.notify[0].secret = "new-http-secret"' <<<"$put")
api PUT "/api/v1/rules/$rid" "$put2" >/dev/null
[ "$(rcli --raw GET "dd:rule:$rid" | jq -r '.notify[0].secret')" = new-http-secret ] &&
    dd_ok "PUT with a real secret replaces it" || dd_fail "secret not replaced"
put3=$(jq -c '.notify[0].url = "http://127.0.0.1:9/other" | .notify[0].secret = "<redacted>"' <<<"$put")
out=$(api PUT "/api/v1/rules/$rid" "$put3")
[ "$(cat "$DD_T/api.status")" = 400 ] && [[ $(jq -r .error <<<"$out") == 'notify[0].secret: "<redacted>" stands for a stored value'* ]] &&
    dd_ok "placeholder for a target with another URL: 400" || dd_fail "PUT 3: $out"
[ "$(rcli --raw GET "dd:rule:$rid" | jq -r '.notify[0].secret')" = new-http-secret ] &&
    dd_ok "a refused PUT changed nothing" || dd_fail "refused PUT changed the rule"
# the CLI shows the redacted form too
"$DRYDOCK" rule show "$rid" --server "$API" --token "$TOKEN" --json >"$DD_T/cli-show.json" 2>&1
grep -q '<redacted>' "$DD_T/cli-show.json" && dd_ok "drydock rule show: redacted" || dd_fail "rule show: $(head -c 300 "$DD_T/cli-show.json")"
check_no_secret "API replies and scheduler log" "$SEC_D" "$DD_T/get.json" "$DD_T/list.json" "$DD_T/cli-show.json" "$DD_T/sched.log"
check_no_secret "access token" "$TOK_D" "$DD_T/get.json" "$DD_T/list.json" "$DD_T/cli-show.json" "$DD_T/sched.log"

# --- dead letters ---------------------------------------------------------------------------
api GET /api/v1/notify/dead-letters >"$DD_T/dl0.json"
jq -e '.dead_letters == []' "$DD_T/dl0.json" >/dev/null && dd_ok "no dead letters yet" || dd_fail "dl0: $(cat "$DD_T/dl0.json")"
IMG=$DD_REGISTRY/fleet/app1:1
D1=sha256:$(printf a%.0s {1..64})
id1=$(dead_xadd job00000000000000000000000000001 "$rid" 0 dingtalk ops-robot "dingtalk errcode 310000: sign not match" "$IMG" "$D1" COMPLETE)
id2=$(dead_xadd job00000000000000000000000000002 "$rid" 1 http "" "HTTP 500 after 4 attempts" "$IMG" "$D1" FAILED)
id3=$(dead_xadd job00000000000000000000000000003 "$rid" 2 https "" "TLS: certificate verify failed" "$IMG" "$D1" COMPLETE)
api GET /api/v1/notify/dead-letters >"$DD_T/dl.json"
exp=$(jq -nc --arg i1 "$id1" --arg i2 "$id2" --arg i3 "$id3" --arg r "$rid" --arg img "$IMG" --arg d "$D1" '
  [{id: $i3, job_id: "job00000000000000000000000000003", rule_id: $r, target: 2, target_key: "k2", target_type: "https", target_name: "", image: $img, digest: $d, status: "COMPLETE", reason: "TLS: certificate verify failed", attempts: 4},
   {id: $i2, job_id: "job00000000000000000000000000002", rule_id: $r, target: 1, target_key: "k1", target_type: "http", target_name: "", image: $img, digest: $d, status: "FAILED", reason: "HTTP 500 after 4 attempts", attempts: 4},
   {id: $i1, job_id: "job00000000000000000000000000001", rule_id: $r, target: 0, target_key: "k0", target_type: "dingtalk", target_name: "ops-robot", image: $img, digest: $d, status: "COMPLETE", reason: "dingtalk errcode 310000: sign not match", attempts: 4}]')
if jq -e --argjson e "$exp" '[.dead_letters[] | del(.failed_at)] == $e and all(.dead_letters[]; .failed_at > 1700000000000)' \
    "$DD_T/dl.json" >/dev/null; then
    dd_ok "GET dead-letters: every field, newest first"
else
    dd_fail "dead letters: $(jq -c . "$DD_T/dl.json")"
fi
api GET "/api/v1/notify/dead-letters?limit=1" | jq -e --arg i "$id3" '.dead_letters | length == 1 and .[0].id == $i' >/dev/null &&
    dd_ok "?limit=1" || dd_fail "limit"
api GET "/api/v1/notify/dead-letters?limit=0" >/dev/null
[ "$(cat "$DD_T/api.status")" = 400 ] && dd_ok "limit=0: 400" || dd_fail "limit=0: $(cat "$DD_T/api.status")"
code=$(curl -s -o /dev/null -w '%{http_code}' "$API/api/v1/notify/dead-letters")
[ "$code" = 401 ] && dd_ok "no token: 401" || dd_fail "no token: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer wrong" "$API/api/v1/notify/dead-letters/replay")
[ "$code" = 401 ] && dd_ok "wrong token on replay: 401" || dd_fail "wrong token: $code"

"$DRYDOCK" notify dead-letters list --server "$API" --token "$TOKEN" >"$DD_T/cli-list.txt" 2>&1
rc=$?
[ $rc = 0 ] && grep -q "^$id1 " "$DD_T/cli-list.txt" && grep -q "0:dingtalk/ops-robot" "$DD_T/cli-list.txt" &&
    grep -q "sign not match" "$DD_T/cli-list.txt" && dd_ok "drydock notify dead-letters list (table)" ||
    { dd_fail "cli list rc=$rc"; cat "$DD_T/cli-list.txt" >&2; }
DRYDOCK_SERVER=$API DRYDOCK_TOKEN=$TOKEN "$DRYDOCK" notify dead-letters list --format json >"$DD_T/cli-list.json"
jq -e --slurpfile api "$DD_T/dl.json" '. == $api[0]' "$DD_T/cli-list.json" >/dev/null &&
    dd_ok "--format json prints the API reply" || dd_fail "cli json differs"

# replay one: the entry moves to dd:notify:replay with the same event bytes
out=$("$DRYDOCK" notify dead-letters replay "$id2" --server "$API" --token "$TOKEN" 2>&1)
[ "$out" = "replayed 1" ] && dd_ok "drydock notify dead-letters replay ID" || dd_fail "replay one: $out"
[ "$(dead_count)" = 2 ] && [ -z "$(rcli XRANGE dd:dead "$id2" "$id2")" ] && dd_ok "replayed entry left dd:dead" ||
    dd_fail "dd:dead after replay: $(dead_count)"
rep=$(rcli --raw XRANGE dd:notify:replay - +)
python3 - "$DD_REDIS_PORT" "$id2" "$rid" <<'PY' && dd_ok "dd:notify:replay entry: event bytes unchanged, rule_id, target, target_key, dead_id" || dd_fail "replay entry: $rep"
import socket, sys
port, dead_id, rule = sys.argv[1:]
def cmd(*a):
    s = socket.create_connection(("127.0.0.1", int(port)))
    s.sendall(b"*%d\r\n" % len(a) + b"".join(b"$%d\r\n%s\r\n" % (len(x), x) for x in a))
    f = s.makefile("rb")
    def rd():
        line = f.readline(); t, rest = line[:1], line[1:-2]
        if t == b"*":
            return [rd() for _ in range(int(rest))]
        if t == b"$":
            n = int(rest)
            return None if n < 0 else f.read(n + 2)[:-2]
        return rest
    return rd()
entries = cmd(b"XRANGE", b"dd:notify:replay", b"-", b"+")
assert len(entries) == 1, entries
fields = entries[0][1]
h = dict(zip(fields[0::2], fields[1::2]))
assert [k for k in fields[0::2]] == [b"event", b"rule_id", b"target", b"target_key", b"dead_id"], fields[0::2]
assert h[b"rule_id"] == rule.encode() and h[b"target"] == b"1" and h[b"target_key"] == b"k1" and h[b"dead_id"] == dead_id.encode(), h
ev = h[b"event"]
assert ev[:2] == b"\x0a\x20" and ev[2:34] == b"job00000000000000000000000000002", ev[:40]
PY
# unknown / malformed IDs
api POST "/api/v1/notify/dead-letters/$id2/replay" >/dev/null
[ "$(cat "$DD_T/api.status")" = 404 ] && dd_ok "replaying it again: 404" || dd_fail "second replay: $(cat "$DD_T/api.status")"
api POST "/api/v1/notify/dead-letters/not-an-id/replay" >/dev/null
[ "$(cat "$DD_T/api.status")" = 404 ] && dd_ok "malformed ID: 404" || dd_fail "bad id: $(cat "$DD_T/api.status")"
api GET "/api/v1/notify/dead-letters/replay" >/dev/null
[ "$(cat "$DD_T/api.status")" = 405 ] && dd_ok "GET on replay: 405" || dd_fail "GET replay: $(cat "$DD_T/api.status")"
"$DRYDOCK" notify dead-letters replay 12-x --server "$API" --token "$TOKEN" >/dev/null 2>&1
[ $? = 2 ] && dd_ok "CLI refuses a malformed ID (exit 2)" || dd_fail "CLI bad id exit"
# replay all
out=$(api POST /api/v1/notify/dead-letters/replay)
[ "$(jq -r .replayed <<<"$out")" = 2 ] && [ "$(dead_count)" = 0 ] && [ "$(rcli XLEN dd:notify:replay)" = 3 ] &&
    dd_ok "replay all: 2 replayed, dd:dead empty, 3 on dd:notify:replay" || dd_fail "replay all: $out dead=$(dead_count)"
out=$("$DRYDOCK" notify dead-letters replay --all --server "$API" --token "$TOKEN" 2>&1)
[ "$out" = "replayed 0" ] && dd_ok "drydock ... replay --all on an empty stream: replayed 0" || dd_fail "replay --all: $out"
# many: more than one Lua batch (200)
for i in $(seq 1 250); do
    printf 'XADD dd:dead * event x rule_id %s target 0 target_type http target_name "" reason r attempts 1 failed_at 1\n' "$rid"
done | rcli >/dev/null
out=$(api POST /api/v1/notify/dead-letters/replay)
[ "$(jq -r .replayed <<<"$out")" = 250 ] && [ "$(dead_count)" = 0 ] && dd_ok "replay all of 250 (two batches)" ||
    dd_fail "250: $out dead=$(dead_count)"
m=$(api GET /metrics)
grep -q '^drydock_notify_dead_total 0' <<<"$m" && dd_ok "/metrics has the notify counters" || dd_fail "metrics: $(grep notify <<<"$m")"
check_clean_log scheduler "$DD_T/sched.log"
dd_finish
