#!/bin/bash
# test_notify_two.sh - two drydock-notifier processes in the consumer group "notifier":
#   1  8 scans, 3 targets (http, https with its own CA, dingtalk): every (job, target) is
#      delivered exactly once in total, and both processes took part;
#   2  one of them is killed with -9 while holding slow deliveries: the other reclaims its
#      pending events after reclaim_idle_ms and delivers them; nothing is lost, nothing that
#      was marked sent goes out again.
. "$(dirname "$0")/test_notify_lib.bash"
notify_setup
notify_require_notifier
# a second worker so events arrive quickly and interleaved
worker_start w2 --concurrency 2 --db "$DD_T/db" --set max_attempts=1

SD=SECtwo-notifiers
notify_make_ca "$DD_T/pki" good || { dd_fail "openssl"; dd_finish; }
recv_start H http --slow-ms 300 || dd_finish
recv_start S https --cert "$DD_T/pki/good-server.pem" --key "$DD_T/pki/good-server.key" || dd_finish
recv_start D dingtalk --secret "$SD" --token tt || dd_finish
N=8
mapfile -t IMGS < <(fleet_images $N fleet/app)
RULE=$(
    cat <<EOF
{"name":"two","scope":"namespace","namespace":"fleet","notify":[
 {"type":"http","url":"http://127.0.0.1:$RPORT_H/h"},
 {"type":"https","url":"https://127.0.0.1:$RPORT_S/s","ca_file":"$DD_T/pki/good-ca.pem"},
 {"type":"dingtalk","webhook_url":"http://127.0.0.1:$RPORT_D/robot/send?access_token=tt","secret":"$SD"}]}
EOF
)
rid=$(rule_create "$RULE") || { dd_fail "rule"; dd_finish; }
FAST=(--set reclaim_idle_ms=2000 --set reclaim_interval_ms=500 --set concurrency=4)
notifier_start na "${FAST[@]}"
notifier_start nb "${FAST[@]}"
wait_done() { # WANT TIMEOUT_S: WANT sent markers and nothing pending
    local i
    for i in $(seq 1 $(($2 * 5))); do
        [ "$(rcli --scan --pattern 'dd:notify:sent:*' | grep -c .)" -ge "$1" ] &&
            [ "$(rcli XPENDING dd:events notifier | head -1)" = 0 ] && return 0
        sleep 0.2
    done
    return 1
}
keys() { recv_lines "$1" '.headers["idempotency-key"] // (.body | fromjson | .markdown.text)' | jq -r .; }

# --- 1: both running ----------------------------------------------------------------------
task=$(rule_run "$rid")
wait_task_done "$task" $N 40 || dd_fail "scans did not finish"
wait_done $((3 * N)) 40 && dd_ok "1: $((3 * N)) (job, target) pairs marked sent, nothing pending" ||
    dd_fail "1: markers $(rcli --scan --pattern 'dd:notify:sent:*' | grep -c .)"
sleep 1
for r in H S; do
    n=$(recv_lines $r | grep -c .)
    u=$(recv_lines $r '.headers["idempotency-key"]' | sort -u | grep -c .)
    [ "$n" = $N ] && [ "$u" = $N ] && dd_ok "1: $r: $N requests, $N distinct keys (exactly once)" || dd_fail "1: $r: $n requests, $u keys"
done
n=$(recv_lines D 'select(.errcode == 0)' | grep -c .)
[ "$n" = $N ] && dd_ok "1: dingtalk: $N accepted messages" || dd_fail "1: dingtalk accepted $n"
da=$(grep -c 'msg="delivered"' "$DD_T/na.log")
db=$(grep -c 'msg="delivered"' "$DD_T/nb.log")
echo "  deliveries: na=$da nb=$db"
[ $((da + db)) = $((3 * N)) ] && dd_ok "1: the two logs add up to $((3 * N)) deliveries" || dd_fail "1: na=$da nb=$db"
[ "$da" -gt 0 ] && [ "$db" -gt 0 ] && dd_ok "1: both notifiers delivered" || dd_fail "1: one notifier did all the work (na=$da nb=$db)"

# --- 2: kill -9 one of them mid-run ------------------------------------------------------------
recv_control H "slow_ms=1500"
h0=$(recv_lines H | grep -c .)
task=$(rule_run "$rid")
recv_wait H $((h0 + 3)) 40 || dd_fail "2: no deliveries started"
kill -KILL "$NPID_nb"
wait "$NPID_nb" 2>/dev/null
kill_ms=$(date +%s%3N)
rcli --scan --pattern 'dd:notify:sent:*' | sed 's/^dd:notify:sent://' | sort >"$DD_T/markers-at-kill"
echo "  at kill -9 of nb: pending $(rcli XPENDING dd:events notifier | head -1)"
wait_task_done "$task" $N 40 || dd_fail "2: scans did not finish"
wait_done $((6 * N)) 40 && dd_ok "2: after nb's kill -9, na delivered everything ($((6 * N)) markers, nothing pending)" ||
    dd_fail "2: markers $(rcli --scan --pattern 'dd:notify:sent:*' | grep -c .), pending $(rcli XPENDING dd:events notifier | head -1)"
grep -q 'reclaimed' "$DD_T/na.log" && dd_ok "2: na reclaimed nb's pending events" || dd_fail "2: no reclaim in na.log"
sleep 1
again=$(recv_lines H "select(.t_ms > $kill_ms) | .headers[\"idempotency-key\"]" | jq -r . | sort | comm -12 - "$DD_T/markers-at-kill")
[ -z "$again" ] && dd_ok "2: nothing marked sent at the kill was sent again" || dd_fail "2: resent after marker: $again"
u=$(recv_lines H '.headers["idempotency-key"]' | sort -u | grep -c .)
[ "$u" = $((2 * N)) ] && dd_ok "2: http target has all $((2 * N)) keys" || dd_fail "2: http target has $u keys"
kill -TERM "$NPID_na"
wait "$NPID_na"
rc=$?
[ $rc = 0 ] && dd_ok "na: SIGTERM -> exit 0" || dd_fail "na exit $rc"
check_no_secret "notifier logs" "$SD" "$DD_T/na.log" "$DD_T/nb.log"
check_clean_log na "$DD_T/na.log"
check_clean_log nb "$DD_T/nb.log"
dd_finish
