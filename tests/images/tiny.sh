#!/bin/bash
# tiny.sh - byte-stable tiny images, built by hand and pushed with curl.
#
# Usage: tiny.sh REGISTRY [OUTDIR]
#   REGISTRY  host:port of a plain-HTTP registry on loopback (e.g. $DD_REGISTRY)
#   OUTDIR    receives images.tsv: "<repo:tag>\t<manifest digest>\t<manifest media type>", one
#             line per image (tiny/index:1@amd64 and @arm64 name the index's children), plus
#             <repo with / as _>.<arch>.layers files ("<index>\t<blob digest>\t<diff_id>"),
#             e.g. tiny_multi.amd64.layers, and timings.tsv (seconds per image, also printed on
#             stderr). Default: a mktemp dir, printed as the last line "outdir=DIR".
#
# Images (all under tiny/; expected inventories are in tests/expected/, written by hand):
#   tiny/multi:1        Docker schema 2, 3 gzip layers: dpkg status rewritten, a distroless
#                       status.d hidden by an opaque whiteout, one status.d file whited out
#   tiny/oci:1          OCI manifest without top-level mediaType (as skopeo writes), zstd layer,
#                       Alpine 3.18.4 with a hand-written lib/apk/db/installed
#   tiny/index:1        OCI index: linux/arm64/v8 (listed first), linux/amd64, and a
#                       buildkit-style attestation manifest with platform unknown/unknown
#   tiny/uncompressed:1 OCI manifest, one uncompressed tar layer with "./"-prefixed names
#   tiny/symlink:1      etc/os-release -> ../usr/lib/os-release, var/lib/dpkg/status stored as a
#                       hard link, a symlink loop a -> b -> a
#   tiny/traversal:1    member names "../../etc/passwd" and "/abs/path"
#   tiny/bomb:1         var/lib/dpkg/status of 2 GiB of zeros in a ~2 MB gzip blob
#   tiny/bigstatus:1    var/lib/dpkg/status of ~640 MiB of valid stanzas in a 6 MB blob (~110:1)
#   tiny/truncated:1    gzip layer cut in half (blob digest is of the cut bytes)
#   tiny/manyentries:1  300,000 empty files, then os-release and dpkg status
#   tiny/notimage:1     a Helm chart (config application/vnd.cncf.helm.config.v1+json)
#   tiny/umoci-broken:1 tar without end-of-archive blocks or final padding
#
# The hostile blobs come from hostile.py and are cached under
# ${XDG_CACHE_HOME:-$HOME/.cache}/drydock/tiny-hostile-<sha of hostile.py>/ (first run ~7 s).
set -euo pipefail

reg=${1:?usage: tiny.sh REGISTRY [OUTDIR]}
out=${2:-$(mktemp -d "${TMPDIR:-/tmp}/dd-tiny.XXXXXX")}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/oci.sh"

for t in curl tar gzip zstd python3 jq sha256sum; do
    if ! command -v "$t" >/dev/null 2>&1; then
        echo "tiny.sh: required tool '$t' is not installed" >&2
        exit 1
    fi
done

mkdir -p "$out"
: >"$out/images.tsv"
work=$(mktemp -d "${TMPDIR:-/tmp}/dd-tiny-work.XXXXXX")
trap 'rm -rf "$work"' EXIT
export LC_ALL=C
umask 022

# tick LABEL: append "LABEL\t<seconds since the previous tick>" to OUTDIR/timings.tsv
# ($EPOCHREALTIME is a bash builtin: no process per measurement)
t_last=$EPOCHREALTIME
: >"$out/timings.tsv"
tick() {
    local now=$EPOCHREALTIME
    awk -v a="$t_last" -v b="$now" -v l="$1" 'BEGIN { printf "%s\t%.3f\n", l, b - a }' \
        >>"$out/timings.tsv"
    t_last=$now
}

