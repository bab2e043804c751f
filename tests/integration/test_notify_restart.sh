#!/bin/bash
# test_notify_restart.sh - a notifier that dies or is stopped mid-run loses nothing and sends
# nothing twice that it had finished. Two http targets, one slow (0.8 s a reply) so deliveries
# are in flight when the process goes:
#   A  kill -9 mid-run, restart: every (job, target) is delivered; no target whose sent marker
#      existed at the kill is sent again; only requests in flight at the kill may be repeated
#      (the receiver got them but the notifier never saw the 2xx: at-least-once, same
#      Idempotency-Key), and at most as many as were in flight.
#   B  SIGTERM mid-run: requests in flight finish, exit 0, restart: every (job, target)
#      delivered exactly once.
. "$(dirname "$0")/test_notify_lib.bash"
notify_setup
notify_require_notifier

recv_start X http --slow-ms 800 || dd_finish
recv_start Y http || dd_finish
N=6
mapfile -t IMGS < <(fleet_images $N fleet/app)
RULE="{\"name\":\"restart\",\"scope\":\"namespace\",\"namespace\":\"fleet\",\"notify\":[
 {\"type\":\"http\",\"url\":\"http://127.0.0.1:$RPORT_X/slow\"},{\"type\":\"http\",\"url\":\"http://127.0.0.1:$RPORT_Y/fast\"}]}"
rid=$(rule_create "$RULE") || { dd_fail "rule"; dd_finish; }
now_ms() { date +%s%3N; }
keys_ok() { # RECEIVER: idempotency keys answered 200, one per line (with repeats)
    recv_lines "$1" 'select(.answer == 200) | .headers["idempotency-key"]' | jq -r .
}
# The notifier's view of "done": WANT sent markers and no event pending in its group. (The
# receiver logs a request when it arrives, so its log alone cannot say the 2xx got back.)
wait_done() { # WANT TIMEOUT_S
    local i
    for i in $(seq 1 $(($2 * 5))); do
        [ "$(rcli --scan --pattern 'dd:notify:sent:*' | grep -c .)" -ge "$1" ] &&
            [ "$(rcli XPENDING dd:events notifier | head -1)" = 0 ] && return 0
        sleep 0.2
    done
    return 1
}

# --- A: kill -9 ----------------------------------------------------------------------------
notifier_start n1 --set reclaim_idle_ms=2000 --set reclaim_interval_ms=500
task=$(rule_run "$rid")
recv_wait X 2 40 || dd_fail "no deliveries started"
kill -KILL "$NPID_n1"
wait "$NPID_n1" 2>/dev/null
kill_ms=$(now_ms)
rcli --scan --pattern 'dd:notify:sent:*' | sed 's/^dd:notify:sent://' | sort >"$DD_T/markers-at-kill"
# in doubt: a request reached a receiver before the kill but its target has no sent marker
(recv_lines X "select(.t_ms <= $kill_ms) | .headers[\"idempotency-key\"]"
    recv_lines Y "select(.t_ms <= $kill_ms) | .headers[\"idempotency-key\"]") | jq -r . | sort -u |
    comm -23 - "$DD_T/markers-at-kill" >"$DD_T/in-doubt"
inflight=$(grep -c . "$DD_T/in-doubt")
echo "  at kill -9: $(wc -l <"$DD_T/markers-at-kill") targets marked sent, $inflight requests in doubt"
wait_task_done "$task" $N 40 || dd_fail "scans did not finish"
notifier_start n1 --set reclaim_idle_ms=2000 --set reclaim_interval_ms=500
wait_done $((2 * N)) 40 && [ "$(keys_ok X | sort -u | grep -c .)" = $N ] && [ "$(keys_ok Y | sort -u | grep -c .)" = $N ] &&
    dd_ok "A: after kill -9 and restart every (job, target) delivered ($N x 2, all marked, all acked)" ||
    dd_fail "A: X has $(keys_ok X | sort -u | grep -c .), Y has $(keys_ok Y | sort -u | grep -c .) of $N; markers $(rcli --scan --pattern 'dd:notify:sent:*' | grep -c .)"
sleep 1
again=$(recv_lines X "select(.t_ms > $kill_ms) | .headers[\"idempotency-key\"]" | jq -r . |
    cat - <(recv_lines Y "select(.t_ms > $kill_ms) | .headers[\"idempotency-key\"]" | jq -r .) |
    sort | comm -12 - "$DD_T/markers-at-kill")
[ -z "$again" ] && dd_ok "A: nothing marked sent before the kill was sent again" || dd_fail "A: sent again after its marker: $again"
(keys_ok X; keys_ok Y) | sort | uniq -c | awk '$1 > 1 { print $2, $1 }' >"$DD_T/repeats"
dups=$(grep -c . "$DD_T/repeats")
bad=$(awk '{print $1}' "$DD_T/repeats" | comm -23 - "$DD_T/in-doubt")
if [ -z "$bad" ] && ! awk '$2 > 2' "$DD_T/repeats" | grep -q .; then
    dd_ok "A: $dups repeated deliveries, each once more, all of targets in doubt at the kill ($inflight)"
else
    dd_fail "A: repeats outside the in-doubt set or more than twice: $(cat "$DD_T/repeats")"
fi
[ "$(rcli --scan --pattern 'dd:notify:sent:*' | grep -c .)" = $((2 * N)) ] && dd_ok "A: $((2 * N)) sent markers" ||
    dd_fail "A: markers $(rcli --scan --pattern 'dd:notify:sent:*' | grep -c .)"
for i in $(seq 1 50); do
    [ "$(rcli XPENDING dd:events notifier | head -1)" = 0 ] && break
    sleep 0.1
done
[ "$(rcli XPENDING dd:events notifier | head -1)" = 0 ] && dd_ok "A: every event acknowledged" || dd_fail "A: pending $(rcli XPENDING dd:events notifier)"

# --- B: SIGTERM ------------------------------------------------------------------------------
xb=$(recv_lines X | grep -c .)
yb=$(recv_lines Y | grep -c .)
task=$(rule_run "$rid")
recv_wait X $((xb + 2)) 40 || dd_fail "B: no deliveries started"
kill -TERM "$NPID_n1"
wait "$NPID_n1"
rc=$?
[ $rc = 0 ] && dd_ok "B: SIGTERM mid-run: exit 0" || dd_fail "B: exit $rc"
grep -q 'Sanitizer\|runtime error' "$DD_T/n1.log" && dd_fail "sanitizer report in n1.log"
wait_task_done "$task" $N 40 || dd_fail "B: scans did not finish"
notifier_start n1
wait_done $((4 * N)) 40 && [ "$(keys_ok X | sort -u | grep -c .)" = $((2 * N)) ] && [ "$(keys_ok Y | sort -u | grep -c .)" = $((2 * N)) ] &&
    dd_ok "B: after the restart every (job, target) delivered, marked and acked" ||
    dd_fail "B: X $(keys_ok X | sort -u | grep -c .) Y $(keys_ok Y | sort -u | grep -c .) of $((2 * N)); markers $(rcli --scan --pattern 'dd:notify:sent:*' | grep -c .)"
sleep 1
xn=$(recv_lines X | tail -n +$((xb + 1)) | grep -c .)
yn=$(recv_lines Y | tail -n +$((yb + 1)) | grep -c .)
[ "$xn" = $N ] && [ "$yn" = $N ] && dd_ok "B: exactly once: $N requests to each target" || dd_fail "B: X got $xn, Y got $yn requests (want $N each)"
kill -TERM "$NPID_n1"
wait "$NPID_n1"
check_clean_log notifier "$DD_T/n1.log"
dd_finish
