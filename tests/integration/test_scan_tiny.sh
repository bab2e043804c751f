#!/bin/bash
# test_scan_tiny.sh - `drydock scan` end to end: a real registry, the hand-built tiny images,
# an advisory DB built with `drydock db build` from tests/fixtures/scan/osv (small hand-written
# OSV records shaped like the real ones in ../shared/data/osv-fixtures).
#
# Expectations, worked out by hand from the records and the images' inventories
# (tests/expected/tiny-multi.tsv: Debian 12; tiny-oci.tsv: Alpine 3.18.4):
#   tiny/multi:1
#     CVE-2099-1001  libc6 (source glibc 2.36-9+deb12u4): fixed 2.36-9+deb12u7, CRITICAL from
#                    CVSS 3.1 9.8; DEBIAN-CVE-2099-1001 and DSA-9001-1 merged into it
#     CVE-2099-1002  bsdutils (source util-linux 2.38.1-5): no fix -> affected; LOW from the
#                    Debian urgency (beats the 9.8 vector)
#     not reported: 1003 (Debian:11 only), 1004 (fixed == installed zlib 1:1.2.13.dfsg-1),
#                   1005 (names the binary libc6), 1006 (last_affected below installed mawk),
#                   1007 (withdrawn), 1008 (util-linux fixed 2.38.1-5 == the source version;
#                   comparing the binary's 1:2.38.1-5+b1 would be wrong either way)
#   tiny/oci:1
#     CVE-2099-2001  musl 1.2.4-r2 (Alpine:v3.18 range [0.9.13, 1.2.4-r3)): fixed 1.2.4-r3,
#                    HIGH from CVSS 3.1 AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H = 7.0
#     CVE-2099-2002  libcrypto3 (origin openssl 3.1.3-r0): fixed 3.1.4-r0, UNKNOWN (no severity)
#     not reported: 2003 (Alpine v3.17 openssl; busybox-extras is not busybox), the npm "musl"
#                   record (GHSA-xxxx-test-miss1: another ecosystem)
. "$(dirname "$0")/../lib/testlib.sh"
dd_test_init

fx=$DD_SOURCE_DIR/tests/fixtures/scan/osv
img=$DD_T/img
db=$DD_T/advisories.db

# scan_run LABEL ARGS...: "$DRYDOCK scan ARGS" -> DD_RC, DD_OUT, DD_ERR (like dd_scan)
scan_run() {
    local label=$1
    shift
    DD_OUT=$DD_T/$label.out
    DD_ERR=$DD_T/$label.err
    timeout -k 5 120 "$DRYDOCK" scan "$@" >"$DD_OUT" 2>"$DD_ERR" </dev/null
    DD_RC=$?
    echo "  ran: drydock scan $* -> rc=$DD_RC"
    if [ "$DD_RC" = 124 ] || [ "$DD_RC" = 137 ] || [ "$DD_RC" -ge 128 ]; then
        dd_fail "$label: drydock crashed or hung (rc $DD_RC)"
        dd_show_err
    elif [ "$DD_RC" = 99 ] || grep -qE 'Sanitizer|runtime error:' "$DD_ERR"; then
        dd_fail "$label: sanitizer report"
        dd_show_err
    fi
}

