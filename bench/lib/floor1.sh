#!/bin/bash
# floor1.sh KIND URL - one floor pipeline over one layer blob (used by floors.sh via xargs).
#   curl    download only                 curl | gzip -dc    zlib inflate
#   igzip   ISA-L inflate (the floor)     bsdtar             zlib inflate + tar walk
# Exits non-zero if any stage of the pipe fails, so hyperfine never times a broken pipe.
set -o pipefail
kind=$1
url=$2
case $kind in
curl) curl -sf "$url" -o /dev/null ;;
gzip) curl -sf "$url" | gzip -dc >/dev/null ;;
igzip) curl -sf "$url" | igzip -dc >/dev/null ;;
bsdtar) curl -sf "$url" | gzip -dc | bsdtar -tf - >/dev/null ;;
*)
    echo "floor1.sh: unknown kind $kind" >&2
    exit 2
    ;;
esac
