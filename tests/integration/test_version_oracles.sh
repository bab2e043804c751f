#!/usr/bin/env bash
# test_version_oracles.sh - drydock's version comparators against the ecosystems' own tools.
#
# For each scheme, thousands of "A B" pairs (real versions from this machine and from
# ../shared/data, plus seeded synthetic tricky strings) go through `test_version --oracle
# SCHEME` and through the real implementation:
#   dpkg      python3-apt apt_pkg.version_compare; rejections checked with dpkg itself
#   rpm       rpm --eval '%{lua: rpm.vercmp(a, b)}'
#   go        golang.org/x/mod/semver (golang-golang-x-mod-dev, GOPATH build)
#   pep440    python3-packaging (packaging.version.Version)
#   semver    node-semver (npm package, strict mode)
#   maven     maven-artifact's ComparableVersion (tests/tools/VersionOracle.java)
#   gem       ruby Gem::Version
#   composer  php + composer/semver (VersionParser::normalize, Comparator)
#   apk,nuget no tool on Debian: the osv-scalibr expectation files in shared/data
# Prints "<scheme>: agreed/total agree" per oracle; exits 1 on any disagreement. A missing
# tool or data set is reported as "skip" (the CI machine installs them; see .ci).
set -u

B=${DD_BUILD_DIR:?DD_BUILD_DIR must point at the build directory}/test_version
SRC=${DD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$SRC/tests/tools
FIX=$SRC/../shared/data/osv-fixtures/versions
PY=/usr/bin/python3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export DD_SOURCE_DIR=$SRC
fail=0

[ -x "$B" ] || { echo "missing $B"; exit 1; }

# compare NAME SCHEME PAIRS ORACLE_OUT: our answers against the oracle's, line by line.
compare() {
    local name=$1 scheme=$2 pairs=$3 oracle=$4
    "$B" --oracle "$scheme" < "$pairs" > "$W/ours"
    local n agree
    n=$(wc -l < "$pairs")
    if [ "$(wc -l < "$oracle")" -ne "$n" ]; then
        echo "$name: oracle gave $(wc -l < "$oracle") answers for $n pairs"
        fail=1
        return
    fi
    agree=$(paste -d' ' "$W/ours" "$oracle" | awk '$1==$2' | wc -l)
    echo "$name: $agree/$n agree"
    if [ "$agree" -ne "$n" ]; then
        fail=1
        paste -d' ' "$pairs" "$W/ours" "$oracle" | awk '$3!=$4 {print "  disagree: " $0 "  (ours, oracle)"}' | head -20
    fi
}

# pairs SCHEME: real pairs plus synthetic ones.
pairs() {
    $PY "$T/version_pairs.py" "$1" 5000 > "$W/p-$1"
    $PY "$T/version_pairs.py" synth "$1" 3000 >> "$W/p-$1"
    echo "$W/p-$1"
}

have() { command -v "$1" > /dev/null 2>&1; }

# --- dpkg ------------------------------------------------------------------------------------
if $PY -c 'import apt_pkg' 2> /dev/null && have dpkg; then
    p=$(pairs dpkg)
    "$B" --oracle dpkg < "$p" > "$W/d-ours"
    # apt_pkg orders everything; compare where we accept both strings.
    paste -d' ' "$p" "$W/d-ours" | awk '$3!="ERR" {print $1" "$2}' > "$W/d-ok"
    $PY "$T/version_oracle.py" dpkg < "$W/d-ok" > "$W/d-or"
    compare "dpkg (apt_pkg)" dpkg "$W/d-ok" "$W/d-or"
    # Where we reject, dpkg itself must reject or warn; where we accept, it must not
    # complain. Sampled: one dpkg process per pair.
    paste -d' ' "$p" "$W/d-ours" | awk '$3=="ERR" {print $1" "$2}' | head -150 > "$W/d-rej"
    head -100 "$W/d-ok" > "$W/d-acc"
    rej=0 rejn=0 acc=0 accn=0
    while read -r a b; do
        rejn=$((rejn + 1))
        if dpkg --compare-versions "$a" lt "$b" 2>&1 | grep -qiE 'warning|error'; then
            rej=$((rej + 1))
        else
            echo "  disagree: dpkg accepts '$a' and '$b' silently, we reject"
        fi
    done < "$W/d-rej"
    while read -r a b; do
        accn=$((accn + 1))
        if dpkg --compare-versions "$a" lt "$b" 2>&1 | grep -qiE 'warning|error'; then
            echo "  disagree: dpkg complains about '$a' or '$b', we accept"
        else
            acc=$((acc + 1))
        fi
    done < "$W/d-acc"
    echo "dpkg (validity, dpkg --compare-versions): $((rej + acc))/$((rejn + accn)) agree"
    [ $((rej + acc)) -eq $((rejn + accn)) ] || fail=1
else
    echo "dpkg: skip (python3-apt or dpkg missing)"
fi

# --- rpm -------------------------------------------------------------------------------------
if have rpm; then
    p=$(pairs rpm)
    rpm --define "pairs $p" --define "outfile $W/r-or" \
        --eval "%{lua: dofile('$T/version_oracle_rpm.lua')}" > /dev/null
    compare "rpm (rpm.vercmp)" rpm "$p" "$W/r-or"
else
    echo "rpm: skip (rpm missing)"
fi

# --- go --------------------------------------------------------------------------------------
if have go && [ -d /usr/share/gocode/src/golang.org/x/mod/semver ]; then
    mkdir -p "$W/go"
    cp "$T/version_oracle_go.go" "$W/go/main.go"
    if (cd "$W/go" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$W/gocache" \
        GOFLAGS= go build -o "$W/goracle" main.go); then
        p=$(pairs go)
        "$W/goracle" < "$p" > "$W/g-or"
        compare "go (x/mod/semver)" go "$p" "$W/g-or"
    else
        echo "go: oracle build failed"
        fail=1
    fi
else
    echo "go: skip (golang-go or golang-golang-x-mod-dev missing)"
fi

# --- pep440 ----------------------------------------------------------------------------------
if $PY -c 'import packaging.version' 2> /dev/null; then
    p=$(pairs pep440)
    $PY "$T/version_oracle.py" pep440 < "$p" > "$W/y-or"
    compare "pep440 (packaging $($PY -c 'import packaging; print(packaging.__version__)'))" \
        pep440 "$p" "$W/y-or"
else
    echo "pep440: skip (python3-packaging missing)"
fi

# --- semver ----------------------------------------------------------------------------------
NPMDIR=${DD_BUILD_DIR}/version-oracle-npm
if have node && { [ -d "$NPMDIR/node_modules/semver" ] ||
    (mkdir -p "$NPMDIR" && cd "$NPMDIR" &&
        npm install --no-audit --no-fund --silent semver@7 > /dev/null 2>&1); }; then
    p=$(pairs semver)
    # node-semver refuses numbers above 2^53 (the spec and we do not): leave those to the
    # hand-written unit tests.
    grep -vE '[0-9]{16}' "$p" > "$W/s-p"
    NODE_PATH=$NPMDIR/node_modules node "$T/version_oracle.js" < "$W/s-p" > "$W/s-or"
    compare "semver (node-semver)" semver "$W/s-p" "$W/s-or"
else
    echo "semver: skip (node or the npm semver package unavailable)"
fi

# --- maven -----------------------------------------------------------------------------------
MJAR=$(ls /usr/share/maven/lib/maven-artifact-*.jar 2> /dev/null | head -1)
if have javac && [ -n "$MJAR" ]; then
    mkdir -p "$W/java"
    javac -d "$W/java" -cp "$MJAR" "$T/VersionOracle.java"
    p=$(pairs maven)
    java -cp "$W/java:$MJAR" VersionOracle < "$p" > "$W/m-or"
    compare "maven (ComparableVersion $(unzip -p "$MJAR" META-INF/MANIFEST.MF |
        sed -n 's/^Implementation-Version: //p' | tr -d '\r'))" maven "$p" "$W/m-or"
