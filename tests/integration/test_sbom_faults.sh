#!/bin/bash
# test_sbom_faults.sh - `drydock sbom` against registry faults and usage errors.
#
# A real docker-registry holds the tiny images; tests/lib/faultreg.py sits in front of it and
# injects the fault named by the first path component (see faultreg.py). Checks:
#   transient faults (500 twice per URL, 429 + Retry-After: 1, a reset or short body once per
#   blob) are retried and the scan succeeds with the same inventory; persistent ones (500
#   always, reset/short always) fail with exit 1 and a message; a flipped blob byte fails with
#   "digest" in the message; Bearer token auth works with --username/--password-stdin and fails
#   clearly with a wrong password or none; a 10 MB manifest is refused (4 MiB cap) quickly;
#   a wrong manifest Content-Type either still yields the right inventory or fails clearly;
#   unknown repository, unknown host and a closed port fail with exit 1; usage errors exit 2.
. "$(dirname "$0")/../lib/testlib.sh"
dd_test_init

exp=$DD_SOURCE_DIR/tests/expected
img=$DD_T/img
dd_start_registry || exit 1
if ! bash "$DD_SOURCE_DIR/tests/images/tiny.sh" "$DD_REGISTRY" "$img" >"$DD_T/tiny.log" 2>&1; then
    echo "FAIL: tests/images/tiny.sh failed:" >&2
    cat "$DD_T/tiny.log" >&2
    exit 1
fi
dd_start_faultreg "$DD_REGISTRY" || exit 1
F=$DD_FAULTREG
dd_start_faultreg "$DD_REGISTRY" u p --auth-all || exit 1
FA=$DD_FAULTREG

within() {
    if awk -v s="$DD_SECS" -v m="$2" 'BEGIN { exit !(s <= m) }'; then
        dd_ok "$1: finished in ${DD_SECS} s (limit $2 s)"
    else
        dd_fail "$1: took ${DD_SECS} s, limit $2 s"
    fi
}

at_least() {
    if awk -v s="$DD_SECS" -v m="$2" 'BEGIN { exit !(s >= m) }'; then
        dd_ok "$1: took ${DD_SECS} s (>= $2 s)"
    else
        dd_fail "$1: took ${DD_SECS} s, expected >= $2 s"
    fi
}

# stderr_says LABEL REGEX: drydock's stderr (or, for exit 0, errors[]) matches REGEX (ERE, -i)
stderr_says() {
    if grep -qiE "$2" "$DD_ERR" ||
        { [ "$DD_RC" = 0 ] && jq -r '.errors[].reason' "$DD_OUT" 2>/dev/null | grep -qiE "$2"; }; then
        dd_ok "$1: message matches /$2/: $(head -c 160 "$DD_ERR" | tr '\n' ' ')"
    else
        dd_fail "$1: message does not match /$2/"
        dd_show_err
    fi
}

# good LABEL REF [ARGS]: exit 0 and the tiny/multi inventory
good() {
    local label=$1
    shift
    dd_scan "$label" "$@" --format json
    dd_expect_rc "$label" 0 && dd_expect_inventory "$label" "$DD_OUT" "$exp/tiny-multi.tsv"
}

# bad LABEL REGEX LIMIT_S REF [ARGS]: exit 1, stderr matches REGEX, within LIMIT_S
bad() {
    local label=$1 re=$2 limit=$3
    shift 3
    dd_scan "$label" "$@" --format json
    dd_expect_rc "$label" 1
    if [ -s "$DD_ERR" ]; then stderr_says "$label" "$re"; else dd_fail "$label: empty stderr"; fi
    within "$label" "$limit"
}

# --- baseline through the proxy ---------------------------------------------------------------
good proxy-ok "$F/ok/tiny/multi:1"

# --- transient faults are retried ---------------------------------------------------------------
good err500-twice "$F/err500-2/tiny/multi:1"
good r429-once "$F/r429-1/tiny/multi:1"
at_least "r429-once: Retry-After: 1 honoured" 1.0
good reset-once "$F/reset-1/tiny/multi:1"
good short-once "$F/short-1/tiny/multi:1"

# --- persistent faults fail clearly -------------------------------------------------------------
bad err500-always '500|server error' 60 "$F/err500-always/tiny/multi:1"
bad reset-always 'reset|connection|recv|receiv|transfer|partial|short|truncat' 60 \
    "$F/reset-always/tiny/multi:1"
