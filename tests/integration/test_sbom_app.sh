#!/bin/bash
# test_sbom_app.sh - `drydock sbom` on a real application image (issue 4's proof).
#
# tests/images/app.sh builds app/demo:1 (cached under ${XDG_CACHE_HOME:-$HOME/.cache}/drydock/app;
# the first run needs deb.debian.org and the npm registry) with seven gzip layers: Debian 12
# minbase; an apt-get install diff (Debian python3 egg-info/dist-info, snakeyaml jar, dpkg
# status and file lists: those files belong to their debs and are not application packages); an npm node_modules tree + package-lock.json; a vendored Go 1.19 binary; a Spring
# Boot style fat jar and a legacy jar; and a layer that whites out node_modules/minimist (an
# `npm uninstall`) and makes opt/legacy/ opaque; gemspecs, a Composer installed.json, a .NET
# deps.json and a cargo-auditable binary. Its expected lists come from npm ls,
# importlib.metadata, go version -m, the jars' pom.properties, ruby's Gem::Specification,
# the JSON files themselves, objcopy's .dep-v0 dump and dpkg-query, never from drydock. drydock must report exactly those language packages (type, name, version, path,
# layer index) and Debian packages, nothing from the whited-out or hidden files, and
# CycloneDX purls of the right form for each package type.
. "$(dirname "$0")/../lib/testlib.sh"
dd_test_init
dd_require_tool unzip npm go mmdebstrap dpkg-query

dd_start_registry || exit 1
t0=$(date +%s.%N)
if ! bash "$DD_SOURCE_DIR/tests/images/app.sh" "$DD_REGISTRY" "$DD_T/img" >"$DD_T/app.log" 2>&1; then
    echo "FAIL: tests/images/app.sh failed:" >&2
    tail -n 30 "$DD_T/app.log" >&2
    exit 1
fi
echo "  built/pushed app image in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
grep '^app.sh: layers' "$DD_T/app.log" | sed 's/^/  /'
expected=$DD_T/img/app.expected.tsv
digest=$(awk -F'\t' '$1 == "app/demo:1" { print $2 }' "$DD_T/img/images.tsv")

# sanity of the expected list itself (so a broken build cannot make the test vacuous)
for t in npm pypi golang maven gem composer nuget cargo; do
    n=$(awk -F'\t' -v t=$t '$1 == t' "$expected" | wc -l)
    echo "  expected $t packages: $n"
    [ "$n" -gt 0 ] || dd_fail "expected list has no $t package"
done
n_nm=$(grep -c $'^npm\t.*/node_modules/.*package.json\t' "$expected")
if [ "$n_nm" -lt 50 ]; then
    dd_fail "expected list has only $n_nm installed npm packages (want >= 50)"
fi
if grep -q 'minimist\|greeting	0.9.0' "$expected"; then
    dd_fail "expected list mentions minimist or greeting 0.9.0: app.sh's whiteout layer went wrong"
fi

dd_scan app "$DD_REGISTRY/app/demo:1" --format json
dd_expect_rc app 0
json_secs=$DD_SECS
dd_json "app: digest is the pushed manifest's" ".digest == \"$digest\""
dd_json "app: errors[] is empty" '.errors == []'
dd_json "app: seven gzip layers" '(.layers | length) == 7 and
    ([.layers[].media_type] | unique) == ["application/vnd.oci.image.layer.v1.tar+gzip"]'
# layer i of the report is blob i of the manifest
while IFS=$'\t' read -r i dg _; do
    dd_json "app: layer $i is $dg" ".layers[$i].index == $i and .layers[$i].digest == \"$dg\""
done <"$DD_T/img/app.layers.tsv"

# language packages: type, name, version, path, layer index (the layer that introduced them)
jq -r '.packages[] | select(.type != "deb")
    | [.type, .name, .version, .path, (.layer.index | tostring)] | @tsv' "$DD_OUT" |
    LC_ALL=C sort >"$DD_T/app.lang.tsv"
