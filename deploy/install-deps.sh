#!/usr/bin/env bash
# install-deps.sh - install everything drydock needs to build, test and benchmark, from
# Debian 12's packages only. Safe to run again: it installs only what is missing.
#
# Usage: deploy/install-deps.sh [--runtime]   (--runtime: only what the binaries need)
set -euo pipefail

BUILD=(build-essential cmake pkg-config clang clang-format libclang-rt-14-dev
    libhiredis-dev libuv1-dev libcurl4-openssl-dev libjansson-dev libarchive-dev
    libprotobuf-c-dev protobuf-c-compiler libcmocka-dev libisal-dev libzstd-dev
    libsqlite3-dev libssl-dev libpcre2-dev libmicrohttpd-dev)
RUNTIME=(docker-registry redis-server skopeo umoci mmdebstrap isal curl jq ca-certificates
    python3 xz-utils zstd pigz libarchive-tools time zip unzip binutils)
ORACLES=(python3-apt python3-packaging rpm golang-go golang-golang-x-mod-dev ruby
    openjdk-17-jdk-headless maven php-cli php-composer-semver nodejs npm db5.3-util sqlite3)

want=("${RUNTIME[@]}")
if [ "${1:-}" != --runtime ]; then
    want+=("${BUILD[@]}" "${ORACLES[@]}")
fi

missing=()
for p in "${want[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
# The machine image may ship node/npm outside Debian's packages: accept those.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    tmp=()
    for p in "${missing[@]}"; do
        case $p in nodejs | npm) ;; *) tmp+=("$p") ;; esac
    done
    missing=("${tmp[@]+"${tmp[@]}"}")
fi
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: everything is installed"
    exit 0
fi
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
