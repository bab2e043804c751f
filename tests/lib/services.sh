# services.sh - start and stop real services on loopback for integration tests.
#
# Source it from a test:   . "$DD_SOURCE_DIR/tests/lib/services.sh"
#
# Design: every service gets a fresh mktemp directory and a free port on 127.0.0.1 (never any
# other interface). dd_start_* registers its own stop function with dd_cleanup_push, and the
# first dd_cleanup_push installs an EXIT/INT/TERM trap, so services stop even when a test fails
# half-way or is interrupted by ctest's timeout (SIGTERM).
#
# Public functions:
#   dd_free_port                      print a free TCP port on 127.0.0.1
#   dd_cleanup_push CMD...            run CMD at exit (LIFO); safe to call many times
#   dd_wait_http URL TIMEOUT_S        poll URL until any HTTP answer, 1 on timeout
#   dd_start_registry [NOTIFY_URL [manifest-pushes]]
#                                     docker-registry; exports DD_REGISTRY=127.0.0.1:PORT,
#                                     DD_REGISTRY_PID, DD_REGISTRY_DIR. With NOTIFY_URL, push
#                                     events (includereferences) are POSTed there; with
#                                     "manifest-pushes", pulls and blob events are filtered out
#   dd_stop_registry
#   dd_start_redis                    redis-server; exports DD_REDIS_PORT, DD_REDIS_PID,
#                                     DD_REDIS_DIR, DD_REDIS=127.0.0.1:PORT
#   dd_stop_redis
#   dd_start_faultreg UPSTREAM [USER PASS [faultreg.py options, e.g. --auth-all]]
#                                     tests/lib/faultreg.py in front of UPSTREAM (host:port);
#                                     exports DD_FAULTREG=127.0.0.1:PORT, DD_FAULTREG_PID,
#                                     DD_FAULTREG_LOG (request log)
#   dd_stop_faultreg [PID DIR]
#
# Services are disowned: a test's bare `wait` (for its own background jobs) does not wait for
# them; they are stopped by pid (TERM, then KILL after 2 s) from the cleanup trap.
#
# It deliberately does not use /etc/docker/registry/config.yml (listens on all interfaces) and
# never kills processes it did not start: only the pids it recorded.

if [ -n "${DD_SERVICES_SH_LOADED:-}" ]; then
    return 0
fi
DD_SERVICES_SH_LOADED=1

DD_CLEANUP_CMDS=()
DD_CLEANUP_TRAPPED=0

