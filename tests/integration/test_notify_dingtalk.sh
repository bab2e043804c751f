#!/bin/bash
# test_notify_dingtalk.sh - the DingTalk robot's rate limit, against the DingTalk-like
# receiver (which checks token, timestamp and sign on every message). With
# dingtalk_per_minute = 3 and a 4 s window (the real values are 20 and 60 s):
#   1  8 scans: at most 3 messages in any window; the rest wait and go out as ONE batched
#      message when the window opens; every image appears in exactly one accepted message.
#   2  the robot answers errcode 130101 ("send too fast") once: that closes the window, the
#      next message waits for it, everything is still delivered, nothing dead-lettered.
. "$(dirname "$0")/test_notify_lib.bash"
notify_setup
notify_require_notifier
SD=SECrate-limited-robot
recv_start D dingtalk --secret "$SD" --token rl || dd_finish
N=8
mapfile -t IMGS < <(fleet_images $N fleet/app)
RULE="{\"name\":\"robot\",\"scope\":\"namespace\",\"namespace\":\"fleet\",\"notify\":[
 {\"type\":\"dingtalk\",\"webhook_url\":\"http://127.0.0.1:$RPORT_D/robot/send?access_token=rl\",\"secret\":\"$SD\"}]}"
rid=$(rule_create "$RULE") || { dd_fail "rule"; dd_finish; }
notifier_start n1 --set dingtalk_per_minute=3 --set dingtalk_window_ms=4000 --set max_attempts=6 \
    --set backoff_max_ms=2000
wait_markers() { # WANT TIMEOUT_S
    local i
    for i in $(seq 1 $(($2 * 5))); do
        [ "$(rcli --scan --pattern 'dd:notify:sent:*' | grep -c .)" -ge "$1" ] && return 0
        sleep 0.2
    done
    return 1
}
# images named in accepted messages from log line FROM on, one per line
accepted_images() {
    recv_lines D '[.errcode, (.body | fromjson | .markdown.text)]' | tail -n +"$1" |
        jq -r 'select(.[0] == 0) | .[1]' | grep -oE "127\.0\.0\.1:[0-9]+/fleet/app[0-9]+:1" | sort
}
# max messages in any window of W ms (from log line FROM on)
max_in_window() {
    recv_lines D .t_ms | tail -n +"$1" | awk -v w="$2" '{ t[NR] = $1 } END {
        m = 0; for (i = 1; i <= NR; i++) { c = 0; for (j = i; j <= NR; j++) if (t[j] - t[i] < w) c++; if (c > m) m = c }
        print m }'
}

task=$(rule_run "$rid")
wait_task_done "$task" $N 40 || dd_fail "scans did not finish"
wait_markers $N 30 && dd_ok "1: all $N events marked sent" || dd_fail "1: markers $(rcli --scan --pattern 'dd:notify:sent:*' | grep -c .)"
sleep 0.5
n=$(recv_lines D | grep -c .)
echo "  round 1: $n messages: $(recv_lines D '[.n, .t_ms, (.body | fromjson | .markdown.title)]' | paste -sd' ')"
[ "$(recv_lines D '[.errcode, .sign_valid, .timestamp_ok, .token_ok]' | sort -u)" = '[0,true,true,true]' ] &&
    dd_ok "1: every message signed correctly and accepted" || dd_fail "1: $(recv_lines D '{n, errcode, sign_valid}')"
m=$(max_in_window 1 4000)
[ "$m" -le 3 ] && dd_ok "1: at most 3 messages in any 4 s window ($m)" || dd_fail "1: $m messages in one window"
[ "$n" -lt $N ] && dd_ok "1: $N events in $n messages (batched)" || dd_fail "1: $n messages for $N events: no batching"
recv_lines D '.body | fromjson | .markdown.title' | jq -r . | grep -qE '[0-9]+ scan results' &&
    dd_ok "1: a batched message titled 'N scan results'" || dd_fail "1: no batch title: $(recv_lines D '.body | fromjson | .markdown.title')"
[ "$(accepted_images 1 | paste -sd' ')" = "$(printf '%s\n' "${IMGS[@]}" | sort | paste -sd' ')" ] &&
    dd_ok "1: every image in exactly one accepted message" || dd_fail "1: images in messages: $(accepted_images 1 | uniq -c | paste -sd' ')"

# --- 2: errcode 130101 ----------------------------------------------------------------------
sleep 4 # an open window
n1=$(($(recv_lines D | grep -c .) + 1))
recv_control D "errcode_first=1&errcode=130101"
task=$(rule_run "$rid")
wait_task_done "$task" $N 40 || dd_fail "2: scans did not finish"
wait_markers $((2 * N)) 40 && dd_ok "2: all $N events of round 2 marked sent" || dd_fail "2: markers $(rcli --scan --pattern 'dd:notify:sent:*' | grep -c .)"
sleep 0.5
echo "  round 2: $(recv_lines D '[.n, .t_ms, .errcode]' | tail -n +$n1 | paste -sd' ')"
[ "$(recv_lines D 'select(.errcode == 130101) | .n' | paste -sd,)" = 1 ] && dd_ok "2: the first message got errcode 130101" ||
    dd_fail "2: 130101 answers: $(recv_lines D 'select(.errcode == 130101) | .n')"
g=$(recv_lines D '.t_ms' | tail -n +$n1 | head -2 | paste -sd' ' | awk '{print $2 - $1}')
[ "${g:-0}" -ge 3600 ] && dd_ok "2: 130101 closed the window: next message ${g} ms later" || dd_fail "2: next message after ${g} ms (window 4000)"
[ "$(accepted_images "$n1" | paste -sd' ')" = "$(printf '%s\n' "${IMGS[@]}" | sort | paste -sd' ')" ] &&
    dd_ok "2: every image in exactly one accepted message" || dd_fail "2: images: $(accepted_images "$n1" | uniq -c | paste -sd' ')"
[ "$(dead_count)" = 0 ] && dd_ok "no dead letters" || dd_fail "dead: $(api GET /api/v1/notify/dead-letters)"
check_no_secret "notifier log" "$SD" "$DD_T/n1.log"
check_clean_log notifier "$DD_T/n1.log"
dd_finish
