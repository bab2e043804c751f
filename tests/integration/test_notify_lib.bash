# test_notify_lib.bash - shared by tests/integration/test_notify_*.sh (not a test itself: the
# ctest glob is test_*.sh). The whole path with real processes on loopback:
#
#   docker-registry ◀── drydock-scheduler (rules API) ──dd:jobs──▶ drydock-worker
#                                                                      │ dd:events
#   receiver.py (http | https | dingtalk) ◀── POST ── drydock-notifier ◀┘
#
# Public functions (on top of test_worker_lib.bash: rcli, fleet_images, fleet_db, worker_start):
#   notify_setup                  redis, registry, advisory DB, scheduler ($API, $TOKEN), one
#                                 worker; NOTIFIER binary (fails the test when missing)
#   recv_start NAME KIND ARGS...  tests/lib/receiver.py; sets RPORT_NAME, RLOG_NAME, RPID_NAME
#   recv_control NAME QUERY       change a receiver's fault mode (resets its request counter)
#   recv_lines NAME [JQ_FILTER]   the receiver's request records (JSON lines), filtered
#   recv_wait NAME N TIMEOUT_S [JQ_FILTER]  until N records match; 1 on timeout
#   notify_make_ca DIR NAME       openssl: DIR/NAME-ca.pem + DIR/NAME-server.{pem,key} for
#                                 127.0.0.1 / localhost, signed by that CA
#   notifier_start NAME ARGS...   drydock-notifier with fast test settings; NPID_NAME, log
#                                 $DD_T/NAME.log (extra --set KEY=VALUE in ARGS)
#   api METHOD PATH [BODY]        curl the scheduler API with the token; body on stdout,
#                                 HTTP status in $DD_T/api.status
#   rule_create JSON              POST /rules; prints the rule id
#   rule_run ID                   POST /rules/ID/run; prints the task id
#   wait_task_done TASK N TIMEOUT_S  until the task has N jobs COMPLETE|FAILED
#   dead_xadd JOB RULE TARGET TYPE NAME REASON IMAGE DIGEST STATUS
#                                 write a dd:dead entry as the notifier does (CompletionEvent
#                                 protobuf encoded here by hand); prints its stream ID
#   push_broken_image REPO TAG    an image whose only layer (unique to it, so never in the
#                                 layer cache) is deleted from the registry: its scan FAILS
#   dead_count                    XLEN dd:dead
#   wait_dead N TIMEOUT_S         until dd:dead has >= N entries
#   check_no_secret LABEL SECRET FILES...  SECRET must appear in none of FILES
. "$(dirname "${BASH_SOURCE[0]}")/test_worker_lib.bash"

TOKEN=tok-notify-api

notify_setup() {
    fleet_setup
    dd_require_tool openssl
    NOTIFIER=${DRYDOCK_NOTIFIER:-$(dirname "$DRYDOCK")/drydock-notifier}
    SCHED=$(dirname "$DRYDOCK")/drydock-scheduler
    [ -x "$SCHED" ] || { echo "FAIL: $SCHED missing" >&2; exit 1; }
    fleet_db || { echo "FAIL: advisory db build" >&2; exit 1; }
    . "$DD_SOURCE_DIR/deploy/local/fleet.sh"
    local port
    port=$(dd_free_port)
    API=http://127.0.0.1:$port
    fleet_scheduler_config "$DD_T/sched.json" "$port" "$DD_REDIS_PORT" "$DD_REGISTRY" "$TOKEN" \
        tok-notify-events
    "$SCHED" --config "$DD_T/sched.json" --no-cron 2>"$DD_T/sched.log" &
    local spid=$!
    dd_cleanup_push dd_kill_pid "$spid"
    dd_wait_http "$API/healthz" 10 || { echo "FAIL: scheduler did not start" >&2; cat "$DD_T/sched.log" >&2; exit 1; }
    worker_start w1 --concurrency 2 --db "$DD_T/db" --set max_attempts=1
}

notify_require_notifier() {
    if [ ! -x "$NOTIFIER" ]; then
        dd_fail "drydock-notifier not found at $NOTIFIER (set DRYDOCK_NOTIFIER)"
        dd_finish
    fi
}

