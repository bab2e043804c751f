#!/usr/bin/env bash
# quickstart.sh - from a fresh Debian 12 machine to a real vulnerability scan: install
# dependencies, build drydock (release), start a CNCF registry on 127.0.0.1, build sample
# images on the spot (a real Debian 12 minbase image made with mmdebstrap, an application
# image with real npm/Python/Go/Java/Ruby/PHP/.NET/Rust content, and small hand-made ones),
# build an advisory DB from OSV records, and scan.
#
# Usage: deploy/quickstart.sh [--keep]   --keep leaves the registry running and says where
#
# Advisories: the real OSV records in ../shared/data/osv-fixtures when that directory exists
# (the lab's data), else the suite's own hand-written records in tests/fixtures/scan/osv.
# In production use `drydock db update` (OSV's bulk mirror).
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
dd_cleanup_push rm -rf "$work"
echo "== building sample images (cached under ~/.cache/drydock after the first run)"
bash tests/images/tiny.sh "$DD_REGISTRY" "$work/tiny" >"$work/tiny.log" 2>&1
bash tests/images/debian.sh "$DD_REGISTRY" "$work/debian" >"$work/debian.log" 2>&1
bash tests/images/app.sh "$DD_REGISTRY" "$work/app" >"$work/app.log" 2>&1

osv=$root/../shared/data/osv-fixtures/osv
[ -d "$osv" ] || osv=$root/tests/fixtures/scan/osv
echo "== advisory DB from $osv"
"$DRYDOCK" db build --from "$osv" --out "$work/advisories.db" 2>/dev/null | head -1

echo "== drydock sbom $DD_REGISTRY/debian/bookworm:12"
"$DRYDOCK" sbom -q --format table "$DD_REGISTRY/debian/bookworm:12" | head -12
echo "   ..."
echo
echo "== drydock scan $DD_REGISTRY/app/demo:1"
"$DRYDOCK" scan -q --db "$work/advisories.db" "$DD_REGISTRY/app/demo:1"
echo
echo "Other sample images: $(cut -f1 "$work/tiny/images.tsv" 2>/dev/null | tr '\n' ' ')"
if [ $keep -eq 1 ]; then
    cp "$work/advisories.db" "$root/build/release/quickstart-advisories.db"
    trap - EXIT
    echo "registry left running on $DD_REGISTRY (pid $DD_REGISTRY_PID); stop it with: kill $DD_REGISTRY_PID"
    echo "advisory DB: $root/build/release/quickstart-advisories.db"
fi