MT_DOCKER_MANIFEST=application/vnd.docker.distribution.manifest.v2+json
MT_DOCKER_CONFIG=application/vnd.docker.container.image.v1+json
MT_DOCKER_GZIP=application/vnd.docker.image.rootfs.diff.tar.gzip
MT_OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
MT_OCI_INDEX=application/vnd.oci.image.index.v1+json
MT_OCI_CONFIG=application/vnd.oci.image.config.v1+json
MT_OCI_TAR=application/vnd.oci.image.layer.v1.tar
MT_OCI_GZIP=application/vnd.oci.image.layer.v1.tar+gzip
MT_OCI_ZSTD=application/vnd.oci.image.layer.v1.tar+zstd

# --- hostile blobs (cached) -----------------------------------------------------------------
hkey=$(sha256sum "$here/hostile.py" | cut -c1-16)
hdir=${XDG_CACHE_HOME:-$HOME/.cache}/drydock/tiny-hostile-$hkey
if [ ! -f "$hdir/done" ]; then
    # a private part dir, renamed into place: tests running in parallel (ctest -j) may race
    # here, and whichever rename loses just drops its own copy
    mkdir -p "$(dirname "$hdir")"
    part=$(mktemp -d "$hdir.part.XXXXXX")
    python3 "$here/hostile.py" "$part"
    if [ -f "$hdir/done" ] || ! mv -T "$part" "$hdir" 2>/dev/null; then
        rm -rf "$part"
    fi
    # drop blobs made by older versions of hostile.py
    for d in "${hdir%-*}"-????????????????; do
        [ "$d" = "$hdir" ] || [ ! -f "$d/done" ] || rm -rf "$d"
    done
fi
tick hostile-blobs

# --- helpers ----------------------------------------------------------------------------------

# put ROOT/PATH < content
put() {
    mkdir -p "$(dirname "$1")"
    cat >"$1"
}

# layer KIND ROOTDIR: tar ROOTDIR and compress it; sets L_BLOB, L_DIFFID, L_MT
#   KIND: gz (docker gzip), ogz (OCI gzip), zst (OCI zstd), tar (OCI uncompressed, "./" names)
layer() {
    local kind=$1 dir=$2 t=$work/layer.$RANDOM$RANDOM
    if [ "$kind" = tar ]; then
        dd_tar_dir_dot "$dir" "$t.tar"
    else
        dd_tar_dir "$dir" "$t.tar"
    fi
    L_DIFFID=$(dd_sha256 "$t.tar")
    case $kind in
    gz | ogz)
        gzip -n -6 -c "$t.tar" >"$t.blob"
        if [ "$kind" = gz ]; then L_MT=$MT_DOCKER_GZIP; else L_MT=$MT_OCI_GZIP; fi
        ;;
    zst)
        zstd -q -3 --no-progress -c "$t.tar" >"$t.blob"
        L_MT=$MT_OCI_ZSTD
        ;;
    tar)
        cp "$t.tar" "$t.blob"
        L_MT=$MT_OCI_TAR
        ;;
    esac
    L_BLOB=$t.blob
}