recv_start() {
    local name=$1 kind=$2
    shift 2
    local pf=$DD_T/recv-$name.port log=$DD_T/recv-$name.jsonl i
    rm -f "$pf"
    : >"$log"
    python3 "$DD_SOURCE_DIR/tests/lib/receiver.py" --kind "$kind" --port-file "$pf" --log "$log" \
        "$@" 2>"$DD_T/recv-$name.err" &
    local pid=$!
    disown "$pid"
    dd_cleanup_push dd_kill_pid "$pid"
    for i in $(seq 1 100); do
        [ -s "$pf" ] && break
        sleep 0.05
    done
    [ -s "$pf" ] || { echo "FAIL: receiver $name did not start" >&2; cat "$DD_T/recv-$name.err" >&2; return 1; }
    eval "RPORT_$name=$(cat "$pf")"
    eval "RLOG_$name=$log"
    eval "RPID_$name=$pid"
    eval "RKIND_$name=$kind"
}

recv_control() {
    local name=$1 query=$2 port scheme=http
    port=$(eval echo "\$RPORT_$name")
    [ "$(eval echo "\${RKIND_$name:-}")" = https ] && scheme=https
    if [ $scheme = https ]; then
        curl -sS -k "https://127.0.0.1:$port/__control?$query" >/dev/null
    else
        curl -sS "http://127.0.0.1:$port/__control?$query" >/dev/null
    fi
}

recv_lines() {
    local name=$1 filter=${2:-.}
    jq -c "select(.n != null) | $filter" "$(eval echo "\$RLOG_$name")"
}

recv_wait() {
    local name=$1 want=$2 timeout_s=$3 filter=${4:-.} t=0
    while [ $t -lt $((timeout_s * 10)) ]; do
        [ "$(recv_lines "$name" "$filter" | grep -c .)" -ge "$want" ] && return 0
        sleep 0.1
        t=$((t + 1))
    done
    return 1
}

notify_make_ca() {
    local dir=$1 name=$2
    mkdir -p "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=drydock test CA $name" \
        -keyout "$dir/$name-ca.key" -out "$dir/$name-ca.pem" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        >"$dir/$name-openssl.log" 2>&1 || return 1
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$dir/$name-server.key" \
        -out "$dir/$name-server.csr" >>"$dir/$name-openssl.log" 2>&1 || return 1
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
        >"$dir/$name-ext.cnf"
    openssl x509 -req -in "$dir/$name-server.csr" -CA "$dir/$name-ca.pem" -CAkey "$dir/$name-ca.key" \
        -CAcreateserial -days 2 -extfile "$dir/$name-ext.cnf" -out "$dir/$name-server.pem" \
        >>"$dir/$name-openssl.log" 2>&1
}

# Fast settings: short backoffs and timeouts so retries and dead letters happen in seconds.
notifier_start() {
    local name=$1
    shift
    cat >"$DD_T/$name.conf" <<EOF
redis = $DD_REDIS
name = $name
log_level = info
report_base_url = $API
max_attempts = 4
backoff_base_ms = 200
backoff_max_ms = 1000
request_timeout_ms = 2000
connect_timeout_ms = 1000
reclaim_idle_ms = 3000
EOF
    "$NOTIFIER" --config "$DD_T/$name.conf" "$@" >>"$DD_T/$name.log" 2>&1 &
    local pid=$!
    eval "NPID_$name=$pid"
    dd_cleanup_push "dd_kill_pid $pid"
}

api() {
    local method=$1 path=$2 body=${3:-}
    if [ -n "$body" ]; then
        curl -sS -o "$DD_T/api.body" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $TOKEN" \
            -H 'Content-Type: application/json' --data-binary "$body" "$API$path" >"$DD_T/api.status"
    else
        curl -sS -o "$DD_T/api.body" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $TOKEN" \
            "$API$path" >"$DD_T/api.status"
    fi
    cat "$DD_T/api.body"
}

rule_create() {
    local out
    out=$(api POST /api/v1/rules "$1")
    if [ "$(cat "$DD_T/api.status")" != 201 ]; then
        echo "rule_create: HTTP $(cat "$DD_T/api.status"): $out" >&2
        return 1
    fi
    jq -r .id <<<"$out"
}

rule_run() {
    api POST "/api/v1/rules/$1/run" | jq -r .task_id
}

wait_task_done() {
    local task=$1 want=$2 timeout_s=$3 t=0 n
    while [ $t -lt $((timeout_s * 5)) ]; do
        n=$(api GET "/api/v1/tasks/$task" | jq '[.jobs[]? | select(.status == "COMPLETE" or .status == "FAILED")] | length')
        [ "${n:-0}" -ge "$want" ] && return 0
        sleep 0.2
        t=$((t + 1))
    done
    return 1
}

