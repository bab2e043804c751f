#!/bin/bash
# test_sbom_tiny.sh - `drydock sbom` against the hand-built tiny images on a real registry.
#
# Starts docker-registry on 127.0.0.1, pushes tests/images/tiny.sh's images, and checks for each
# well-formed image: exit code 0, no errors[], the inventory (type name version arch src_name
# src_version layer_index) equal to tests/expected/tiny-*.tsv (written by hand, cross-checked
# with umoci unpack + dpkg-query), OS detection, manifest and layer digests, package paths and
# purls; platform selection from the index; and the CycloneDX 1.5 rendering.
#
# purl expectations follow the purl spec (types/deb-definition.json and the character encoding
# rules): the deb epoch stays in the version ("1:2.38.1-5%2Bb1"), ':' is never percent-encoded,
# '+' is (%2B), qualifiers are sorted by key; apk uses arch=x86_64 and distro=<VERSION_ID>.
. "$(dirname "$0")/../lib/testlib.sh"
dd_test_init

exp=$DD_SOURCE_DIR/tests/expected
img=$DD_T/img
dd_start_registry || exit 1
t0=$(date +%s.%N)
if ! bash "$DD_SOURCE_DIR/tests/images/tiny.sh" "$DD_REGISTRY" "$img" >"$DD_T/tiny.log" 2>&1; then
    echo "FAIL: tests/images/tiny.sh failed:" >&2
    cat "$DD_T/tiny.log" >&2
    exit 1
fi
echo "  built tiny images in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"
R=$DD_REGISTRY

# manifest digest of an images.tsv entry
digest_of() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$img/images.tsv"; }

# check_layers LABEL LAYERSFILE: .layers[] digest/diff_id/index must match what tiny.sh pushed
check_layers() {
    local label=$1 file=$2
    jq -r '.layers[] | [(.index | tostring), .digest, .diff_id] | @tsv' "$DD_OUT" \
        >"$DD_T/$label.layers" 2>/dev/null
    if diff -u "$file" "$DD_T/$label.layers" >/dev/null; then
        dd_ok "$label: layers[] index/digest/diff_id match the pushed layers"
    else
        dd_fail "$label: layers[] differ from the pushed layers:"
        diff -u "$file" "$DD_T/$label.layers" | sed 's/^/    /' >&2
    fi
}

# check_os LABEL FAMILY VERSION CODENAME|null
check_os() {
    local label=$1 fam=$2 ver=$3 code=$4
    local want
    want=$(jq -cn --arg f "$fam" --arg v "$ver" --arg c "$code" \
        '[$f, $v, (if $c == "null" then null else $c end)]')
    local got
    got=$(jq -c '[.os.family, .os.version, .os.codename]' "$DD_OUT" 2>/dev/null)
    if [ "$got" = "$want" ]; then
        dd_ok "$label: os $fam $ver"
    else
        dd_fail "$label: os is $got, want $want"
    fi
}

# check_purls LABEL FILE: the JSON packages' purls, sorted, equal FILE
check_purls() {
    local label=$1 want=$2
    jq -r '.packages[].purl' "$DD_OUT" 2>/dev/null | LC_ALL=C sort >"$DD_T/$label.purls"
    if diff -u "$want" "$DD_T/$label.purls" >"$DD_T/$label.purls.diff"; then
        dd_ok "$label: purls match $(basename "$want")"
    else
        dd_fail "$label: purls differ from $(basename "$want") (- expected, + drydock):"
        sed 's/^/    /' "$DD_T/$label.purls.diff" >&2
    fi
}

# scan_ok LABEL EXPECTED.tsv ARGS...: exit 0, valid JSON, no errors, inventory as expected
scan_ok() {
    local label=$1 expected=$2
    shift 2
    dd_scan "$label" "$@" --format json
    dd_expect_rc "$label" 0 || return 1
    dd_expect_inventory "$label" "$DD_OUT" "$expected" || return 1
    dd_json "$label: errors[] is empty" '.errors == []'
    dd_json "$label: every layer has error null" '[.layers[].error] | all(. == null)'
}

# --- a. tiny/multi:1: Docker schema 2, three layers, rewritten status, whiteouts ---------------
scan_ok multi "$exp/tiny-multi.tsv" "$R/tiny/multi:1"
check_os multi debian 12 bookworm
dd_json "multi: digest is the manifest digest" \
    ".digest == \"$(digest_of tiny/multi:1)\""
