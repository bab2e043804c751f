#!/bin/bash
# app.sh - an application image of real content, pushed as app/demo:1.
#
# Usage: app.sh REGISTRY [OUTDIR]
#   REGISTRY  host:port of a plain-HTTP registry on loopback (e.g. $DD_REGISTRY)
#   OUTDIR    where to write app.expected.tsv, app.deb.expected.tsv, app.layers.tsv and
#             images.tsv (default: a mktemp dir, printed last as "outdir=DIR")
#
# Layers (gzip -n -6, OCI manifest, pushed with tests/lib/oci.sh's curl helpers):
#   0  the Debian 12 minbase rootfs of tests/images/debian.sh (its cached tarball; the script
#      is run first when the cache is empty)
#   1  what `apt-get install python3-requests python3-packaging libyaml-snake-java` adds: the
#      diff between that rootfs and a second mmdebstrap rootfs built with those --include
#      packages (app_layers.py diff). Real Debian egg-info (requests, urllib3, certifi, ...)
#      and dist-info (packaging), Debian's snakeyaml jar, and a dpkg status that lists them all,
#      so the OS inventory stays consistent.
#   2  app/: package.json, package-lock.json (v3) and the node_modules tree of
#      `npm install --no-audit --no-fund lodash@4.17.15 minimist@1.2.0 express@4.17.1`
#   3  usr/local/bin/demo-go: Go 1.19 (golang-go) `go build -mod=vendor` of
#      tests/fixtures/lang/go/src (vendored example.com/dep v1.2.3 and example.com/olddep
#      replaced by example.com/newdep v1.0.0), GOPROXY=off, temporary GOPATH/GOCACHE
#   4  opt/demo/demo-app.jar: a Spring Boot style fat jar (pom com.example:demo-app 0.1.0,
#      BOOT-INF/lib/ holding Debian's snakeyaml jar and com.example:greeting 1.0.0, stored);
#      opt/legacy/lib/greeting-0.9.0.jar (pom com.example:greeting 0.9.0)
#   5  whiteouts: what `npm uninstall minimist` changes (app/node_modules/.wh.minimist plus the
#      rewritten package.json, package-lock.json and node_modules/.package-lock.json; nothing
#      else requires minimist) and an opaque opt/legacy/ (.wh..wh..opq + a README) hiding
#      layer 4's legacy jar
#   6  other ecosystems, from the committed real-format fixtures of tests/fixtures/lang/:
#      Debian's installed gemspecs (ruby3.1/rake: minitest, rake, default json and bundler)
#      under usr/local/lib/ruby/gems/3.1.0/specifications/, a Composer 2
#      srv/php/vendor/composer/installed.json, a .NET srv/dotnet/WebApp.deps.json, and a
#      cargo-auditable ELF (.dep-v0 section) as usr/local/bin/demo-rust, and a pip-installed
#      PyYAML 6.0 dist-info under usr/local/lib/python3.11/dist-packages/
#
# Expected inventory (OUTDIR/app.expected.tsv), from the real tools, never from drydock:
#   "type name version path layer_index", sorted; path is the file a scanner reads (the
#   package.json, the lockfile, the METADATA/PKG-INFO/egg-info file, the binary, the jar, with
#   "!/<entry>" for a jar inside a jar).
#   npm    `npm ls --all --json --long` on the final tree (paths of installed packages), and
#          the final package-lock.json's "packages" entries (not dev, not links) that no
#          installed package of the same name and version already stands for
#   pypi   importlib.metadata over layer 1's and 6's dist-packages (app_layers.py python)
#   (none of layer 1's: every application file there was installed by a deb, which
#   `dpkg-query -S` on the layer's dpkg database confirms; such files are not expected)
#   golang `go version -m`: stdlib v<go version>, each dep (a "=>" replacement wins)
#   maven  each jar's META-INF/maven/*/*/pom.properties (unzip -p)
#   gem    ruby's Gem::Specification.load of each gemspec
#   composer / nuget  the packages of installed.json / the "package" libraries of deps.json
#   cargo  the binary's .dep-v0 (objcopy --dump-section, zlib, JSON): runtime crates
# OUTDIR/app.deb.expected.tsv: dpkg-query on the apt rootfs's var/lib/dpkg, in tests/lib/testlib.sh's
# dd_inventory format.
# Layer index = the layer that introduced the package (drydock and Trivy both keep it when a
# later layer rewrites the file around it): base debs 0 although layer 1 rewrites the dpkg
# status; lockfile entries 2 although layer 5 rewrites package-lock.json.
#
# Cache: ${XDG_CACHE_HOME:-$HOME/.cache}/drydock/app/ holds the apt rootfs (deleted once its
# layer exists), the npm tree (npm-app.tar), every layer (L<i>.tar.gz, L<i>.diffid) and the
# expected files; delete the directory to rebuild. A cold build needs deb.debian.org and the
# npm registry (≈ 1-2 min); a warm one only pushes (≈ 2 s).
set -euo pipefail