# findings LABEL WANT: the sorted "id package installed fixed status severity source" lines
findings_are() {
    local label=$1 want=$2
    local got
    got=$(jq -r '.results[].vulnerabilities[] | [.id, .package, .installed_version,
        (.fixed_version // "-"), .status, .severity, (.severity_source // "-")] | @tsv' \
        "$DD_OUT" 2>/dev/null | LC_ALL=C sort)
    if [ "$got" = "$want" ]; then
        dd_ok "$label: findings as expected ($(printf '%s\n' "$want" | grep -c .))"
    else
        dd_fail "$label: findings differ"
        diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | sed 's/^/    /' >&2
    fi
}

if "$DRYDOCK" db build --from "$fx" --out "$db" >"$DD_T/build.log" 2>&1; then
    dd_ok "db build from tests/fixtures/scan/osv"
else
    dd_fail "db build failed"
    sed 's/^/    /' "$DD_T/build.log" >&2
    dd_finish
fi
dd_start_registry || exit 1
if ! bash "$DD_SOURCE_DIR/tests/images/tiny.sh" "$DD_REGISTRY" "$img" >"$DD_T/tiny.log" 2>&1; then
    echo "FAIL: tests/images/tiny.sh failed:" >&2
    cat "$DD_T/tiny.log" >&2
    exit 1
fi
R=$DD_REGISTRY
# no ./.drydockignore from wherever ctest runs
cd "$DD_T" || exit 1
T=$'\t'

# --- Debian 12 ---------------------------------------------------------------------------------
scan_run multi "$R/tiny/multi:1" --db "$db" --format json
dd_expect_rc "multi json" 0
findings_are multi "CVE-2099-1001${T}libc6${T}2.36-9+deb12u4${T}2.36-9+deb12u7${T}fixed${T}CRITICAL${T}cvss
CVE-2099-1002${T}bsdutils${T}1:2.38.1-5+b1${T}-${T}affected${T}LOW${T}debian"
dd_json "multi: aliases merged (DSA-9001-1, DEBIAN-CVE-2099-1001)" \
    '[.results[].vulnerabilities[] | select(.id == "CVE-2099-1001") | .aliases] ==
     [["DEBIAN-CVE-2099-1001", "DSA-9001-1"]]'
dd_json "multi: cvss kept with the vendor severity" \
    '.results[].vulnerabilities[] | select(.id == "CVE-2099-1002") | .cvss.score == 9.8 and
     .cvss.version == "3.1" and (.cvss.vector | startswith("CVSS:3.1/AV:N"))'
dd_json "multi: source package and matched version" \
    '.results[].vulnerabilities[] | select(.id == "CVE-2099-1002") |
     .source_package == "util-linux" and .matched_version == "2.38.1-5"'
dd_json "multi: layer of the finding" \
    '.results[].vulnerabilities[] | select(.id == "CVE-2099-1001") | .layer.index == 1 and
     (.layer.digest | startswith("sha256:")) and (.layer.diff_id | startswith("sha256:"))'
dd_json "multi: one os-pkgs result" \
    '[.results[] | .class] == ["os-pkgs"] and .results[0].type == "debian" and
     (.results[0].packages | length) == 4'
dd_json "multi: os, digest, summary, db" \
    '.os == {"family": "debian", "version": "12"} and (.digest | startswith("sha256:")) and
     .summary == {"critical": 1, "high": 0, "medium": 0, "low": 1, "unknown": 0} and
     (.db.built_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T"))'
dd_json "multi: no errors" '.errors == []'
if [ -s "$DD_ERR" ] && grep -q "older\|warning" "$DD_ERR"; then
    dd_fail "multi: unexpected warning on stderr: $(head -n 2 "$DD_ERR")"
else
    dd_ok "multi: fresh DB, no staleness warning"
fi

# --- Alpine 3.18 -------------------------------------------------------------------------------
scan_run oci "$R/tiny/oci:1" --db "$db" --format json
dd_expect_rc "oci json" 0
findings_are oci "CVE-2099-2001${T}musl${T}1.2.4-r2${T}1.2.4-r3${T}fixed${T}HIGH${T}cvss
CVE-2099-2002${T}libcrypto3${T}3.1.3-r0${T}3.1.4-r0${T}fixed${T}UNKNOWN${T}-"
dd_json "oci: musl CVSS 7.0" \
    '.results[].vulnerabilities[] | select(.id == "CVE-2099-2001") | .cvss.score == 7.0 and
     .aliases == ["ALPINE-CVE-2099-2001"]'
dd_json "oci: os alpine" '.os.family == "alpine" and .results[0].type == "alpine"'

# --- the documented schema (docs/scan-report.schema.json) ----------------------------------
for f in multi oci; do
    if python3 -c 'import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
jsonschema.validate(json.load(open(sys.argv[2])), schema, cls=jsonschema.Draft202012Validator)' \
        "$DD_SOURCE_DIR/docs/scan-report.schema.json" "$DD_T/$f.out" 2>"$DD_T/$f.schema.err"; then
        dd_ok "$f: report validates against docs/scan-report.schema.json"
    else
        dd_fail "$f: schema validation failed: $(tail -n 3 "$DD_T/$f.schema.err")"
    fi
done

# --- table ---------------------------------------------------------------------------------
scan_run multi-table "$R/tiny/multi:1" --db "$db"
dd_expect_rc "multi table" 0
if grep -q "^Total: 2 (CRITICAL: 1, HIGH: 0, MEDIUM: 0, LOW: 1, UNKNOWN: 0)$" "$DD_OUT"; then
    dd_ok "table: summary line"
else
    dd_fail "table: no summary line"
    sed 's/^/    /' "$DD_OUT" >&2
fi
first=$(grep -n "CVE-2099-1001" "$DD_OUT" | head -n1 | cut -d: -f1)
second=$(grep -n "CVE-2099-1002" "$DD_OUT" | head -n1 | cut -d: -f1)
if [ -n "$first" ] && [ -n "$second" ] && [ "$first" -lt "$second" ]; then
    dd_ok "table: CRITICAL before LOW"
else
    dd_fail "table: order wrong (lines $first, $second)"
fi

# --- filters and exit codes --------------------------------------------------------------------
scan_run exit "$R/tiny/multi:1" --db "$db" --format json --exit-code 3
dd_expect_rc "--exit-code 3 with findings" 3
scan_run sev "$R/tiny/multi:1" --db "$db" --format json --severity critical,HIGH --exit-code 4
dd_expect_rc "--severity CRITICAL,HIGH still finds one" 4
dd_json "--severity keeps only CVE-2099-1001" '[.results[].vulnerabilities[].id] == ["CVE-2099-1001"]'
scan_run unfixed "$R/tiny/multi:1" --db "$db" --format json --ignore-unfixed
dd_expect_rc "--ignore-unfixed" 0
dd_json "--ignore-unfixed drops the affected-only finding" \
    '[.results[].vulnerabilities[].id] == ["CVE-2099-1001"] and .summary.low == 0'
scan_run oci-low "$R/tiny/oci:1" --db "$db" --format json --severity LOW --exit-code 5
dd_expect_rc "--severity LOW on the Alpine image: nothing left, exit 0" 0
scan_run badsev "$R/tiny/multi:1" --db "$db" --severity SEVERE
dd_expect_rc "--severity SEVERE is a usage error" 2

# --- ignore file ------------------------------------------------------------------------------
cat >"$DD_T/ignore" <<'EOF'
# accepted until the base image moves
CVE-2099-1001   exp:2999-12-31   # glibc fix pending upstream
DEBIAN-CVE-2099-1002 pkg:util-linux
EOF
scan_run ign "$R/tiny/multi:1" --db "$db" --format json --ignorefile "$DD_T/ignore" --exit-code 6
dd_expect_rc "ignore file removes both (ID and alias, pkg: by source name)" 0
dd_json "ignored count" '.ignored == 2 and ([.results[].vulnerabilities[]] | length) == 0'
printf 'CVE-2099-1001 exp:2000-01-01 # expired\n' >"$DD_T/ignore-expired"
scan_run expired "$R/tiny/multi:1" --db "$db" --format json --ignorefile "$DD_T/ignore-expired" \
    --exit-code 6
dd_expect_rc "an expired rule ignores nothing" 6
if grep -q "expired on 2000-01-01" "$DD_ERR"; then
    dd_ok "expired rule warned about"
else
    dd_fail "no warning for the expired rule"
fi
printf 'CVE-2099-1001 exp:2024-02-30\n' >"$DD_T/ignore-bad"
scan_run badignore "$R/tiny/multi:1" --db "$db" --ignorefile "$DD_T/ignore-bad"
dd_expect_rc "a malformed ignore file is a usage error" 2
grep -q "line 1" "$DD_ERR" && dd_ok "ignore error names the line" || dd_fail "ignore error: $(cat "$DD_ERR")"
scan_run noignore "$R/tiny/multi:1" --db "$db" --ignorefile "$DD_T/nonexistent"
dd_expect_rc "a missing explicit ignore file is a usage error" 2
printf 'CVE-2099-1002\n' >"$DD_T/.drydockignore"
scan_run defignore "$R/tiny/multi:1" --db "$db" --format json
dd_expect_rc "default ./.drydockignore" 0
dd_json "default ./.drydockignore is read" '.ignored == 1'
rm -f "$DD_T/.drydockignore"

# --- SARIF and CycloneDX -------------------------------------------------------------------
scan_run sarif "$R/tiny/multi:1" --db "$db" --format sarif
dd_expect_rc "sarif" 0
dd_json "sarif 2.1.0: one rule per ID, results with levels and package locations" \
    '.version == "2.1.0" and (.runs[0].tool.driver.rules | map(.id)) == ["CVE-2099-1001", "CVE-2099-1002"]
     and (.runs[0].results | map(.level)) == ["error", "note"] and
     .runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri == "var/lib/dpkg/status"
     and .runs[0].results[0].ruleIndex == 0'
scan_run cdx "$R/tiny/oci:1" --db "$db" --format cyclonedx
dd_expect_rc "cyclonedx" 0
dd_json "cyclonedx 1.5: vulnerabilities affect existing component bom-refs" \
    '.specVersion == "1.5" and (.vulnerabilities | length) == 2 and
     ([.components[]."bom-ref"] as $refs | all(.vulnerabilities[].affects[].ref; . as $r | $refs | index($r)))
     and (.vulnerabilities[] | select(.id == "CVE-2099-2001") | .ratings[0].score == 7.0 and
          .ratings[0].method == "CVSSv31" and (.affects[0].ref | startswith("pkg:apk/alpine/musl@1.2.4-r2")))'

# --- DB problems ---------------------------------------------------------------------------
scan_run nodb "$R/tiny/multi:1" --db "$DD_T/missing.db"
dd_expect_rc "missing DB fails" 1
printf 'not a database' >"$DD_T/bad.db"
scan_run baddb "$R/tiny/multi:1" --db "$DD_T/bad.db"
dd_expect_rc "corrupt DB fails" 1
scan_run stale "$R/tiny/multi:1" --db "$db" --format json --db-max-age 0s
dd_expect_rc "stale DB still scans" 0
# built_at has one-second resolution: a 0 s limit warns once the second has turned
sleep 1.1
scan_run stale2 "$R/tiny/multi:1" --db "$db" --format json --db-max-age 0s
if grep -q "advisory DB was built" "$DD_ERR"; then
    dd_ok "DB older than --db-max-age: warning on stderr"
else
    dd_fail "no staleness warning with --db-max-age 0s"
fi

# --- version compare -----------------------------------------------------------------------
v=$("$DRYDOCK" version compare Debian:12 2.36-9+deb12u4 2.36-9+deb12u7)
[ "$v" = "<" ] && dd_ok "version compare Debian:12" || dd_fail "version compare Debian:12 gave '$v'"
v=$("$DRYDOCK" version compare Alpine:v3.18 1.2.4-r3 1.2.4-r2)
[ "$v" = ">" ] && dd_ok "version compare Alpine" || dd_fail "version compare Alpine gave '$v'"
v=$("$DRYDOCK" version compare pep440 1.0 1.0.0)
[ "$v" = "=" ] && dd_ok "version compare pep440" || dd_fail "version compare pep440 gave '$v'"
"$DRYDOCK" version compare npm 1..2 1.0.0 >/dev/null 2>"$DD_T/vc.err"
rc=$?
[ $rc = 2 ] && grep -q "1..2" "$DD_T/vc.err" && dd_ok "version compare: unparsable -> exit 2" ||
    dd_fail "version compare unparsable: rc $rc"
"$DRYDOCK" version | grep -q "^drydock " && dd_ok "plain 'drydock version'" || dd_fail "drydock version"

dd_finish
