#!/bin/bash
# test_sbom_debian.sh - `drydock sbom` on a real Debian 12 minbase image.
#
# tests/images/debian.sh builds the image with mmdebstrap (first run needs deb.debian.org;
# afterwards the rootfs, OCI layout and expected list are reused from
# ${XDG_CACHE_HOME:-$HOME/.cache}/drydock/) and pushes it with skopeo as debian/bookworm:12
# (OCI manifest without top-level mediaType, one gzip layer of ~6,500 entries).
# The expected inventory is dpkg-query's view of the rootfs's own var/lib/dpkg; drydock's deb
# inventory must equal it exactly, with the OS detected as debian 12 bookworm, no errors, and
# the same result in CycloneDX.
. "$(dirname "$0")/../lib/testlib.sh"
dd_test_init

dd_start_registry || exit 1
t0=$(date +%s.%N)
if ! bash "$DD_SOURCE_DIR/tests/images/debian.sh" "$DD_REGISTRY" "$DD_T/img" >"$DD_T/debian.log" 2>&1; then
    echo "FAIL: tests/images/debian.sh failed:" >&2
    cat "$DD_T/debian.log" >&2
    exit 1
fi
echo "  built/pushed debian image in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
sed 's/^/  /' "$DD_T/debian.log" | grep -v '^  outdir='
expected=$DD_T/img/debian-bookworm.expected.tsv
n=$(wc -l <"$expected")
if [ "$n" -lt 80 ]; then
    dd_fail "expected list has only $n packages: dpkg-query on the rootfs went wrong"
fi
digest=$(awk -F'\t' '$1 == "debian/bookworm:12" { print $2 }' "$DD_T/img/images.tsv")

dd_scan debian "$DD_REGISTRY/debian/bookworm:12" --format json
dd_expect_rc debian 0
# this image has only deb packages; compare the deb part exactly, and list anything else
jq '.packages |= map(select(.type == "deb"))' "$DD_OUT" >"$DD_T/debian.deb.json"
dd_expect_inventory debian "$DD_T/debian.deb.json" "$expected"
others=$(jq -r '[.packages[] | select(.type != "deb") | "\(.type):\(.name)"] | join(" ")' "$DD_OUT")
echo "  non-deb packages reported: ${others:-none}"
dd_json "debian: os debian 12 bookworm" \
    '.os.family == "debian" and .os.version == "12" and .os.codename == "bookworm"'
dd_json "debian: digest is the pushed manifest's" ".digest == \"$digest\""
dd_json "debian: errors[] is empty" '.errors == []'
dd_json "debian: one layer, gzip, several thousand entries" \
    '(.layers | length) == 1 and .layers[0].media_type == "application/vnd.oci.image.layer.v1.tar+gzip"
     and .layers[0].entries > 1000'
dd_json "debian: every deb package has a purl with distro=debian-12" \
    '[.packages[] | select(.type == "deb") | .purl | test("^pkg:deb/debian/[^@]+@[^?]+\\?arch=[a-z0-9]+&distro=debian-12")] | all'
within_s=${DD_DEBIAN_MAX_S:-30}
if awk -v s="$DD_SECS" -v m="$within_s" 'BEGIN { exit !(s <= m) }'; then
    dd_ok "debian: scan took ${DD_SECS} s (limit $within_s s)"
else
    dd_fail "debian: scan took ${DD_SECS} s, limit $within_s s"
fi

dd_scan debian-cdx "$DD_REGISTRY/debian/bookworm:12" --format cyclonedx
dd_expect_rc debian-cdx 0
dd_json "debian-cdx: as many deb components as dpkg-query lists ($n)" \
    "[.components[] | select(.purl // \"\" | startswith(\"pkg:deb/\"))] | length == $n"
dd_json "debian-cdx: operating-system component debian 12" \
    '[.components[] | select(.type == "operating-system" and .name == "debian" and .version == "12")] | length == 1'

dd_finish