bad short-always 'partial|short|truncat|transfer|premature|closed|incomplete' 60 \
    "$F/short-always/tiny/multi:1"

# --- corrupted blob: digest mismatch -------------------------------------------------------------
dd_scan corrupt "$F/corrupt/tiny/multi:1" --format json
case $DD_RC in
1) dd_ok "corrupt: exit 1" ;;
0) if jq -e '.errors | length > 0' "$DD_OUT" >/dev/null; then
    dd_ok "corrupt: exit 0 with errors[]"
else
    dd_fail "corrupt: exit 0 and no error for a corrupted blob"
fi ;;
*) dd_fail "corrupt: exit code $DD_RC, want 1" ;;
esac
stderr_says corrupt 'digest'
within corrupt 30

# --- oversized manifests (4 MiB cap) ------------------------------------------------------------
bad big-manifest 'large|size|limit|cap|too|exceed|byte|MiB' 20 "$F/big/tiny/multi:1"
bad big-manifest-chunked 'large|size|limit|cap|too|exceed|byte|MiB' 20 \
    "$F/bigchunked/tiny/multi:1"

# --- wrong manifest Content-Type: sniff correctly or refuse clearly ------------------------------
dd_scan ctype "$F/ctype/tiny/oci:1" --format json
case $DD_RC in
0) dd_expect_inventory ctype "$DD_OUT" "$exp/tiny-oci.tsv" ;;
1) stderr_says ctype 'content.?type|media.?type|text/plain|manifest' ;;
*) dd_fail "ctype: exit code $DD_RC, want 0 or 1" ;;
esac

# --- token auth -------------------------------------------------------------------------------------
DD_STDIN=p good auth-ok "$FA/ok/tiny/multi:1" --username u --password-stdin
DD_STDIN=$'p\n' good auth-ok-newline "$FA/ok/tiny/multi:1" --username u --password-stdin
# challenge only on repository requests (the /v2/ ping answers 200)
DD_STDIN=p good auth-repo-only "$F/auth/tiny/multi:1" --username u --password-stdin
DD_STDIN=wrong bad auth-wrong-password '401|unauthori|denied|auth|password|credential' 30 \
    "$FA/ok/tiny/multi:1" --username u --password-stdin
bad auth-none '401|unauthori|denied|auth|credential' 30 "$FA/ok/tiny/multi:1"
if grep -q 'Authorization: Basic\|:p@' "$DD_T"/*.err 2>/dev/null; then
    dd_fail "auth: credentials echoed on stderr"
else
    dd_ok "auth: credentials never echoed on stderr"
fi

# --- not found / unreachable --------------------------------------------------------------------------
bad unknown-repo '404|not found|unknown' 30 "$F/nosuchfault/tiny/multi:1"
bad unknown-tag '404|not found|unknown' 30 "$DD_REGISTRY/tiny/multi:nosuchtag"
bad unknown-host 'resolve|host|dns|name|connect' 60 nonexistent.invalid/x:1
closed=$(dd_free_port)
bad closed-port 'connect|refused' 60 "127.0.0.1:$closed/tiny/multi:1"

# --- usage errors exit 2 ------------------------------------------------------------------------
usage() {
    local label=$1
    shift
    DD_OUT=$DD_T/$label.out DD_ERR=$DD_T/$label.err
    timeout -k 5 30 "$DRYDOCK" "$@" >"$DD_OUT" 2>"$DD_ERR" </dev/null
    DD_RC=$?
    echo "  ran: drydock $* -> rc=$DD_RC"
    dd_expect_rc "$label" 2
    if [ -s "$DD_ERR" ]; then dd_ok "$label: stderr explains"; else dd_fail "$label: empty stderr"; fi
}
usage bad-reference sbom 'Not A Valid/Ref!!'
usage bad-reference-digest sbom "$DD_REGISTRY/tiny/multi@sha256:abc"
usage no-image sbom
usage bad-format sbom "$DD_REGISTRY/tiny/multi:1" --format xml
usage bad-option sbom "$DD_REGISTRY/tiny/multi:1" --no-such-option
usage bad-platform sbom "$DD_REGISTRY/tiny/multi:1" --platform notaplatform
usage unknown-command frobnicate

dd_finish