# image NAME REF FORMAT ARCH VARIANT BLOB:DIFFID:MT...
#   FORMAT docker | oci; ARCH amd64|arm64|...; VARIANT "" or v8
#   Sets IMG_DIGEST, IMG_SIZE, IMG_MT; REF "" pushes by digest only.
image() {
    local name=$1 ref=$2 format=$3 arch=$4 variant=$5
    shift 5
    local spec blob diffid mt digest i=0 cfg_mt lf=$out/${name//\//_}.$arch.layers
    : >"$lf"
    : >"$work/layers.tsv"
    for spec in "$@"; do
        blob=${spec%%|*}
        spec=${spec#*|}
        diffid=${spec%%|*}
        mt=${spec#*|}
        digest=$(dd_push_blob "$reg" "$name" "$blob")
        printf '%s\t%s\t%s\t%s\n' "$mt" "$(dd_size "$blob")" "$digest" "$diffid" \
            >>"$work/layers.tsv"
        printf '%d\t%s\t%s\n' "$i" "$digest" "$diffid" >>"$lf"
        i=$((i + 1))
    done
    # one jq per JSON document: this script's run time is mostly process start-up
    jq -cRn --arg a "$arch" --arg v "$variant" --arg n "$name" '
        [inputs | split("\t")] as $l |
        {architecture: $a, os: "linux"} + (if $v == "" then {} else {variant: $v} end) + {
         created: "1970-01-01T00:00:00Z",
         config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                  Cmd: ["/bin/sh"]},
         rootfs: {type: "layers", diff_ids: [$l[][3]]},
         history: [range($l | length) | {created: "1970-01-01T00:00:00Z",
                                         created_by: "tiny.sh: \($n) layer \(.)"}]}' \
        <"$work/layers.tsv" >"$work/config.json"
    if [ "$format" = docker ]; then
        cfg_mt=$MT_DOCKER_CONFIG
        IMG_MT=$MT_DOCKER_MANIFEST
    else
        cfg_mt=$MT_OCI_CONFIG
        IMG_MT=$MT_OCI_MANIFEST
    fi
    digest=$(dd_push_blob "$reg" "$name" "$work/config.json")
    # skopeo writes OCI manifests without a top-level mediaType: so do we
    jq -cRn --arg mt "$IMG_MT" --arg f "$format" --arg cmt "$cfg_mt" --arg d "$digest" \
        --argjson s "$(dd_size "$work/config.json")" '
        [inputs | split("\t")] as $l |
        {schemaVersion: 2} + (if $f == "docker" then {mediaType: $mt} else {} end) +
        {config: {mediaType: $cmt, size: $s, digest: $d},
         layers: [$l[] | {mediaType: .[0], size: (.[1] | tonumber), digest: .[2]}]}' \
        <"$work/layers.tsv" >"$work/manifest.json"
    IMG_SIZE=$(dd_size "$work/manifest.json")
    IMG_DIGEST=$(dd_sha256 "$work/manifest.json")
    dd_push_manifest "$reg" "$name" "${ref:-$IMG_DIGEST}" "$work/manifest.json" "$IMG_MT" \
        >/dev/null
    if [ -n "$ref" ]; then
        printf '%s:%s\t%s\t%s\n' "$name" "$ref" "$IMG_DIGEST" "$IMG_MT" >>"$out/images.tsv"
    fi
}

hostile() { # hostile NAME MT -> "blob|diffid|mt"
    printf '%s|%s|%s' "$hdir/$1.blob" "$(cat "$hdir/$1.diffid")" "$2"
}

# --- shared content ---------------------------------------------------------------------------
DEBIAN12_OS_RELEASE='PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"'

# dpkg stanzas, as dpkg writes them (continuation lines, Conffiles, blank line after each)
st_libc6() { # st_libc6 VERSION ARCH
    cat <<EOF
Package: libc6
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 12983
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: $2
Multi-Arch: same
Source: glibc
Version: $1
Replaces: libc6-amd64
Depends: libgcc-s1
Recommends: libidn2-0 (>= 2.0.5~)
Suggests: glibc-doc, debconf | debconf-2.0, libc-l10n, locales, libnss-nis, libnss-nisplus
Breaks: aide (<< 0.17.3-4+b3), busybox (<< 1.30.1-6), chrony (<< 4.2-3~), fakechroot (<< 2.19-3.5), valgrind (<< 1:3.19.0-1~)
Conffiles:
 /etc/ld.so.conf.d/x86_64-linux-gnu.conf d4e7a7b88a71b5ffd9e2644e71a0cfab
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system. This package includes shared versions of the standard C library
 and the standard math library, as well as many others.
Homepage: https://www.gnu.org/software/libc/libc.html

EOF
}

ST_BSDUTILS='Package: bsdutils
Essential: yes
Status: install ok installed
Priority: required
Section: utils
Installed-Size: 335
Maintainer: util-linux packagers <util-linux@packages.debian.org>
Architecture: amd64
Multi-Arch: foreign
Source: util-linux (2.38.1-5)
Version: 1:2.38.1-5+b1
Pre-Depends: libc6 (>= 2.34), libsystemd0
Recommends: bsdextrautils
Description: basic utilities from 4.4BSD-Lite
 This package contains the bare minimum of BSD utilities needed for a
 Debian system: logger, renice, script, scriptlive, scriptreplay and wall.
 The remaining standard BSD utilities are provided by bsdextrautils.
Homepage: https://www.kernel.org/pub/linux/utils/util-linux/
'

ST_TZDATA='Package: tzdata
Status: install ok installed
Priority: required
Section: localization
Installed-Size: 2395
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: all
Multi-Arch: foreign
Version: 2024a-0+deb12u1
Provides: tzdata-bookworm
Depends: debconf (>= 0.5) | debconf-2.0
Description: time zone and daylight-saving time data
 This package contains data required for the implementation of
 standard local time for many representative locations around the globe.
Homepage: https://www.iana.org/time-zones
'

# removed but not purged: dpkg keeps the stanza; it is not installed and must not be reported
ST_EXIM4_CONFIG='Package: exim4-config
Status: deinstall ok config-files
Priority: standard
Section: mail
Installed-Size: 1637
Maintainer: Exim4 Maintainers <pkg-exim4-maintainers@lists.alioth.debian.org>
Architecture: all
Source: exim4
Version: 4.96-15+deb12u4
Conffiles:
 /etc/exim4/conf.d/acl/00_exim4-config_header 5d2a0c9bd05b7d4d5b23f6e41f6b5bf5
Description: configuration for the Exim MTA (v4)
 Exim (v4) is a mail transport agent. This package contains the configuration
 files for the exim4 package.
'

# held ("hold ok installed") is still installed
ST_ZLIB1G='Package: zlib1g
Status: hold ok installed
Priority: optional
Section: libs
Installed-Size: 168
Maintainer: Mark Brown <broonie@debian.org>
Architecture: amd64
Multi-Arch: same
Source: zlib
Version: 1:1.2.13.dfsg-1
Provides: libz1
Depends: libc6 (>= 2.14)
Breaks: libxml2 (<< 2.7.6.dfsg-2), texlive-binaries (<< 2009-12)
Conflicts: zlib1 (<= 1:1.0.4-7)
Description: compression library - runtime
 zlib is a library implementing the deflate compression method found
 in gzip and PKZIP.  This package includes the shared library.
Homepage: http://zlib.net/
'

# distroless-style status.d/<name> files
sd() { # sd NAME VERSION
    cat <<EOF
Package: $1
Status: install ok installed
Priority: required
Section: misc
Installed-Size: 100
Maintainer: Debian Maintainers <debian-devel@lists.debian.org>
Architecture: amd64
Version: $2
Description: $1 (distroless status.d entry)
EOF
}

# --- a. tiny/multi:1 --------------------------------------------------------------------------
r=$work/multi1
put "$r/etc/os-release" <<<"$DEBIAN12_OS_RELEASE"
{
    st_libc6 2.36-9+deb12u3 amd64
    printf '%s\n' "$ST_BSDUTILS" "$ST_TZDATA" "$ST_EXIM4_CONFIG"
} | put "$r/var/lib/dpkg/status"
sd base-files 12.4+deb12u5 | put "$r/var/lib/dpkg/status.d/base-files"
sd netbase 6.4 | put "$r/var/lib/dpkg/status.d/netbase"
layer gz "$r"
multi1="$L_BLOB|$L_DIFFID|$L_MT"

r=$work/multi2 # libc6 upgraded, zlib1g added, tzdata removed; status.d replaced (opaque)
{
    st_libc6 2.36-9+deb12u4 amd64
    printf '%s\n' "$ST_BSDUTILS" "$ST_ZLIB1G" "$ST_EXIM4_CONFIG"
} | put "$r/var/lib/dpkg/status"
put "$r/var/lib/dpkg/status.d/.wh..wh..opq" </dev/null
sd mawk 1.3.4.20200120-3.1 | put "$r/var/lib/dpkg/status.d/mawk"
sd sed 4.9-1 | put "$r/var/lib/dpkg/status.d/sed"
layer gz "$r"
multi2="$L_BLOB|$L_DIFFID|$L_MT"

r=$work/multi3 # sed whited out
put "$r/var/lib/dpkg/status.d/.wh.sed" </dev/null
put "$r/etc/motd" <<<"tiny/multi layer 2"
layer gz "$r"
multi3="$L_BLOB|$L_DIFFID|$L_MT"
image tiny/multi 1 docker amd64 "" "$multi1" "$multi2" "$multi3"
tick tiny/multi:1

# --- b. tiny/oci:1 (Alpine, zstd) ---------------------------------------------------------------
r=$work/oci
put "$r/etc/os-release" <<'EOF'
NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.18.4
PRETTY_NAME="Alpine Linux v3.18"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
EOF
put "$r/etc/alpine-release" <<<"3.18.4"
put "$r/lib/apk/db/installed" <<'EOF'
C:Q1Ek2eM0mlH5kXQmFvUhhnIMm2FQ4=
P:musl
V:1.2.4-r2
A:x86_64
S:383152
I:622592
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teräs <timo.teras@iki.fi>
t:1695134014
c:f93af038c3de7146121c2ea8124ba5ce29b4b058
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1Y+5Ksgf6fMCdmGbFtZ2qiyrvQ3o=
R:libc.musl-x86_64.so.1
a:0:0:777
Z:Q17yJ3JFNypA4mxhJJr0ou6CzsJVI=

C:Q1Hvh5K7jQT9J7D3zOtvWUi+qEKno=
P:busybox
V:1.36.1-r5
A:x86_64
S:509668
I:958464
T:Size optimized toolbox of many common UNIX utilities
U:https://busybox.net/
L:GPL-2.0-only
o:busybox
m:Sören Tempel <soeren+alpine@soeren-tempel.net>
t:1695637322
c:7a8ee57e26ea4a2eb0c8eb83f7f0bed2c20b0fa0
D:so:libc.musl-x86_64.so.1
p:/bin/sh cmd:busybox=1.36.1-r5 cmd:sh=1.36.1-r5
r:busybox-initscripts
F:bin
R:busybox
a:0:0:755
Z:Q1WFdmV9JQf2X8dQ4kA2mOMVZ8Xzw=
F:etc
R:securetty
Z:Q1mB95Hq2NUTZ599RDiSsj9w5FrOU=
R:udhcpd.conf
Z:Q1EgLFjj67ou3eMqp4m3r2ZjnQ7QU=

C:Q1qfeA9EWEeXXf3ms2k5W4tYmlXpo=
P:libcrypto3
V:3.1.3-r0
A:x86_64
S:1710092
I:4395008
T:Crypto library from openssl
U:https://www.openssl.org/
L:Apache-2.0
o:openssl
m:Ariadne Conill <ariadne@dereferenced.org>
t:1695056296
c:0d9a3c2bbb3bd5ed4ae4d07c5a2b6e9d88e53e0c
D:so:libc.musl-x86_64.so.1
p:so:libcrypto.so.3=3
F:lib
R:libcrypto.so.3
a:0:0:755
Z:Q1k4QJ8ZGjbUTIKdtyuBDgB3Nn6kY=

C:Q1eVpkfyRM8XPDMlDLhLPnYsZvpHs=
P:ssl_client
V:1.36.1-r5
A:x86_64
S:4807
I:14336
T:EXternal ssl_client for busybox wget
U:https://busybox.net/
L:GPL-2.0-only
o:busybox
m:Sören Tempel <soeren+alpine@soeren-tempel.net>
t:1695637322
c:7a8ee57e26ea4a2eb0c8eb83f7f0bed2c20b0fa0
D:so:libc.musl-x86_64.so.1 so:libcrypto.so.3 so:libssl.so.3
F:usr
F:usr/bin
R:ssl_client
a:0:0:755
Z:Q1yS7ArVN1L2AUdhPb2p2ffhTjl3c=

EOF
layer zst "$r"
image tiny/oci 1 oci amd64 "" "$L_BLOB|$L_DIFFID|$L_MT"
tick tiny/oci:1

# --- c. tiny/index:1 ----------------------------------------------------------------------------
r=$work/idx-amd64
put "$r/etc/os-release" <<<"$DEBIAN12_OS_RELEASE"
st_libc6 2.36-9+deb12u4 amd64 | put "$r/var/lib/dpkg/status"
layer ogz "$r"
image tiny/index "" oci amd64 "" "$L_BLOB|$L_DIFFID|$L_MT"
amd64_digest=$IMG_DIGEST amd64_size=$IMG_SIZE

r=$work/idx-arm64
put "$r/etc/os-release" <<<"$DEBIAN12_OS_RELEASE"
st_libc6 2.36-9+deb12u3 arm64 | put "$r/var/lib/dpkg/status"
layer ogz "$r"
image tiny/index "" oci arm64 v8 "$L_BLOB|$L_DIFFID|$L_MT"
arm64_digest=$IMG_DIGEST arm64_size=$IMG_SIZE

# buildkit-style attestation manifest: in-toto layer, platform unknown/unknown in the index
jq -cn '{_type: "https://in-toto.io/Statement/v0.1",
         predicateType: "https://spdx.dev/Document",
         subject: [{name: "tiny/index", digest: {sha256: "0"}}],
         predicate: {spdxVersion: "SPDX-2.3", name: "tiny"}}' >"$work/intoto.json"
att_layer=$(dd_push_blob "$reg" tiny/index "$work/intoto.json")
att_diff=$att_layer
jq -cn --arg d "$att_diff" '{architecture: "unknown", os: "unknown", config: {},
    rootfs: {type: "layers", diff_ids: [$d]}}' >"$work/att-config.json"