if diff -u "$expected" "$DD_T/app.lang.tsv" >"$DD_T/app.lang.diff"; then
    dd_ok "app: language packages match app.expected.tsv ($(wc -l <"$expected") packages)"
else
    dd_fail "app: language packages differ from app.expected.tsv (- expected, + drydock):"
    sed 's/^/    /' "$DD_T/app.lang.diff" | head -n 40 >&2
fi
# Debian packages: dpkg-query's view of the apt layer's status
jq '.packages |= map(select(.type == "deb"))' "$DD_OUT" >"$DD_T/app.deb.json"
dd_expect_inventory app-deb "$DD_T/app.deb.json" "$DD_T/img/app.deb.expected.tsv"

# whiteouts: node_modules/minimist deleted by layer 5 (also gone from the rewritten lockfile),
# opt/legacy/ made opaque by layer 5 (its greeting 0.9.0 jar from layer 4 is hidden)
dd_json "app: whited-out node_modules/minimist is absent" \
    '[.packages[] | select(.name == "minimist" or (.path // "" | contains("minimist")))] == []'
dd_json "app: jar under the opaque opt/legacy/ is absent" \
    '[.packages[] | select((.path // "" | startswith("opt/legacy/")) or .version == "0.9.0")] == []'
# Debian's python3-requests egg-info and snakeyaml jar belong to their debs (dpkg's file
# lists): no PyPI or Maven package from those files, the deb itself is reported
dd_json "app: files owned by Debian packages are not application packages" \
    '[.packages[] | select(.type != "deb" and ((.path // "") | startswith("usr/lib/python3/dist-packages/") or . == "usr/share/java/snakeyaml.jar"))] == []'
dd_json "app: python3-requests is reported as the deb" \
    '[.packages[] | select(.type == "deb" and .name == "python3-requests")] | length == 1'
dd_json "app: layer 2's package.json files survive (express 4.17.1 at layer 2)" \
    '[.packages[] | select(.name == "express" and .path == "app/node_modules/express/package.json"
      and .layer.index == 2)] | length == 1'

# CycloneDX: one purl per package type, written by hand
dd_scan app-cdx "$DD_REGISTRY/app/demo:1" --format cyclonedx
dd_expect_rc app-cdx 0
for purl in \
    'pkg:npm/express@4.17.1' \
    'pkg:npm/ms@2.1.1' \
    'pkg:pypi/pyyaml@6.0' \
    'pkg:golang/example.com/dep@v1.2.3' \
    'pkg:golang/example.com/newdep@v1.0.0' \
    'pkg:golang/stdlib@v1.19.8' \
    'pkg:maven/org.yaml/snakeyaml@1.33' \
    'pkg:maven/com.example/demo-app@0.1.0' \
    'pkg:gem/rake@13.0.6' \
    'pkg:composer/monolog/monolog@2.9.1' \
    'pkg:composer/symfony/polyfill-mbstring@v1.27.0' \
    'pkg:nuget/Newtonsoft.Json@13.0.1' \
    'pkg:cargo/serde@1.0.188' \
    'pkg:deb/debian/python3-requests@2.28.1%2Bdfsg-1?arch=all&distro=debian-12'; do
    dd_json "app-cdx: component $purl" "[.components[] | select(.purl == \"$purl\")] | length >= 1"
done
dd_json "app-cdx: no purl for minimist or greeting 0.9.0" \
    '[.components[] | select(.purl // "" | test("minimist|greeting@0.9.0"))] == []'
dd_json "app-cdx: as many components with a purl as JSON packages" \
    "[.components[] | select(.purl)] | length == $(jq '.packages | length' "$DD_T/app.out")"

within_s=${DD_APP_MAX_S:-30}
if awk -v s="$json_secs" -v m="$within_s" 'BEGIN { exit !(s <= m) }'; then
    dd_ok "app: scan took ${json_secs} s (limit $within_s s)"
else
    dd_fail "app: scan took ${json_secs} s, limit $within_s s"
fi

dd_finish