dd_run_cleanups() {
    local rc=$?
    local i
    for ((i = ${#DD_CLEANUP_CMDS[@]} - 1; i >= 0; i--)); do
        eval "${DD_CLEANUP_CMDS[$i]}" || true
    done
    DD_CLEANUP_CMDS=()
    return $rc
}

dd_cleanup_push() {
    DD_CLEANUP_CMDS+=("$*")
    if [ "$DD_CLEANUP_TRAPPED" = 0 ]; then
        DD_CLEANUP_TRAPPED=1
        trap 'dd_run_cleanups' EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM
    fi
}

dd_free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

dd_wait_http() {
    local url=$1 timeout_s=${2:-5} t=0
    # 0.1 s steps; SECONDS is too coarse, so count iterations
    while [ $t -lt $((timeout_s * 10)) ]; do
        if curl -s -o /dev/null --max-time 1 "$url"; then
            return 0
        fi
        sleep 0.1
        t=$((t + 1))
    done
    return 1
}

# Kill one recorded pid (TERM, then KILL after ~2 s) and wait for it.
dd_kill_pid() {
    local pid=$1 i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 20); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

dd_require_tool() {
    local t
    for t in "$@"; do
        if ! command -v "$t" >/dev/null 2>&1; then
            echo "FAIL: required tool '$t' is not installed" >&2
            exit 1
        fi
    done
}

dd_start_registry() {
    local notify_url=${1:-} notify_filter=${2:-}
    dd_require_tool docker-registry curl python3
    local dir port cfg
    dir=$(mktemp -d "${TMPDIR:-/tmp}/dd-registry.XXXXXX")
    port=$(dd_free_port)
    cfg=$dir/config.yml
    mkdir -p "$dir/data"
    cat >"$cfg" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
EOF
    if [ -n "$notify_url" ]; then
        cat >>"$cfg" <<EOF
notifications:
  events:
    includereferences: true
  endpoints:
    - name: dd-test
      url: $notify_url
      timeout: 2s
      threshold: 5
      backoff: 1s
EOF
        # registry 2.8.2 ignores "ignore.actions" unless "ignore.mediatypes" is set too; with
        # both, blob events and pulls are dropped and only manifest push/delete events remain
        if [ "$notify_filter" = manifest-pushes ]; then
            cat >>"$cfg" <<EOF
      ignore:
        mediatypes:
          - application/octet-stream
        actions:
          - pull
EOF
        fi
    fi
    docker-registry serve "$cfg" >"$dir/registry.log" 2>&1 &
    DD_REGISTRY_PID=$!
    disown "$DD_REGISTRY_PID"
    DD_REGISTRY_DIR=$dir
    DD_REGISTRY=127.0.0.1:$port
    export DD_REGISTRY DD_REGISTRY_PID DD_REGISTRY_DIR
    dd_cleanup_push dd_stop_registry
    if ! dd_wait_http "http://$DD_REGISTRY/v2/" 5; then
        echo "FAIL: docker-registry did not answer on $DD_REGISTRY within 5 s; log:" >&2
        cat "$dir/registry.log" >&2
        return 1
    fi
}

dd_stop_registry() {
    [ -n "${DD_REGISTRY_PID:-}" ] || return 0
    dd_kill_pid "$DD_REGISTRY_PID"
    if [ -n "${DD_KEEP_TMP:-}" ]; then
        echo "kept registry dir $DD_REGISTRY_DIR" >&2
    else
        rm -rf "$DD_REGISTRY_DIR"
    fi
    DD_REGISTRY_PID=
}

dd_start_redis() {
    dd_require_tool redis-server redis-cli python3
    local dir port i
    dir=$(mktemp -d "${TMPDIR:-/tmp}/dd-redis.XXXXXX")
    port=$(dd_free_port)
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
        --daemonize no --logfile "$dir/redis.log" >/dev/null 2>&1 &
    DD_REDIS_PID=$!
    disown "$DD_REDIS_PID"
    DD_REDIS_DIR=$dir
    DD_REDIS_PORT=$port
    DD_REDIS=127.0.0.1:$port
    export DD_REDIS DD_REDIS_PORT DD_REDIS_PID DD_REDIS_DIR
    dd_cleanup_push dd_stop_redis
    for i in $(seq 1 50); do
        if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then
            return 0
        fi
        sleep 0.1
    done
    echo "FAIL: redis-server did not answer on $DD_REDIS within 5 s; log:" >&2
    cat "$dir/redis.log" >&2
    return 1
}

dd_stop_redis() {
    [ -n "${DD_REDIS_PID:-}" ] || return 0
    dd_kill_pid "$DD_REDIS_PID"
    if [ -z "${DD_KEEP_TMP:-}" ]; then
        rm -rf "$DD_REDIS_DIR"
    fi
    DD_REDIS_PID=
}

dd_start_faultreg() {
    local upstream=$1 user=${2:-u} pass=${3:-p}
    shift $(($# < 3 ? $# : 3))
    dd_require_tool python3 curl
    local dir i here
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    dir=$(mktemp -d "${TMPDIR:-/tmp}/dd-faultreg.XXXXXX")
    python3 "$here/faultreg.py" --upstream "$upstream" --port-file "$dir/port" \
        --user "$user" --password "$pass" --log "$dir/requests.log" "$@" 2>"$dir/stderr.log" &
    DD_FAULTREG_PID=$!
    disown "$DD_FAULTREG_PID"
    DD_FAULTREG_DIR=$dir
    DD_FAULTREG_LOG=$dir/requests.log
    export DD_FAULTREG_PID DD_FAULTREG_DIR DD_FAULTREG_LOG
    # by pid, not through the globals: a test may start several instances
    dd_cleanup_push dd_stop_faultreg "$DD_FAULTREG_PID" "$dir"
    for i in $(seq 1 50); do
        [ -s "$dir/port" ] && break
        sleep 0.1
    done
    if [ ! -s "$dir/port" ]; then
        echo "FAIL: faultreg.py did not start within 5 s:" >&2
        cat "$dir/stderr.log" >&2
        return 1
    fi
    DD_FAULTREG=127.0.0.1:$(cat "$dir/port")
    export DD_FAULTREG
    dd_wait_http "http://$DD_FAULTREG/v2/" 5
}

# dd_stop_faultreg [PID DIR]: defaults to the last instance started
dd_stop_faultreg() {
    local pid=${1:-${DD_FAULTREG_PID:-}} dir=${2:-${DD_FAULTREG_DIR:-}}
    [ -n "$pid" ] || return 0
    dd_kill_pid "$pid"
    if [ -z "${DD_KEEP_TMP:-}" ] && [ -n "$dir" ]; then
        rm -rf "$dir"
    fi
}