att_cfg=$(dd_push_blob "$reg" tiny/index "$work/att-config.json")
jq -cn --arg mt "$MT_OCI_MANIFEST" --arg cmt "$MT_OCI_CONFIG" --arg c "$att_cfg" \
    --argjson cs "$(dd_size "$work/att-config.json")" --arg l "$att_layer" \
    --argjson ls "$(dd_size "$work/intoto.json")" \
    '{schemaVersion: 2, mediaType: $mt, config: {mediaType: $cmt, digest: $c, size: $cs},
      layers: [{mediaType: "application/vnd.in-toto+json", digest: $l, size: $ls,
                annotations: {"in-toto.io/predicate-type": "https://spdx.dev/Document"}}]}' \
    >"$work/att.json"
att_digest=$(dd_push_manifest "$reg" tiny/index "$(dd_sha256 "$work/att.json")" \
    "$work/att.json" "$MT_OCI_MANIFEST")
jq -cn --arg mt "$MT_OCI_MANIFEST" --arg imt "$MT_OCI_INDEX" \
    --arg a "$amd64_digest" --argjson asz "$amd64_size" \
    --arg b "$arm64_digest" --argjson bsz "$arm64_size" \
    --arg t "$att_digest" --argjson tsz "$(dd_size "$work/att.json")" '
    {schemaVersion: 2, mediaType: $imt, manifests: [
      {mediaType: $mt, digest: $b, size: $bsz,
       platform: {architecture: "arm64", os: "linux", variant: "v8"}},
      {mediaType: $mt, digest: $a, size: $asz, platform: {architecture: "amd64", os: "linux"}},
      {mediaType: $mt, digest: $t, size: $tsz, platform: {architecture: "unknown", os: "unknown"},
       annotations: {"vnd.docker.reference.digest": $a,
                     "vnd.docker.reference.type": "attestation-manifest"}}]}' >"$work/index.json"