reg=${1:?usage: app.sh REGISTRY [OUTDIR]}
out=${2:-$(mktemp -d "${TMPDIR:-/tmp}/dd-app.XXXXXX")}
mkdir -p "$out"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
# shellcheck source=../lib/oci.sh
. "$src/tests/lib/oci.sh"

for t in mmdebstrap dpkg-query tar gzip npm node go zip unzip jq curl python3 sha256sum; do
    if ! command -v "$t" >/dev/null 2>&1; then
        echo "app.sh: required tool '$t' is not installed" >&2
        exit 1
    fi
done

arch=$(dpkg --print-architecture)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/drydock
base_tar=$cache/debian-bookworm-minbase-$arch.tar
c=$cache/app
mkdir -p "$c"
work=$(mktemp -d "${TMPDIR:-/tmp}/dd-app-work.XXXXXX")
trap 'rm -rf "$work"' EXIT
NLAYERS=7
APT_PKGS=python3-requests,python3-packaging,libyaml-snake-java
NPM_PKGS=(lodash@4.17.15 minimist@1.2.0 express@4.17.1)
t0=$(date +%s.%N)
log() { echo "app.sh: $*" >&2; }

# store_layer I TAR: gzip TAR into the cache as layer I (diff_id = sha256 of the tar).
store_layer() {
    local i=$1 tarf=$2
    sha256sum "$tarf" | cut -c1-64 >"$c/L$i.diffid.part"
    gzip -n -6 <"$tarf" >"$c/L$i.tar.gz.part"
    mv "$c/L$i.tar.gz.part" "$c/L$i.tar.gz"
    mv "$c/L$i.diffid.part" "$c/L$i.diffid"
}
have_layer() { [ -s "$c/L$1.tar.gz" ] && [ -s "$c/L$1.diffid" ]; }

# pom_rows JAR PATH LAYER: one maven row per pom.properties in JAR (not recursing).
pom_rows() {
    local jar=$1 path=$2 layer=$3 p g a v
    while read -r p; do
        g=$(unzip -p "$jar" "$p" | tr -d '\r' | sed -n 's/^groupId=//p')
        a=$(unzip -p "$jar" "$p" | tr -d '\r' | sed -n 's/^artifactId=//p')
        v=$(unzip -p "$jar" "$p" | tr -d '\r' | sed -n 's/^version=//p')
        printf 'maven\t%s:%s\t%s\t%s\t%s\n' "$g" "$a" "$v" "$path" "$layer"
    done < <(unzip -Z1 "$jar" | grep -E '^META-INF/maven/[^/]+/[^/]+/pom\.properties$')
}

# --- layer 0: the Debian base -----------------------------------------------------------
if [ ! -s "$base_tar" ]; then
    log "no $base_tar: running tests/images/debian.sh"
    bash "$here/debian.sh" "$reg" "$work/debian" >&2
