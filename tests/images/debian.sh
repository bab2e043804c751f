#!/bin/bash
# debian.sh - a real Debian 12 (bookworm) minbase image, pushed as debian/bookworm:12.
#
# Usage: debian.sh REGISTRY [OUTDIR]
#   REGISTRY  host:port of a plain-HTTP registry on loopback (e.g. $DD_REGISTRY)
#   OUTDIR    where to write debian-bookworm.expected.tsv and images.tsv (default: a mktemp dir,
#             printed on stdout as the last line "outdir=DIR")
#
# Design: the expensive parts are cached under ${XDG_CACHE_HOME:-$HOME/.cache}/drydock/, keyed
# by a date-independent name, and reused when present:
#   debian-bookworm-minbase-<arch>.tar        mmdebstrap rootfs tarball (needs deb.debian.org)
#   debian-bookworm-minbase-<arch>.oci/       umoci OCI layout, tag "bookworm", one gzip layer
#   debian-bookworm-minbase-<arch>.expected.tsv
# The expected inventory comes from dpkg-query run against the rootfs's own var/lib/dpkg, never
# from drydock: package, version, architecture, source package, source version, layer index 0,
# for packages whose dpkg status is "installed" (the same as "ii"/"hi" in dpkg -l).
# Delete the cache files to rebuild from the mirror.
set -euo pipefail

reg=${1:?usage: debian.sh REGISTRY [OUTDIR]}
out=${2:-$(mktemp -d "${TMPDIR:-/tmp}/dd-debian.XXXXXX")}
mkdir -p "$out"

for t in mmdebstrap umoci skopeo dpkg-query tar; do
    if ! command -v "$t" >/dev/null 2>&1; then
        echo "debian.sh: required tool '$t' is not installed" >&2
        exit 1
    fi
done

arch=$(dpkg --print-architecture)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/drydock
key=debian-bookworm-minbase-$arch
mkdir -p "$cache"
work=$(mktemp -d "${TMPDIR:-/tmp}/dd-debian-work.XXXXXX")
trap 'rm -rf "$work"' EXIT

t0=$(date +%s.%N)
if [ ! -s "$cache/$key.tar" ]; then
    echo "debian.sh: building $cache/$key.tar with mmdebstrap (needs deb.debian.org)" >&2
    mmdebstrap --quiet --variant=minbase --architectures="$arch" bookworm \
        "$cache/$key.part.tar" http://deb.debian.org/debian
    mv "$cache/$key.part.tar" "$cache/$key.tar"
    rm -rf "$cache/$key.oci" "$cache/$key.expected.tsv"
fi
t1=$(date +%s.%N)

if [ ! -s "$cache/$key.expected.tsv" ]; then
    mkdir -p "$work/root"
    # mmdebstrap writes "./"-prefixed member names
    tar -xf "$cache/$key.tar" -C "$work/root" ./var/lib/dpkg
    dpkg-query --admindir="$work/root/var/lib/dpkg" -W \
        -f='${db:Status-Status}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n' |
        awk -F'\t' -v OFS='\t' '$1 == "installed" { print "deb", $2, $3, $4, $5, $6, 0 }' |
        LC_ALL=C sort >"$cache/$key.expected.tsv.part"
    mv "$cache/$key.expected.tsv.part" "$cache/$key.expected.tsv"
fi

if [ ! -f "$cache/$key.oci/index.json" ]; then
    rm -rf "$cache/$key.oci.part"
    umoci init --layout "$cache/$key.oci.part"
    umoci new --image "$cache/$key.oci.part:bookworm"
    umoci raw add-layer --image "$cache/$key.oci.part:bookworm" "$cache/$key.tar"
    umoci config --image "$cache/$key.oci.part:bookworm" --config.cmd /bin/bash \
        --os linux --architecture "$arch"
    umoci gc --layout "$cache/$key.oci.part"
    mv "$cache/$key.oci.part" "$cache/$key.oci"
fi
t2=$(date +%s.%N)

skopeo copy --quiet --dest-tls-verify=false "oci:$cache/$key.oci:bookworm" \
    "docker://$reg/debian/bookworm:12"
digest=$(skopeo inspect --tls-verify=false --raw "docker://$reg/debian/bookworm:12" |
    sha256sum | cut -c1-64)
t3=$(date +%s.%N)

cp "$cache/$key.expected.tsv" "$out/debian-bookworm.expected.tsv"
printf 'debian/bookworm:12\tsha256:%s\n' "$digest" >>"$out/images.tsv"
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN {
    printf "debian.sh: rootfs %.1fs, oci layout %.1fs, push %.1fs\n", b - a, c - b, d - c }' >&2
echo "outdir=$out"
