#!/bin/bash
# bench_advdb.sh - the advisory DB on the osv-bench set (~21k real OSV records: AlmaLinux,
# Bitnami, Go, PyPI, crates.io): build time, file size, open time, lookup time for 1,000
# real package names (every fifth one turned into a miss), and, for the format decision in
# docs/advdb.md, the same lookups against an SQLite index and the cost of re-parsing JSON.
#
#   bench/bench_advdb.sh [--data DIR] [--build-dir DIR] [--runs N] [--build]
#
# Needs a Release build of drydock and bench/tools/advdb_probe (--build makes one in
# build/bench-advdb). Prints a markdown table; raw output stays in bench/.work/advdb-<date>/.
# Targets (issue 3): open <= 50 ms, 1,000 lookups <= 5 ms with >= 20k advisories.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
DATA=$REPO/../shared/data/osv-bench
BUILD_DIR=${BUILD_DIR:-}
RUNS=21
DO_BUILD=0
while [ $# -gt 0 ]; do
    case $1 in
    --data) DATA=$2; shift 2 ;;
    --build-dir) BUILD_DIR=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --build) DO_BUILD=1; shift ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "bench_advdb: unknown option $1" >&2; exit 2 ;;
    esac
done

if [ -z "$BUILD_DIR" ]; then
    for d in "$REPO/build/release" "$REPO/build/bench-advdb" "$REPO/build/advdb-rel"; do
        if [ -x "$d/drydock" ] && [ -x "$d/advdb_probe" ]; then BUILD_DIR=$d; break; fi
    done
fi
if [ -z "$BUILD_DIR" ] || [ ! -x "$BUILD_DIR/advdb_probe" ]; then
    if [ $DO_BUILD = 0 ]; then
        echo "bench_advdb: no Release build with drydock and advdb_probe; pass --build" >&2
        exit 1
    fi
    BUILD_DIR=$REPO/build/bench-advdb
    cmake -S "$REPO" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$BUILD_DIR" -j2 --target drydock advdb_probe >/dev/null
fi
ZIPS=()
for e in AlmaLinux Bitnami Go PyPI crates.io; do
    [ -f "$DATA/$e/all.zip" ] || { echo "bench_advdb: $DATA/$e/all.zip missing" >&2; exit 1; }
    ZIPS+=(--from "$DATA/$e/all.zip")
done

OUT=$REPO/bench/.work/advdb-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
DB=$OUT/osv-bench.db

# build: median of 3
times=()
for i in 1 2 3; do
    t0=$(date +%s.%N)
    "$BUILD_DIR/drydock" db build "${ZIPS[@]}" --out "$DB" >"$OUT/build.txt" 2>"$OUT/build.err"
    t1=$(date +%s.%N)
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')")
done
BUILD_S=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
SIZE=$(stat -c %s "$DB")
JSON_BYTES=0
for e in AlmaLinux Bitnami Go PyPI crates.io; do
    JSON_BYTES=$((JSON_BYTES + $(unzip -l "$DATA/$e/all.zip" | tail -1 | awk '{print $1}')))
done

# re-parse cost: the Go and PyPI records unpacked
mkdir -p "$OUT/json"
for e in Go PyPI; do unzip -qo "$DATA/$e/all.zip" -d "$OUT/json/$e"; done
"$BUILD_DIR/advdb_probe" "$DB" --runs "$RUNS" --sqlite "$OUT/compare.sqlite" \
    --parse-dir "$OUT/json" >"$OUT/probe.txt"
rm -rf "$OUT/json"
# OS packages too: 1,000 AlmaLinux 9 rpm names at version 0.1-1.el9 (every record hits)
"$BUILD_DIR/advdb_probe" "$DB" --runs "$RUNS" --match-only --os AlmaLinux:9 >"$OUT/probe-os.txt"
OS_MATCH=$(sed -n 's/.*match_ms=\([^ ]*\).*/\1/p' "$OUT/probe-os.txt")
OS_FINDINGS=$(sed -n 's/.*findings=\([0-9]*\).*/\1/p' "$OUT/probe-os.txt")
get() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" "$OUT/probe.txt" | head -1; }
RECORDS=$(sed -n 's/^built .*: \([0-9]*\) records.*/\1/p' "$OUT/build.txt")
SQLITE_SIZE=$(stat -c %s "$OUT/compare.sqlite")

{
    echo "| advisory DB (osv-bench: $RECORDS records, $(get indexed_names) indexed names) | value | target |"
    echo "|---|---|---|"
    echo "| JSON in the zips | $((JSON_BYTES / 1048576)) MiB | |"
    echo "| DB file size | $((SIZE / 1048576)) MiB ($SIZE bytes) | |"
    echo "| build (5 zips, median of 3) | ${BUILD_S} s | |"
    echo "| open (median of $RUNS) | $(get open_ms) ms | <= 50 ms |"
    echo "| 1,000 lookups (800 real names, 200 misses; median of $RUNS) | $(get lookup_ms) ms, $(get hits) affected entries returned | <= 5 ms |"
    echo "| matching 1,000 language packages (lookup + ranges + alias merge + sort; 800 real names at version 1.0.0, 200 misses; median of $RUNS) | $(get match_ms) ms, $(sed -n 's/.*findings=\([0-9]*\).*/\1/p' "$OUT/probe.txt") findings | <= 5 ms |"
    echo "| matching 1,000 AlmaLinux 9 rpm packages (800 real names at 0.1-1.el9, 200 misses; median of $RUNS) | ${OS_MATCH} ms, ${OS_FINDINGS} findings | <= 5 ms |"
    echo "| same lookups in SQLite (index query + blob fetch, no decoding) | $(get sqlite_query_ms) ms, open $(get sqlite_open_ms) ms, index-only file $((SQLITE_SIZE / 1048576)) MiB | |"
    echo "| osv_parse per record (Go + PyPI JSON) | $(get osv_parse_us_per_record) µs | |"
} | tee "$OUT/table.md"
echo "raw output: $OUT" >&2
