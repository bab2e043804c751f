#!/bin/bash
# test_notify_retry.sh - transient failures are retried until delivered, with the same body and
# Idempotency-Key every time, and nothing ends in the dead letters. One scan, five targets,
# each behind its own real receiver with a fault mode:
#   0 receiver down: nothing listens on its port until ~2 s after the event
#   1 three 500s, then success                 -> exactly 4 requests
#   2 one 429 with Retry-After: 2, then success -> the retry waits >= 2 s (backoff base 0.2 s)
#   3 two replies slower than request_timeout_ms (1 s), then a fast one -> 3 requests
#   4 one 503 with an HTTP-date Retry-After ~3 s ahead, then success -> waits >= 2 s
#   5 one 429 with Retry-After: 30 -> capped at backoff_max_ms (5 s)
. "$(dirname "$0")/test_notify_lib.bash"
notify_setup
notify_require_notifier

DOWN_PORT=$(dd_free_port)
recv_start F http --fail-first 3 --status 500 || dd_finish
recv_start R http --fail-first 1 --status 429 --retry-after 2 || dd_finish
recv_start W http --slow-ms 3000 --slow-first 2 || dd_finish
recv_start T http --fail-first 1 --status 503 || dd_finish
recv_start C http --fail-first 1 --status 429 --retry-after 30 || dd_finish
mapfile -t IMGS < <(fleet_images 1 fleet/app)
RULE=$(
    cat <<EOF
{"name":"retry","scope":"namespace","namespace":"fleet","notify":[
 {"type":"http","url":"http://127.0.0.1:$DOWN_PORT/down"},
 {"type":"http","url":"http://127.0.0.1:$RPORT_F/five-hundreds"},
 {"type":"http","url":"http://127.0.0.1:$RPORT_R/429"},
 {"type":"http","url":"http://127.0.0.1:$RPORT_W/slow"},
 {"type":"http","url":"http://127.0.0.1:$RPORT_T/503-date"},
 {"type":"http","url":"http://127.0.0.1:$RPORT_C/429-long"}]}
EOF
)
rid=$(rule_create "$RULE") || { dd_fail "rule"; dd_finish; }
notifier_start n1 --set max_attempts=8 --set request_timeout_ms=1000 --set backoff_max_ms=5000
# target 4's Retry-After as an HTTP date ~3 s from now (seconds resolution: >= 2 s of wait)
recv_control T "fail_first=1&status=503&retry_after=$(python3 -c 'import email.utils,time; print(email.utils.formatdate(time.time() + 3, usegmt=True))' | sed 's/ /%20/g; s/,/%2C/g')"
task=$(rule_run "$rid")
wait_task_done "$task" 1 30 || dd_fail "scan did not finish"
sleep 2
recv_start D http --port "$DOWN_PORT" || dd_fail "late receiver"

recv_wait D 1 30 && dd_ok "receiver down at first: delivered once it came up" || dd_fail "down target never delivered"
recv_wait F 4 30 && dd_ok "500s: delivered on the 4th request" || dd_fail "500s: $(recv_lines F '{n, answer}')"
recv_wait R 2 30 && dd_ok "429: delivered on the 2nd request" || dd_fail "429: $(recv_lines R '{n, answer}')"
recv_wait W 3 30 && dd_ok "slow: delivered on the 3rd request" || dd_fail "slow: $(recv_lines W '{n, answer, slow_ms}')"
recv_wait T 2 30 && dd_ok "503 + HTTP-date Retry-After: delivered on the 2nd request" || dd_fail "503 date: $(recv_lines T '{n, answer}')"
recv_wait C 2 30 && dd_ok "429 + Retry-After 30: delivered on the 2nd request" || dd_fail "429 long: $(recv_lines C '{n, answer}')"
for i in $(seq 1 50); do
    [ "$(rcli XPENDING dd:events notifier | head -1)" = 0 ] && break
    sleep 0.1
done
sleep 1 # anything sent twice would show now

[ "$(recv_lines D | grep -c .)" = 1 ] && dd_ok "down: exactly 1 request reached the receiver" || dd_fail "down: $(recv_lines D | grep -c .) requests"
[ "$(recv_lines F | grep -c .)" = 4 ] && [ "$(recv_lines F .answer | paste -sd,)" = 500,500,500,200 ] &&
    dd_ok "500s: exactly 500,500,500,200" || dd_fail "500s answers: $(recv_lines F .answer | paste -sd,)"
[ "$(recv_lines W | grep -c .)" = 3 ] && dd_ok "slow: exactly 3 requests" || dd_fail "slow: $(recv_lines W '{n, slow_ms, t_ms}')"
for r in F R W T C; do
    [ "$(recv_lines $r '[.body_sha256, .headers["idempotency-key"]]' | sort -u | grep -c .)" = 1 ] ||
        dd_fail "$r: retries differ in body or Idempotency-Key: $(recv_lines $r '[.body_sha256, .headers["idempotency-key"]]')"
done
dd_ok "every retry carried the same body and Idempotency-Key"
gap() { recv_lines "$1" .t_ms | paste -sd' ' | awk '{print $2 - $1}'; }
g=$(gap R)
[ "${g:-0}" -ge 1900 ] && dd_ok "429 Retry-After: 2 honoured (retry after ${g} ms)" || dd_fail "429 retry after ${g} ms (< 2000)"
g=$(gap T)
[ "${g:-0}" -ge 1900 ] && dd_ok "HTTP-date Retry-After honoured (retry after ${g} ms)" || dd_fail "HTTP-date retry after ${g} ms"
g=$(gap C)
[ "${g:-0}" -ge 4500 ] && [ "${g:-0}" -le 8000 ] && dd_ok "Retry-After 30 capped at backoff_max_ms 5 s (retry after ${g} ms)" ||
    dd_fail "Retry-After 30: retry after ${g} ms (want ~5000)"
# 200*2^0, 200*2^1, 200*2^2 ms with jitter in [50%, 100%]: 700..1400 ms plus request time
g=$(recv_lines F .t_ms | paste -sd' ' | awk '{print $4 - $1}')
[ "${g:-0}" -ge 650 ] && [ "${g:-0}" -le 2500 ] && dd_ok "500s: exponential backoff with jitter (${g} ms for 3 waits; 700..1400 expected)" ||
    dd_fail "500s: retries spanned ${g} ms (700..1400 expected)"
[ "$(dead_count)" = 0 ] && dd_ok "no dead letters" || dd_fail "dead letters: $(api GET /api/v1/notify/dead-letters)"
[ "$(rcli --scan --pattern 'dd:notify:sent:*' | grep -c .)" = 6 ] && dd_ok "6 sent markers" || dd_fail "markers: $(rcli --scan --pattern 'dd:notify:sent:*')"
fa=$(rcli GET dd:metrics:notify_failed_attempts)
[ "${fa:-0}" -ge 9 ] && dd_ok "notify_failed_attempts counts the failures ($fa >= 1+3+1+2+1+1)" || dd_fail "failed attempts metric: $fa"
[ "$(rcli GET dd:metrics:notify_sent)" = 6 ] && dd_ok "notify_sent = 6" || dd_fail "notify_sent=$(rcli GET dd:metrics:notify_sent)"
check_clean_log notifier "$DD_T/n1.log"
dd_finish
