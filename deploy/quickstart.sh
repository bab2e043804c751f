#!/usr/bin/env bash
# quickstart.sh - from a fresh Debian 12 machine to a real scan: install dependencies, build
# drydock (release), start a CNCF registry on 127.0.0.1, build sample images on the spot (a
# real Debian 12 minbase image made with mmdebstrap, plus small hand-made ones), and
# inventory the Debian image.
#
# Usage: deploy/quickstart.sh [--keep]   --keep leaves the registry running and says where
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
keep=0
[ "${1:-}" = --keep ] && keep=1

deploy/install-deps.sh
echo "== building drydock (release)"
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target drydock >/dev/null
DRYDOCK=$root/build/release/drydock

export DD_SOURCE_DIR=$root
# shellcheck source=../tests/lib/services.sh
. tests/lib/services.sh
trap dd_run_cleanups EXIT
dd_start_registry
echo "== registry on $DD_REGISTRY (storage $DD_REGISTRY_DIR)"

work=$(mktemp -d "${TMPDIR:-/tmp}/drydock-quickstart.XXXXXX")
echo "== building sample images (the Debian rootfs is cached after the first run)"
bash tests/images/tiny.sh "$DD_REGISTRY" "$work/tiny" >"$work/tiny.log" 2>&1
bash tests/images/debian.sh "$DD_REGISTRY" "$work/debian" >"$work/debian.log" 2>&1

echo "== drydock sbom $DD_REGISTRY/debian/bookworm:12"
"$DRYDOCK" sbom --format table "$DD_REGISTRY/debian/bookworm:12"
echo
echo "CycloneDX: $DRYDOCK sbom $DD_REGISTRY/debian/bookworm:12"
echo "JSON:      $DRYDOCK sbom --format json $DD_REGISTRY/debian/bookworm:12"
echo "Other sample images: $(cut -f1 "$work/tiny/images.tsv" 2>/dev/null | tr '\n' ' ')"
if [ $keep -eq 1 ]; then
    trap - EXIT
    echo "registry left running on $DD_REGISTRY (pid $DD_REGISTRY_PID); stop it with: kill $DD_REGISTRY_PID"
fi
rm -rf "$work"