else
    echo "maven: skip (javac or maven-artifact missing)"
fi

# --- gem -------------------------------------------------------------------------------------
if have ruby; then
    p=$(pairs gem)
    ruby "$T/version_oracle.rb" < "$p" > "$W/e-or"
    compare "gem (Gem::Version $(ruby -e 'print Gem::VERSION'))" gem "$p" "$W/e-or"
else
    echo "gem: skip (ruby missing)"
fi

# --- composer --------------------------------------------------------------------------------
if have php && [ -f /usr/share/php/Composer/Semver/autoload.php ]; then
    p=$(pairs composer)
    php "$T/version_oracle.php" < "$p" > "$W/c-or"
    compare "composer (composer/semver)" composer "$p" "$W/c-or"
else
    echo "composer: skip (php-cli or php-composer-semver missing)"
fi

# --- apk, nuget: expectation files -----------------------------------------------------------
fixture() {
    local name=$1 scheme=$2 file=$3
    if [ ! -f "$file" ]; then
        echo "$name: skip ($file absent)"
        return
    fi
    # NuGet version parts are Int32; the file's 30-digit cases are not NuGet versions.
    grep -vE '[0-9]{11}' "$file" | awk 'NF==3 {print $1" "$3}' > "$W/f-$scheme"
    grep -vE '[0-9]{11}' "$file" | awk 'NF==3 {print $2}' > "$W/f-$scheme-or"
    compare "$name" "$scheme" "$W/f-$scheme" "$W/f-$scheme-or"
}
fixture "apk (alpine-versions-generated.txt)" apk "$FIX/alpine-versions-generated.txt"
fixture "nuget (nuget-versions.txt)" nuget "$FIX/nuget-versions.txt"

if [ $fail -ne 0 ]; then
    echo "FAIL: version comparators disagree with an oracle"
    exit 1
fi
echo "all version oracles agree"