# tkey TYPE URL: a target's key as drydock computes it (docs/notify.md), by sha256sum
tkey() {
    printf '%s\n%s' "$1" "$2" | sha256sum | cut -c1-16
}

dead_xadd() {
    python3 - "$DD_REDIS_PORT" "$@" <<'PY'
import socket, sys, time
port, job, rule, target, ttype, tname, reason, image, digest, status = sys.argv[1:]
def ld(field, b):  # length-delimited field
    return bytes([field << 3 | 2]) + varint(len(b)) + b
def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out
def vi(field, n):
    return bytes([field << 3]) + varint(n)
st = {"COMPLETE": 3, "FAILED": 4}[status]
counts = vi(1, 1)  # critical 1
summary = ld(1, job.encode()) + ld(2, image.encode()) + ld(3, digest.encode()) + vi(4, st) + ld(5, counts)
now = int(time.time() * 1000)
event = ld(1, job.encode()) + ld(2, b"t" * 32) + ld(3, rule.encode()) + ld(4, summary) + vi(5, now)
args = [b"XADD", b"dd:dead", b"*", b"event", event, b"rule_id", rule.encode(), b"target",
        target.encode(), b"target_type", ttype.encode(), b"target_name", tname.encode(),
        b"reason", reason.encode(), b"attempts", b"4", b"failed_at", str(now).encode(),
        b"target_key", ("k" + target).encode()]
cmd = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)
s = socket.create_connection(("127.0.0.1", int(port)))
s.sendall(cmd)
r = s.makefile("rb")
line = r.readline()
if line.startswith(b"$"):
    print(r.readline().decode().strip())
else:
    sys.exit("XADD failed: " + line.decode())
PY
}

push_broken_image() {
    local repo=$1 tag=$2 w=$DD_T/broken-$RANDOM
    mkdir -p "$w/root/etc"
    echo "broken $repo $tag $RANDOM" >"$w/root/etc/broken"
    dd_tar_dir "$w/root" "$w/l.tar"
    gzip -n -c "$w/l.tar" >"$w/l.tar.gz"
    local ld cd
    ld=$(dd_push_blob "$DD_REGISTRY" "$repo" "$w/l.tar.gz") || return 1
    printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["%s"]}}' \
        "$(dd_sha256 "$w/l.tar")" >"$w/config.json"
    cd=$(dd_push_blob "$DD_REGISTRY" "$repo" "$w/config.json") || return 1
    printf '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":%s,"digest":"%s"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":%s,"digest":"%s"}]}' \
        "$(dd_size "$w/config.json")" "$cd" "$(dd_size "$w/l.tar.gz")" "$ld" >"$w/manifest.json"
    dd_push_manifest "$DD_REGISTRY" "$repo" "$tag" "$w/manifest.json" \
        application/vnd.docker.distribution.manifest.v2+json >/dev/null || return 1
    curl -sS -o /dev/null -X DELETE "http://$DD_REGISTRY/v2/$repo/blobs/$ld"
}

dead_count() {
    rcli XLEN dd:dead
}

wait_dead() {
    local want=$1 timeout_s=$2 t=0
    while [ $t -lt $((timeout_s * 10)) ]; do
        [ "$(dead_count)" -ge "$want" ] && return 0
        sleep 0.1
        t=$((t + 1))
    done
    return 1
}

check_no_secret() {
    local label=$1 secret=$2 f bad=0
    shift 2
    for f in "$@"; do
        [ -f "$f" ] || continue
        if grep -qF -- "$secret" "$f"; then
            bad=1
            echo "  $label: secret found in $(basename "$f"): $(grep -F -- "$secret" "$f" | head -2)" >&2
        fi
    done
    [ $bad = 0 ] && dd_ok "$label: no secret in $(echo "$@" | wc -w) files" || dd_fail "$label: a secret leaked"
}

# sanitizer reports or crashes in a service log
check_clean_log() {
    local label=$1 f=$2
    if grep -qE 'Sanitizer|runtime error:' "$f"; then
        dd_fail "$label: sanitizer report"
        grep -E -A20 'Sanitizer|runtime error:' "$f" | head -30 >&2
    fi
}