dd_json "multi: artifact names the reference" '.artifact | test("tiny/multi:1$")'
check_layers multi "$img/tiny_multi.amd64.layers"
dd_json "multi: layer media types are docker gzip" \
    '[.layers[].media_type] == ["application/vnd.docker.image.rootfs.diff.tar.gzip",
      "application/vnd.docker.image.rootfs.diff.tar.gzip",
      "application/vnd.docker.image.rootfs.diff.tar.gzip"]'
dd_json "multi: deinstalled exim4-config (config-files) is not reported" \
    '[.packages[].name] | index("exim4-config") == null'
dd_json "multi: tzdata, removed from status by layer 1, is not reported" \
    '[.packages[].name] | index("tzdata") == null'
dd_json "multi: opaque whiteout in layer 1 hides status.d/base-files and netbase of layer 0" \
    '[.packages[].name] | (index("base-files") == null and index("netbase") == null)'
dd_json "multi: status.d/mawk, added in the same layer as the opaque marker, survives it" \
    '[.packages[] | select(.name == "mawk" and .path == "var/lib/dpkg/status.d/mawk")] | length == 1'
dd_json "multi: .wh.sed in layer 2 deletes status.d/sed" \
    '[.packages[].name] | index("sed") == null'
dd_json "multi: status packages carry path var/lib/dpkg/status" \
    '[.packages[] | select(.name != "mawk") | .path] | all(. == "var/lib/dpkg/status")'
dd_json "multi: package layer digests agree with layers[]" \
    '. as $r | [.packages[] | .layer.digest == $r.layers[.layer.index].digest and
                .layer.diff_id == $r.layers[.layer.index].diff_id] | all'
check_purls multi "$exp/tiny-multi.purls"

# CycloneDX, explicit and default format
dd_scan multi-cdx "$R/tiny/multi:1" --format cyclonedx
dd_expect_rc multi-cdx 0
cp "$DD_OUT" "$DD_T/multi.cdx.json"
dd_scan multi-default "$R/tiny/multi:1"
dd_expect_rc multi-default 0
dd_json "multi-default: default format is CycloneDX" '.bomFormat == "CycloneDX"'