fi
if ! have_layer 0 || [ "$base_tar" -nt "$c/L0.tar.gz" ]; then
    log "layer 0: gzip of $(basename "$base_tar")"
    rm -f "$c"/L*.tar.gz "$c"/L*.diffid "$c"/*.expected.tsv # everything above depends on it
    store_layer 0 "$base_tar"
fi

# --- layer 1: apt-get install python3-requests python3-packaging libyaml-snake-java -------
if ! have_layer 1 || [ ! -s "$c/L1.expected.tsv" ]; then
    if [ ! -s "$c/rootfs-apt.tar" ]; then
        log "mmdebstrap --include=$APT_PKGS (needs deb.debian.org)"
        mmdebstrap --quiet --variant=minbase --architectures="$arch" --include="$APT_PKGS" \
            bookworm "$c/rootfs-apt.part.tar" http://deb.debian.org/debian
        mv "$c/rootfs-apt.part.tar" "$c/rootfs-apt.tar"
    fi
    python3 "$here/app_layers.py" diff "$base_tar" "$c/rootfs-apt.tar" >"$work/L1.tar"
    mkdir -p "$work/l1"
    tar -xf "$work/L1.tar" -C "$work/l1"
    {
        python3 "$here/app_layers.py" python "$work/l1" 1
        # jars: regular files only (Debian's snakeyaml-1.33.jar is a symlink to snakeyaml.jar)
        (cd "$work/l1" && find . -type f \( -name '*.jar' -o -name '*.war' \) | sed 's|^\./||') |
            while read -r j; do pom_rows "$work/l1/$j" "$j" 1; done
    } >"$c/L1.expected.tsv"
    cp "$work/l1/usr/share/java/snakeyaml.jar" "$c/snakeyaml.jar"
    store_layer 1 "$work/L1.tar"
    rm -f "$c/rootfs-apt.tar"
fi

if [ ! -s "$c/deb.expected.tsv" ]; then
    # deb: a package keeps the layer that introduced it (same name, version and arch in the
    # base's dpkg status: layer 0), although layer 1 rewrites the whole status file
    for r in base apt; do
        mkdir -p "$work/$r-dpkg"
        if [ $r = base ]; then
            tar -xf "$base_tar" -C "$work/$r-dpkg" ./var/lib/dpkg/status
        else
            tar -xzf "$c/L1.tar.gz" -C "$work/$r-dpkg" var/lib/dpkg/status
        fi
        dpkg-query --admindir="$work/$r-dpkg/var/lib/dpkg" -W \
            -f='${db:Status-Status}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n' |
            awk -F'\t' -v OFS='\t' '$1 == "installed" { print "deb", $2, $3, $4, $5, $6 }' \
                >"$work/$r.deb.tsv"
    done
    awk -F'\t' -v OFS='\t' 'NR == FNR { base[$2 FS $3 FS $4] = 1; next }
        { print $0, (($2 FS $3 FS $4) in base) ? 0 : 1 }' "$work/base.deb.tsv" "$work/apt.deb.tsv" |
        LC_ALL=C sort >"$c/deb.expected.tsv"
fi

# --- layer 2: the npm application ----------------------------------------------------------
if [ ! -s "$c/npm-app.tar" ] || [ ! -s "$c/npm-final.tar" ]; then
    log "npm install ${NPM_PKGS[*]} (needs the npm registry)"
    mkdir -p "$work/npm/app"
    printf '{\n  "name": "demo-app",\n  "version": "1.0.0",\n  "private": true\n}\n' \
        >"$work/npm/app/package.json"
    (cd "$work/npm/app" && npm install --no-audit --no-fund --no-update-notifier \
        "${NPM_PKGS[@]}" >&2)
    tar -C "$work/npm" -cf "$c/npm-app.part.tar" app
    # the state after `npm uninstall minimist` (layer 5): offline, from npm's cache
    cp -a "$work/npm/app" "$work/npm/final"
    (cd "$work/npm/final" && npm uninstall --offline --no-audit --no-fund \
        --no-update-notifier minimist >&2)
    [ ! -e "$work/npm/final/node_modules/minimist" ] || {
        log "npm uninstall left node_modules/minimist"
        exit 1
    }
    tar -C "$work/npm/final" -cf "$c/npm-final.part.tar" package.json package-lock.json \
        node_modules/.package-lock.json
    (cd "$work/npm/final" && npm ls --all --json --long) >"$c/npm-ls.json"
    mv "$c/npm-app.part.tar" "$c/npm-app.tar"
    mv "$c/npm-final.part.tar" "$c/npm-final.tar"
    rm -f "$c/L2.tar.gz" "$c/L5.tar.gz"
fi
if ! have_layer 2; then
    mkdir -p "$work/s2"
    tar -xf "$c/npm-app.tar" -C "$work/s2"
    dd_tar_dir "$work/s2" "$work/L2.tar"
    store_layer 2 "$work/L2.tar"
fi

# --- layer 3: a Go binary with real dep lines ------------------------------------------------
if ! have_layer 3 || [ ! -s "$c/go-version-m.txt" ]; then
    log "go build -mod=vendor of tests/fixtures/lang/go/src"
    mkdir -p "$work/s3/usr/local/bin"
    cp -r "$src/tests/fixtures/lang/go/src" "$work/gosrc"
    (cd "$work/gosrc" && env GOPATH="$work/gopath" GOCACHE="$work/gocache" GOPROXY=off \
        GOFLAGS=-mod=vendor GO111MODULE=on CGO_ENABLED=0 GOOS=linux GOARCH=amd64 \
        go build -buildvcs=false -trimpath -o "$work/s3/usr/local/bin/demo-go" .)
    go version -m "$work/s3/usr/local/bin/demo-go" >"$c/go-version-m.txt"
    chmod -R go+rX "$work/gopath" 2>/dev/null || true
    dd_tar_dir "$work/s3" "$work/L3.tar"
    store_layer 3 "$work/L3.tar"
fi

# --- layer 4: jars ---------------------------------------------------------------------------
# mkjar OUT GROUP ARTIFACT VERSION: a small jar Maven-style (pom.properties + one class).
mkjar() {
    local outf=$1 g=$2 a=$3 v=$4 d
    d=$work/jar-$a-$v
    mkdir -p "$d/META-INF/maven/$g/$a" "$d/${g//.//}/$a"
    printf '#Generated by Maven\ngroupId=%s\nartifactId=%s\nversion=%s\n' "$g" "$a" "$v" \
        >"$d/META-INF/maven/$g/$a/pom.properties"
    printf 'Manifest-Version: 1.0\nImplementation-Title: %s\nImplementation-Version: %s\n\n' \
        "$a" "$v" >"$d/META-INF/MANIFEST.MF"
    printf '\312\376\272\276\000\000\000\064demo' >"$d/${g//.//}/$a/Main.class"
    find "$d" -exec touch -d @0 {} +
    (cd "$d" && zip -q -X -r "$outf" META-INF "${g%%.*}")
}
if ! have_layer 4; then
    log "layer 4: fat jar and legacy jar"
    mkdir -p "$work/s4/opt/demo" "$work/s4/opt/legacy/lib" "$work/fat/BOOT-INF/lib" \
        "$work/fat/META-INF/maven/com.example/demo-app" "$work/fat/BOOT-INF/classes/com/example"
    mkjar "$work/fat/BOOT-INF/lib/greeting-1.0.0.jar" com.example greeting 1.0.0
    cp "$c/snakeyaml.jar" "$work/fat/BOOT-INF/lib/snakeyaml-1.33.jar"
    mkjar "$work/s4/opt/legacy/lib/greeting-0.9.0.jar" com.example greeting 0.9.0
    printf 'groupId=com.example\nartifactId=demo-app\nversion=0.1.0\n' \
        >"$work/fat/META-INF/maven/com.example/demo-app/pom.properties"
    printf 'Manifest-Version: 1.0\nMain-Class: org.springframework.boot.loader.JarLauncher\nStart-Class: com.example.Demo\nSpring-Boot-Lib: BOOT-INF/lib/\n\n' \
        >"$work/fat/META-INF/MANIFEST.MF"
    printf '\312\376\272\276\000\000\000\064demo' >"$work/fat/BOOT-INF/classes/com/example/Demo.class"
    find "$work/fat" -exec touch -d @0 {} +
    (cd "$work/fat" && zip -q -X "$work/s4/opt/demo/demo-app.jar" META-INF/MANIFEST.MF \
        META-INF/maven/com.example/demo-app/pom.properties &&
        zip -q -X -r "$work/s4/opt/demo/demo-app.jar" BOOT-INF/classes &&
        zip -q -X -0 "$work/s4/opt/demo/demo-app.jar" BOOT-INF/lib/greeting-1.0.0.jar \
            BOOT-INF/lib/snakeyaml-1.33.jar)
    dd_tar_dir "$work/s4" "$work/L4.tar"
    store_layer 4 "$work/L4.tar"
fi

# --- layer 5: whiteouts -----------------------------------------------------------------------
if ! have_layer 5; then
    mkdir -p "$work/s5/app/node_modules" "$work/s5/opt/legacy"
    tar -xf "$c/npm-final.tar" -C "$work/s5/app"
    : >"$work/s5/app/node_modules/.wh.minimist"
    : >"$work/s5/opt/legacy/.wh..wh..opq"
    printf 'legacy tools were removed\n' >"$work/s5/opt/legacy/README"
    dd_tar_dir "$work/s5" "$work/L5.tar"
    store_layer 5 "$work/L5.tar"
fi
# --- layer 6: gem, composer, nuget, cargo ---------------------------------------------------
fx=$src/tests/fixtures/lang
# L6.v2: layer 6 gained a pip-installed dist-info (rebuild caches from before it)
if ! have_layer 6 || [ ! -s "$c/L6.expected.tsv" ] || [ ! -e "$c/L6.v2" ]; then
    for t in ruby objcopy; do
        command -v $t >/dev/null 2>&1 || {
            log "required tool '$t' is not installed"
            exit 1
        }
    done
    gems=usr/local/lib/ruby/gems/3.1.0/specifications
    pip_dist=usr/local/lib/python3.11/dist-packages/PyYAML-6.0.dist-info
    mkdir -p "$work/s6/$gems" "$work/s6/srv/php/vendor/composer" "$work/s6/srv/dotnet" \
        "$work/s6/usr/local/bin" "$work/s6/$pip_dist"
    cp -r "$fx/ruby/specifications/." "$work/s6/$gems/"
    cp "$fx/php/installed-composer2.json" "$work/s6/srv/php/vendor/composer/installed.json"
    cp "$fx/dotnet/WebApp.deps.json" "$work/s6/srv/dotnet/WebApp.deps.json"
    cp "$fx/rust/auditable.bin" "$work/s6/usr/local/bin/demo-rust"
    cp "$fx/python/PyYAML-6.0.METADATA" "$work/s6/$pip_dist/METADATA" # as pip installs it
    chmod 755 "$work/s6/usr/local/bin/demo-rust"
    {
        (cd "$work/s6" && find "$gems" -name '*.gemspec') | while read -r g; do
            ruby -e 's = Gem::Specification.load(ARGV[0]); print "gem\t#{s.name}\t#{s.version}\t#{ARGV[1]}\t6\n"' \
                "$work/s6/$g" "$g"
        done
        jq -r '.packages[] | "composer\t\(.name)\t\(.version)\tsrv/php/vendor/composer/installed.json\t6"' \
            "$work/s6/srv/php/vendor/composer/installed.json"
        jq -r '.libraries | to_entries[] | select(.value.type == "package")
            | (.key | capture("^(?<n>.*)/(?<v>[^/]*)$")) | "nuget\t\(.n)\t\(.v)\tsrv/dotnet/WebApp.deps.json\t6"' \
            "$work/s6/srv/dotnet/WebApp.deps.json"
        objcopy --dump-section .dep-v0="$work/dep-v0.zlib" "$work/s6/usr/local/bin/demo-rust" \
            "$work/demo-rust.copy"
        python3 -c 'import json, sys, zlib
for p in json.loads(zlib.decompress(open(sys.argv[1], "rb").read()))["packages"]:
    if p.get("kind", "runtime") == "runtime":
        print("cargo\t%s\t%s\tusr/local/bin/demo-rust\t6" % (p["name"], p["version"]))' "$work/dep-v0.zlib"
        python3 "$here/app_layers.py" python "$work/s6" 6
    } >"$c/L6.expected.tsv"
    dd_tar_dir "$work/s6" "$work/L6.tar"
    store_layer 6 "$work/L6.tar"
    touch "$c/L6.v2"
fi
t1=$(date +%s.%N)

# --- expected application inventory ------------------------------------------------------------
# Application files an OS package installed belong to that package (drydock, like Trivy and
# Grype, does not report Debian's python3-requests egg-info as a PyPI package): rows of layer 1
# whose file dpkg-query -S finds in the layer's dpkg database are not expected.
mkdir -p "$work/x1"
tar -xzf "$c/L1.tar.gz" -C "$work/x1" var/lib/dpkg
{
    while IFS=$'\t' read -r ty name ver path layer; do
        dpkg-query --admindir="$work/x1/var/lib/dpkg" -S "/${path%%!/*}" >/dev/null 2>&1 ||
            printf '%s\t%s\t%s\t%s\t%s\n' "$ty" "$name" "$ver" "$path" "$layer"
    done <"$c/L1.expected.tsv"
    cat "$c/L6.expected.tsv"
    # installed packages of the final tree: every node that has a path below node_modules
    jq -r --arg root "$(jq -r .path "$c/npm-ls.json")" '
        [.. | objects | select(has("path") and has("version") and (.path != $root))
         | select(.missing != true and .extraneous != true)
         | [.name, .version, (.path | ltrimstr($root + "/"))]] | unique[]
        | "npm\t\(.[0])\t\(.[1])\tapp/\(.[2])/package.json\t2"' "$c/npm-ls.json"
    # the final lockfile (layer 5 rewrote it); an entry already in layer 2's lockfile keeps
    # layer 2 (the layer that introduced it)
    lock_rows() {
        jq -r '.packages | to_entries[] | select(.key | test("(^|/)node_modules/"))
            | select(.value.dev != true and .value.link != true)
            | "npm\t\(.value.name // (.key | sub(".*node_modules/"; "")))\t\(.value.version)\tapp/package-lock.json"' |
            sort -u
    }
    tar -xOf "$c/npm-app.tar" app/package-lock.json | lock_rows >"$work/lock2.tsv"
    tar -xOf "$c/npm-final.tar" package-lock.json | lock_rows |
        awk -F'\t' -v OFS='\t' 'NR == FNR { in2[$0] = 1; next } { print $0, ($0 in in2) ? 2 : 5 }' \
            "$work/lock2.tsv" -
    awk -F'\t' '
        NR == 1 { sub(/^go/, "v", $2); print "golang\tstdlib\t" $2 "\tusr/local/bin/demo-go\t3"; next }
        $2 == "dep" { if (d != "") print d; d = "golang\t" $3 "\t" $4 "\tusr/local/bin/demo-go\t3"; next }
        $2 == "=>" { d = "golang\t" $3 "\t" $4 "\tusr/local/bin/demo-go\t3"; next }
        { if (d != "") print d; d = "" }
        END { if (d != "") print d }' FS='[ \t]+' <(sed 's/^[^:]*: /x\t/' "$c/go-version-m.txt")
    mkdir -p "$work/x4"
    tar -xzf "$c/L4.tar.gz" -C "$work/x4" opt/demo/demo-app.jar
    pom_rows "$work/x4/opt/demo/demo-app.jar" opt/demo/demo-app.jar 4
    for j in greeting-1.0.0.jar snakeyaml-1.33.jar; do
        unzip -p "$work/x4/opt/demo/demo-app.jar" "BOOT-INF/lib/$j" >"$work/x4/$j"
        pom_rows "$work/x4/$j" "opt/demo/demo-app.jar!/BOOT-INF/lib/$j" 4
    done
} | LC_ALL=C sort >"$work/all.expected.tsv"
# A lockfile entry that is also installed (same type, name and version from installed
# metadata: npm ls' package.json rows) is the same package, reported once, as installed;
# lockfile entries nothing installed confirms stay.
awk -F'\t' '
    function lock(p) { return p ~ /(^|\/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|poetry\.lock|Pipfile\.lock|Gemfile\.lock|composer\.lock|packages\.lock\.json|Cargo\.lock)$/ || p ~ /(^|\/)requirements[^\/]*\.txt$/ }
    NR == FNR { if (!lock($4)) inst[$1 "\t" $2 "\t" $3] = 1; next }
    !(lock($4) && (($1 "\t" $2 "\t" $3) in inst))' "$work/all.expected.tsv" "$work/all.expected.tsv" \
    >"$out/app.expected.tsv"
cp "$c/deb.expected.tsv" "$out/app.deb.expected.tsv"

# --- OCI config + manifest, push ----------------------------------------------------------------
repo=app/demo
layers_json=
diffids_json=
: >"$out/app.layers.tsv"
for ((i = 0; i < NLAYERS; i++)); do
    dg=$(dd_push_blob "$reg" "$repo" "$c/L$i.tar.gz")
    sz=$(dd_size "$c/L$i.tar.gz")
    layers_json+="${layers_json:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"$dg\",\"size\":$sz}"
    diffids_json+="${diffids_json:+,}\"sha256:$(cat "$c/L$i.diffid")\""
    printf '%s\t%s\t%s\n' "$i" "$dg" "$sz" >>"$out/app.layers.tsv"
done
jq -cn --argjson d "[$diffids_json]" '{created: "2024-06-01T00:00:00Z", architecture: "amd64",
    os: "linux", config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    Cmd: ["/usr/local/bin/demo-go"], WorkingDir: "/app"}, rootfs: {type: "layers", diff_ids: $d},
    history: [$d[] | {created: "2024-06-01T00:00:00Z", created_by: "tests/images/app.sh"}]}' \
    >"$work/config.json"
cdg=$(dd_push_blob "$reg" "$repo" "$work/config.json")
jq -cn --argjson l "[$layers_json]" --arg cd "$cdg" --argjson cs "$(dd_size "$work/config.json")" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
      layers: $l}' >"$work/manifest.json"
mdg=$(dd_push_manifest "$reg" "$repo" 1 "$work/manifest.json" \
    application/vnd.oci.image.manifest.v1+json)
printf 'app/demo:1\t%s\n' "$mdg" >>"$out/images.tsv"
t2=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$(wc -l <"$out/app.expected.tsv")" 'BEGIN {
    printf "app.sh: layers %.1fs, push %.1fs, %d expected application packages\n", b - a, c - b, n }' >&2
echo "outdir=$out"