idx_digest=$(dd_push_manifest "$reg" tiny/index 1 "$work/index.json" "$MT_OCI_INDEX")
{
    printf 'tiny/index:1\t%s\t%s\n' "$idx_digest" "$MT_OCI_INDEX"
    printf 'tiny/index:1@amd64\t%s\t%s\n' "$amd64_digest" "$MT_OCI_MANIFEST"
    printf 'tiny/index:1@arm64\t%s\t%s\n' "$arm64_digest" "$MT_OCI_MANIFEST"
} >>"$out/images.tsv"
tick tiny/index:1

# --- d. tiny/uncompressed:1 ----------------------------------------------------------------------
r=$work/uncompressed
put "$r/etc/os-release" <<<"$DEBIAN12_OS_RELEASE"
printf '%s\n' "$ST_TZDATA" "$ST_BSDUTILS" | put "$r/var/lib/dpkg/status"
layer tar "$r"
image tiny/uncompressed 1 oci amd64 "" "$L_BLOB|$L_DIFFID|$L_MT"
tick tiny/uncompressed:1

# --- e. tiny/symlink:1 ----------------------------------------------------------------------------
r=$work/symlink
put "$r/usr/lib/os-release" <<<"$DEBIAN12_OS_RELEASE"
mkdir -p "$r/etc" "$r/var/lib/dpkg"
ln -s ../usr/lib/os-release "$r/etc/os-release"
# sorted order puts usr/ before var/: usr/share/dpkg-backup/status is stored as the regular file
# and var/lib/dpkg/status as a hard link (typeflag '1', no data) to it
printf '%s\n' "$ST_ZLIB1G" "$ST_TZDATA" | put "$r/usr/share/dpkg-backup/status"
ln "$r/usr/share/dpkg-backup/status" "$r/var/lib/dpkg/status"
ln -s b "$r/a"
ln -s a "$r/b"
layer ogz "$r"
image tiny/symlink 1 oci amd64 "" "$L_BLOB|$L_DIFFID|$L_MT"
tick tiny/symlink:1

