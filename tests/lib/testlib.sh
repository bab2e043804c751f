# testlib.sh - assertions and a drydock runner for the shell integration tests.
#
# Source it first thing in tests/integration/test_*.sh:
#     . "$(dirname "$0")/../lib/testlib.sh"
#     dd_test_init
#
# Environment (set by CMake's add_test; defaults for running a test by hand):
#   DRYDOCK        path to the drydock binary (required: the test fails without it)
#   DD_SOURCE_DIR  repository root (default: derived from this file's location)
#   DD_BUILD_DIR   build directory (unused here, exported for tests that need it)
#   DD_KEEP_TMP    keep temp dirs and print where they are
#
# Design: a test records every failed check with dd_fail and carries on, so one run shows every
# broken behaviour; dd_finish exits 1 if anything failed. Exit code 77 means nothing special
# here: a missing tool is a failure with a clear message, never a silent skip.
#
# Public functions:
#   dd_test_init                   strict mode, temp dir $DD_T, services.sh loaded
#   dd_fail MSG / dd_ok MSG        record a failure / a passed check
#   dd_finish                      print the summary and exit 0 or 1
#   dd_scan LABEL ARGS...          run "$DRYDOCK sbom ARGS..." under a timeout; sets DD_RC,
#                                  DD_SECS, DD_OUT (stdout file), DD_ERR (stderr file); fails
#                                  the check when drydock crashed, hung or a sanitizer spoke.
#                                  DD_STDIN (a string) is fed on stdin when set.
#   dd_expect_rc LABEL WANT...     DD_RC must be one of WANT
#   dd_inventory JSONFILE          print the normalised inventory: one sorted TSV line
#                                  "type name version arch src_name src_version layer_index"
#   dd_expect_inventory LABEL JSONFILE EXPECTED.tsv
#   dd_json LABEL FILTER [FILE]    jq -e FILTER on FILE (default $DD_OUT) must be true

set -uo pipefail

dd_test_init() {
    local here
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    DD_SOURCE_DIR=${DD_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
    DD_BUILD_DIR=${DD_BUILD_DIR:-}
    export DD_SOURCE_DIR DD_BUILD_DIR
    . "$here/services.sh"
    DD_FAILS=0
    DD_CHECKS=0
    DD_TEST_START=$(date +%s.%N)
    DD_TEST_NAME=$(basename "$0" .sh)
    if [ -z "${DRYDOCK:-}" ]; then
        echo "FAIL: DRYDOCK is not set (path to the drydock binary)" >&2
        exit 1
    fi
    if [ ! -x "$DRYDOCK" ]; then
        echo "FAIL: DRYDOCK=$DRYDOCK is not an executable file" >&2
        exit 1
    fi
    dd_require_tool jq curl python3 timeout
    DD_T=$(mktemp -d "${TMPDIR:-/tmp}/dd-$DD_TEST_NAME.XXXXXX")
    export DD_T
    if [ -n "${DD_KEEP_TMP:-}" ]; then
        dd_cleanup_push "echo kept $DD_T >&2"
    else
        dd_cleanup_push "rm -rf '$DD_T'"
    fi
    # ASan/UBSan builds: make a report fail loudly and recognisably
    export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:exitcode=99}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=99}
}

dd_fail() {
    DD_FAILS=$((DD_FAILS + 1))
    DD_CHECKS=$((DD_CHECKS + 1))
    echo "FAIL: $*" >&2
}

dd_ok() {
    DD_CHECKS=$((DD_CHECKS + 1))
    echo "ok: $*"
}

dd_finish() {
    local secs
    secs=$(awk -v a="$DD_TEST_START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    if [ "$DD_FAILS" -gt 0 ]; then
        echo "$DD_TEST_NAME: $DD_FAILS of $DD_CHECKS checks FAILED (${secs} s)" >&2
        exit 1
    fi
    if [ "$DD_CHECKS" -eq 0 ]; then
        echo "$DD_TEST_NAME: no checks ran" >&2
        exit 1
    fi
    echo "$DD_TEST_NAME: all $DD_CHECKS checks passed (${secs} s)"
    exit 0
}

# Show the tail of drydock's stderr under a failure, indented.
dd_show_err() {
    if [ -s "$DD_ERR" ]; then
        tail -n 15 "$DD_ERR" | sed 's/^/    stderr: /' >&2
    fi
}

dd_scan() {
    local label=$1
    shift
    local timeout_s=${DD_SCAN_TIMEOUT:-120} t0 t1
    DD_OUT=$DD_T/$label.out
    DD_ERR=$DD_T/$label.err
    t0=$(date +%s.%N)
    if [ -n "${DD_STDIN+x}" ]; then
        printf '%s' "$DD_STDIN" | timeout -k 5 "$timeout_s" "$DRYDOCK" sbom "$@" \
            >"$DD_OUT" 2>"$DD_ERR"
        DD_RC=$?
    else
        timeout -k 5 "$timeout_s" "$DRYDOCK" sbom "$@" >"$DD_OUT" 2>"$DD_ERR" </dev/null
        DD_RC=$?
    fi
    t1=$(date +%s.%N)
    DD_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    echo "  ran: drydock sbom $* -> rc=$DD_RC in ${DD_SECS} s"
    if [ "$DD_RC" = 124 ] || [ "$DD_RC" = 137 ]; then
        dd_fail "$label: drydock did not finish within ${timeout_s} s"
    elif [ "$DD_RC" -ge 128 ]; then
        dd_fail "$label: drydock died from signal $((DD_RC - 128))"
        dd_show_err
    elif [ "$DD_RC" = 99 ] || grep -qE 'Sanitizer|runtime error:' "$DD_ERR"; then
        dd_fail "$label: sanitizer report"
        dd_show_err
    fi
}

dd_expect_rc() {
    local label=$1 want
    shift
    for want in "$@"; do
        if [ "$DD_RC" = "$want" ]; then
            dd_ok "$label: exit code $DD_RC"
            return 0
        fi
    done
    dd_fail "$label: exit code $DD_RC, want $*"
    dd_show_err
    return 1
}

# jq program shared by dd_inventory: arch/src fields may be null ("same as binary"), so fold
# them the way dpkg-query's ${source:Package}/${source:Version} do.
DD_INVENTORY_JQ='.packages[] | [.type, .name, .version, (.arch // ""),
    (.src_name // .name), (.src_version // .version), (.layer.index | tostring)] | @tsv'

dd_inventory() {
    jq -r "$DD_INVENTORY_JQ" "$1" | LC_ALL=C sort
}

dd_expect_inventory() {
    local label=$1 json=$2 expected=$3
    if ! jq -e . "$json" >/dev/null 2>&1; then
        dd_fail "$label: output is not JSON"
        head -c 300 "$json" | sed 's/^/    stdout: /' >&2
        return 1
    fi
    dd_inventory "$json" >"$DD_T/$label.inventory.tsv"
    if diff -u "$expected" "$DD_T/$label.inventory.tsv" >"$DD_T/$label.inventory.diff"; then
        dd_ok "$label: inventory matches $(basename "$expected") ($(wc -l <"$expected") packages)"
    else
        dd_fail "$label: inventory differs from $(basename "$expected") (- expected, + drydock):"
        sed 's/^/    /' "$DD_T/$label.inventory.diff" | head -n 40 >&2
        return 1
    fi
}

dd_json() {
    local label=$1 filter=$2 file=${3:-$DD_OUT}
    if jq -e "$filter" "$file" >/dev/null 2>&1; then
        dd_ok "$label"
    else
        dd_fail "$label: jq -e '$filter' is not true on $(basename "$file")"
        return 1
    fi
}