check_cdx() { # check_cdx LABEL CDXFILE PURLS OSNAME OSVERSION EXPECTED.tsv LAYERSFILE
    local label=$1 cdx=$2 purls=$3 osname=$4 osver=$5 tsv=$6 layers=$7
    dd_json "$label: bomFormat CycloneDX, specVersion 1.5" \
        '.bomFormat == "CycloneDX" and .specVersion == "1.5"' "$cdx"
    dd_json "$label: one operating-system component $osname $osver" \
        "[.components[] | select(.type == \"operating-system\")] | length == 1 and
         .[0].name == \"$osname\" and .[0].version == \"$osver\"" "$cdx"
    jq -r '.components[] | select(.purl) | .purl' "$cdx" 2>/dev/null | LC_ALL=C sort \
        >"$DD_T/$label.cdx.purls"
    if diff -u "$purls" "$DD_T/$label.cdx.purls" >"$DD_T/$label.cdx.diff"; then
        dd_ok "$label: component purls match $(basename "$purls")"
    else
        dd_fail "$label: component purls differ (- expected, + drydock):"
        sed 's/^/    /' "$DD_T/$label.cdx.diff" >&2
    fi
    # every package component names its layer in a property; the layer must be the one the
    # expected inventory says (by index, digest or diff_id), and no other
    local name idx want_d want_diff bad=0 vals
    while IFS=$'\t' read -r _ name _ _ _ _ idx; do
        want_d=$(awk -F'\t' -v i="$idx" '$1 == i { print $2 }' "$layers")
        want_diff=$(awk -F'\t' -v i="$idx" '$1 == i { print $3 }' "$layers")
        vals=$(jq -r --arg n "$name" '.components[] | select(.name == $n and .purl) |
            .properties // [] | .[] | select(.name | test("layer"; "i")) | .value' "$cdx")
        if [ -z "$vals" ]; then
            dd_fail "$label: component $name has no layer property"
            bad=1
            continue
        fi
        if ! grep -qxF -e "$want_d" -e "$want_diff" <<<"$vals"; then
            dd_fail "$label: component $name layer properties [$(tr '\n' ' ' <<<"$vals")] name neither $want_d nor $want_diff"
            bad=1
        fi
        if grep -q '^sha256:' <<<"$vals" && grep '^sha256:' <<<"$vals" |
            grep -vqxF -e "$want_d" -e "$want_diff"; then
            dd_fail "$label: component $name names a layer other than $idx"
            bad=1
        fi
    done <"$tsv"
    [ $bad = 1 ] || dd_ok "$label: each package component's layer property names its layer"
}
check_cdx multi "$DD_T/multi.cdx.json" "$exp/tiny-multi.purls" debian 12 "$exp/tiny-multi.tsv" \
    "$img/tiny_multi.amd64.layers"

# --- b. tiny/oci:1: OCI manifest without mediaType, zstd layer, Alpine ------------------------
scan_ok oci "$exp/tiny-oci.tsv" "$R/tiny/oci:1"
check_os oci alpine 3.18.4 null
dd_json "oci: digest is the manifest digest" ".digest == \"$(digest_of tiny/oci:1)\""
check_layers oci "$img/tiny_oci.amd64.layers"
dd_json "oci: layer media type is OCI zstd" \
    '.layers[0].media_type == "application/vnd.oci.image.layer.v1.tar+zstd"'
dd_json "oci: apk packages carry path lib/apk/db/installed" \
    '[.packages[].path] | all(. == "lib/apk/db/installed")'
check_purls oci "$exp/tiny-oci.purls"
dd_scan oci-cdx "$R/tiny/oci:1" --format cyclonedx
dd_expect_rc oci-cdx 0
cp "$DD_OUT" "$DD_T/oci.cdx.json"
check_cdx oci "$DD_T/oci.cdx.json" "$exp/tiny-oci.purls" alpine 3.18.4 "$exp/tiny-oci.tsv" \
    "$img/tiny_oci.amd64.layers"

# --- c. tiny/index:1: platform selection ------------------------------------------------------------
idx=$(digest_of tiny/index:1)
amd=$(digest_of tiny/index:1@amd64)
arm=$(digest_of tiny/index:1@arm64)
scan_ok index-default "$exp/tiny-index-amd64.tsv" "$R/tiny/index:1"
check_layers index-default "$img/tiny_index.amd64.layers"
dd_json "index-default: digest is the index's or the amd64 manifest's" \
    ".digest == \"$idx\" or .digest == \"$amd\""
for p in linux/arm64 linux/arm64/v8; do
    l=index-${p//\//-}
    scan_ok "$l" "$exp/tiny-index-arm64.tsv" "$R/tiny/index:1" --platform "$p"
    check_layers "$l" "$img/tiny_index.arm64.layers"
    dd_json "$l: digest is the index's or the arm64 manifest's" \
        ".digest == \"$idx\" or .digest == \"$arm\""
    check_os "$l" debian 12 bookworm
done
scan_ok index-amd64 "$exp/tiny-index-amd64.tsv" "$R/tiny/index:1" --platform linux/amd64
dd_scan index-s390x "$R/tiny/index:1" --platform linux/s390x --format json
dd_expect_rc "index-s390x: a platform the index lacks" 1
if grep -qiE 'platform|s390x' "$DD_ERR"; then
    dd_ok "index-s390x: stderr names the platform"
else
    dd_fail "index-s390x: stderr does not mention the missing platform"
    dd_show_err
fi
# by digest: the arm64 child directly, no platform needed
scan_ok index-child "$exp/tiny-index-arm64.tsv" "$R/tiny/index@$arm"

# --- d. tiny/uncompressed:1 ------------------------------------------------------------------------
scan_ok uncompressed "$exp/tiny-uncompressed.tsv" "$R/tiny/uncompressed:1"
check_os uncompressed debian 12 bookworm
check_layers uncompressed "$img/tiny_uncompressed.amd64.layers"
dd_json "uncompressed: digest equals diff_id for an uncompressed layer" \
    '.layers[0].digest == .layers[0].diff_id'
dd_json "uncompressed: \"./\" prefixes are normalised away in paths" \
    '[.packages[].path] | all(. == "var/lib/dpkg/status")'

# --- e. tiny/symlink:1 ----------------------------------------------------------------------------
scan_ok symlink "$exp/tiny-symlink.tsv" "$R/tiny/symlink:1"
check_os symlink debian 12 bookworm

dd_finish