# --- f. hostile images ------------------------------------------------------------------------------
image tiny/traversal 1 oci amd64 "" "$(hostile traversal "$MT_OCI_GZIP")"
tick tiny/traversal:1
image tiny/bomb 1 oci amd64 "" "$(hostile bomb "$MT_OCI_GZIP")"
tick tiny/bomb:1
image tiny/bigstatus 1 oci amd64 "" "$(hostile bigstatus "$MT_OCI_GZIP")"
tick tiny/bigstatus:1
image tiny/truncated 1 oci amd64 "" "$(hostile truncated "$MT_OCI_GZIP")"
tick tiny/truncated:1
image tiny/manyentries 1 oci amd64 "" "$(hostile manyentries "$MT_OCI_GZIP")"
tick tiny/manyentries:1
image tiny/umoci-broken 1 oci amd64 "" "$(hostile umocibroken "$MT_OCI_GZIP")"
tick tiny/umoci-broken:1

# a Helm chart: valid OCI artifact, not a container image
r=$work/chart
put "$r/tiny/Chart.yaml" <<'EOF'
apiVersion: v2
name: tiny
version: 0.1.0
description: not a container image
EOF
dd_tar_dir "$r" "$work/chart.tar"
gzip -n -c "$work/chart.tar" >"$work/chart.tgz"
jq -cn '{name: "tiny", version: "0.1.0", apiVersion: "v2",
         description: "not a container image"}' >"$work/chart-config.json"
