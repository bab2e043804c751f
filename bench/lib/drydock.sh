# drydock.sh - find (or build) the drydock binary and time `drydock sbom`.
#
#   bench_drydock_find    sets BENCH_DRYDOCK or returns 1. Order: $DRYDOCK,
#                         $BENCH_REPO/build/release/drydock, $BENCH_REPO/build/bench/drydock.
#   bench_drydock_build   cmake -B build/bench (RelWithDebInfo, like the release preset) and
#                         build only the drydock target, -j2. Own build dir: never touches the
#                         lead's build/release.
#   bench_drydock KEY REF RUNS WARMUP [ENV=VALUE]
#       hyperfine entry drydock-KEY[-t1], RSS of one run; the JSON output of that run is kept
#       in rss/drydock-KEY.out for the inventory comparison. Every run is cold: drydock keeps
#       no cache between processes.

bench_drydock_find() {
    local c
    for c in "${DRYDOCK:-}" "$BENCH_REPO/build/release/drydock" "$BENCH_REPO/build/bench/drydock"; do
        if [ -n "$c" ] && [ -x "$c" ]; then
            BENCH_DRYDOCK=$c
            return 0
        fi
    done
    return 1
}

bench_drydock_build() {
    bench_log "building drydock in $BENCH_REPO/build/bench"
    cmake -S "$BENCH_REPO" -B "$BENCH_REPO/build/bench" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        >"$BENCH_WORK/build.log" 2>&1 &&
        cmake --build "$BENCH_REPO/build/bench" -j2 --target drydock >>"$BENCH_WORK/build.log" 2>&1 ||
        {
            tail -20 "$BENCH_WORK/build.log" >&2
            return 1
        }
    BENCH_DRYDOCK=$BENCH_REPO/build/bench/drydock
}

# bench_walk_layer_find - sets BENCH_WALK_LAYER (bench/tools/walk_layer.c) or returns 1;
# with BUILD=1 builds it in build/bench when it is nowhere.
bench_walk_layer_find() {
    local c
    for c in "${WALK_LAYER:-}" "$(dirname "${BENCH_DRYDOCK:-/nonexistent/x}")/walk_layer" \
        "$BENCH_REPO/build/release/walk_layer" "$BENCH_REPO/build/bench/walk_layer"; do
        if [ -n "$c" ] && [ -x "$c" ]; then
            BENCH_WALK_LAYER=$c
            return 0
        fi
    done
    [ "${1:-0}" = 1 ] && [ -f "$BENCH_REPO/bench/tools/walk_layer.c" ] || return 1
    bench_log "building walk_layer in $BENCH_REPO/build/bench"
    cmake -S "$BENCH_REPO" -B "$BENCH_REPO/build/bench" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        >"$BENCH_WORK/build-walk.log" 2>&1 &&
        cmake --build "$BENCH_REPO/build/bench" -j2 --target walk_layer \
            >>"$BENCH_WORK/build-walk.log" 2>&1 || return 1
    BENCH_WALK_LAYER=$BENCH_REPO/build/bench/walk_layer
}

# Does this drydock honour DRYDOCK_THREADS? (it must say so in --help)
bench_drydock_has_threads() {
    "$BENCH_DRYDOCK" --help 2>&1 | grep -q DRYDOCK_THREADS ||
        "$BENCH_DRYDOCK" sbom --help 2>&1 | grep -q DRYDOCK_THREADS
}

bench_drydock_cmd() {
    printf '%s sbom --format json %s' "$BENCH_DRYDOCK" "$1"
}

bench_drydock() {
    local key=$1 ref=$2 runs=$3 warmup=$4 envset=${5:-} name=drydock-$1
    [ -n "$envset" ] && name=$name-t1
    bench_rss_mb "$name" "$envset $(bench_drydock_cmd "$ref")" >/dev/null || {
        bench_log "drydock failed on $key: $(tail -3 "$BENCH_RUN_DIR/rss/$name.err" | tr '\n' ' ')"
        return 1
    }
    if ! jq -e . "$BENCH_RUN_DIR/rss/$name.out" >/dev/null 2>&1; then
        bench_log "drydock output on $key is not JSON (see rss/$name.out)"
    fi
    bench_hyperfine "$name" "$runs" "$warmup" -- "$envset $(bench_drydock_cmd "$ref") > /dev/null" ||
        bench_log "drydock hyperfine on $key failed"
}
