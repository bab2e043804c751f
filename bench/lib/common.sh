# common.sh - shared helpers for the drydock benchmark (sourced by bench/run.sh).
#
# Paths, logging, tool checks, cleanup stack, and two measurement primitives:
#   bench_hyperfine NAME RUNS WARMUP CMD...   hyperfine one shell command line, JSON kept in
#                                            $BENCH_RUN_DIR/hf/NAME.json
#   bench_rss_mb OUT CMD...                  run CMD once under /usr/bin/time -v, print its peak
#                                            RSS in MB (Maximum resident set size / 1024)
# It never kills processes it did not start: cleanup only stops recorded pids.

if [ -n "${BENCH_COMMON_LOADED:-}" ]; then
    return 0
fi
BENCH_COMMON_LOADED=1

BENCH_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_DIR=$(dirname "$BENCH_LIB")
BENCH_REPO=$(dirname "$BENCH_DIR")
BENCH_CACHE=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/drydock/bench}
BENCH_WORK=$BENCH_DIR/.work
BENCH_PY=/usr/bin/python3
[ -x "$BENCH_PY" ] || BENCH_PY=python3

bench_log() {
    printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

bench_die() {
    printf '[bench] FATAL: %s\n' "$*" >&2
    exit 1
}

# bench_need TOOL:PACKAGE...  - fail with the apt-get line that would fix it.
bench_need() {
    local spec tool pkg missing=()
    for spec in "$@"; do
        tool=${spec%%:*}
        pkg=${spec#*:}
        command -v "$tool" >/dev/null 2>&1 || missing+=("$pkg")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        bench_die "missing tools; install with: apt-get install -y ${missing[*]}"
    fi
}

BENCH_CLEANUPS=()
bench_cleanup_run() {
    local i
    for ((i = ${#BENCH_CLEANUPS[@]} - 1; i >= 0; i--)); do
        eval "${BENCH_CLEANUPS[$i]}" || true
    done
    BENCH_CLEANUPS=()
}
bench_cleanup_push() {
    if [ ${#BENCH_CLEANUPS[@]} -eq 0 ]; then
        trap 'bench_cleanup_run' EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM
    fi
    BENCH_CLEANUPS+=("$*")
}

# Stop one pid we started: TERM, then KILL after ~3 s.
bench_kill_pid() {
    local pid=$1 i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 30); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

bench_free_port() {
    "$BENCH_PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# Seconds (with ms) since the epoch; used to time the bench's own stages.
bench_now() {
    date +%s.%N
}
bench_since() {
    awk -v a="$1" -v b="$(bench_now)" 'BEGIN { printf "%.1f", b - a }'
}

# bench_hyperfine NAME RUNS WARMUP [--prepare CMD] -- CMDLINE
# Runs hyperfine; the JSON lands in $BENCH_RUN_DIR/hf/NAME.json. Returns hyperfine's status,
# so a failing command (non-zero exit) is reported, not silently timed.
bench_hyperfine() {
    local name=$1 runs=$2 warmup=$3
    shift 3
    local prep=()
    if [ "${1:-}" = --prepare ]; then
        prep=(--prepare "$2")
        shift 2
    fi
    [ "${1:-}" = -- ] && shift
    mkdir -p "$BENCH_RUN_DIR/hf"
    bench_log "hyperfine $name: $*"
    hyperfine --style basic --runs "$runs" --warmup "$warmup" "${prep[@]}" \
        --export-json "$BENCH_RUN_DIR/hf/$name.json" --command-name "$name" "$*" \
        >>"$BENCH_RUN_DIR/hyperfine.log" 2>&1
}

# Mean / stddev / min in seconds from a hyperfine JSON (empty if the file is missing).
bench_hf_mean() {
    if [ -s "$BENCH_RUN_DIR/hf/$1.json" ]; then
        jq -r '.results[0].mean' "$BENCH_RUN_DIR/hf/$1.json"
    fi
}
bench_hf_sd() {
    if [ -s "$BENCH_RUN_DIR/hf/$1.json" ]; then
        jq -r '.results[0].stddev // 0' "$BENCH_RUN_DIR/hf/$1.json"
    fi
}

# bench_rss_mb NAME CMDLINE - run the shell command line once under GNU time; print the peak
# RSS in MB of the largest process in it (GNU time reports the maximum over the waited-for
# children, which for `sh -c` is the biggest process in the pipeline). Output goes to
# $BENCH_RUN_DIR/rss/NAME.{out,err,time}; a failed run leaves NAME.failed and returns 1.
bench_rss_mb() {
    local name=$1
    shift
    mkdir -p "$BENCH_RUN_DIR/rss"
    rm -f "$BENCH_RUN_DIR/rss/$name.failed"
    if ! /usr/bin/time -v -o "$BENCH_RUN_DIR/rss/$name.time" sh -c "$*" \
        >"$BENCH_RUN_DIR/rss/$name.out" 2>"$BENCH_RUN_DIR/rss/$name.err"; then
        touch "$BENCH_RUN_DIR/rss/$name.failed"
        bench_log "rss run $name failed; see $BENCH_RUN_DIR/rss/$name.err"
        return 1
    fi
    bench_rss_get "$name"
}

# bench_rss_get NAME - the peak RSS in MB recorded by bench_rss_mb, empty if none or failed.
bench_rss_get() {
    local f=$BENCH_RUN_DIR/rss/$1
    [ -s "$f.time" ] && [ ! -e "$f.failed" ] || return 0
    awk -F': ' '/Maximum resident set size/ { printf "%.1f\n", $2 / 1024 }' "$f.time"
}

# Arithmetic helpers over decimal strings; print "n/a" when an input is missing.
bench_ratio() {
    awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {
        if (a == "" || b == "" || b + 0 == 0) { print "n/a"; exit }
        printf "%.2f", a / b }'
}
bench_fmt_s() {
    awk -v a="${1:-}" -v s="${2:-}" 'BEGIN {
        if (a == "") { print "n/a"; exit }
        if (s == "") printf "%.3f s", a; else printf "%.3f ± %.3f s", a, s }'
}