c_cfg=$(dd_push_blob "$reg" tiny/notimage "$work/chart-config.json")
c_lay=$(dd_push_blob "$reg" tiny/notimage "$work/chart.tgz")
jq -cn --arg mt "$MT_OCI_MANIFEST" --arg c "$c_cfg" --argjson cs "$(dd_size "$work/chart-config.json")" \
    --arg l "$c_lay" --argjson ls "$(dd_size "$work/chart.tgz")" \
    '{schemaVersion: 2, mediaType: $mt,
      config: {mediaType: "application/vnd.cncf.helm.config.v1+json", digest: $c, size: $cs},
      layers: [{mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
                digest: $l, size: $ls}]}' >"$work/chart.json"
c_digest=$(dd_push_manifest "$reg" tiny/notimage 1 "$work/chart.json" "$MT_OCI_MANIFEST")
printf 'tiny/notimage:1\t%s\t%s\n' "$c_digest" "$MT_OCI_MANIFEST" >>"$out/images.tsv"
tick tiny/notimage:1

cat "$out/images.tsv"
awk -F'\t' '{ t += $2; printf "tiny.sh: %-20s %.2f s\n", $1, $2 } END { printf "tiny.sh: %-20s %.2f s\n", "total", t }' \
    "$out/timings.tsv" >&2
echo "outdir=$out"
