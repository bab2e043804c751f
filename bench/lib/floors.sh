# floors.sh - what it costs just to fetch and decompress an image's layers.
#
#   bench_floors KEY REPO TAG RUNS WARMUP
#
# For every kind in BENCH_FLOOR_KINDS (curl, gzip, igzip, bsdtar; see floor1.sh) one hyperfine
# entry named floor-KEY-KIND-seq: the layers one after another (the sum). Multi-layer images
# also get floor-KEY-KIND-par: all layers through `xargs -P2` (2 cores), the floor for a
# scanner that fetches and walks layers in parallel. Also records the layer count and sizes in
# $BENCH_RUN_DIR/layers-KEY.txt ("digest compressed_bytes").

BENCH_FLOOR_KINDS=${BENCH_FLOOR_KINDS:-curl gzip igzip bsdtar}

bench_floors() {
    local key=$1 repo=$2 tag=$3 runs=$4 warmup=$5 kind n
    bench_need igzip:isal bsdtar:libarchive-tools hyperfine:hyperfine
    bench_registry_layers "$repo" "$tag" >"$BENCH_RUN_DIR/layers-$key.txt" ||
        bench_die "cannot read the manifest of $repo:$tag"
    awk -v r="http://$BENCH_REG/v2/$repo/blobs/" '{ print r $1 }' \
        "$BENCH_RUN_DIR/layers-$key.txt" >"$BENCH_RUN_DIR/urls-$key.txt"
    n=$(wc -l <"$BENCH_RUN_DIR/urls-$key.txt")
    for kind in $BENCH_FLOOR_KINDS; do
        bench_hyperfine "floor-$key-$kind-seq" "$runs" "$warmup" -- \
            "xargs -n1 $BENCH_LIB/floor1.sh $kind < $BENCH_RUN_DIR/urls-$key.txt" ||
            bench_log "floor $key $kind (sequential) failed"
        if [ "$n" -gt 1 ]; then
            bench_hyperfine "floor-$key-$kind-par" "$runs" "$warmup" -- \
                "xargs -P2 -n1 $BENCH_LIB/floor1.sh $kind < $BENCH_RUN_DIR/urls-$key.txt" ||
                bench_log "floor $key $kind (parallel) failed"
        fi
    done
}

# bench_engine_local KEY RUNS WARMUP - the engine alone on the cached layer files (no
# registry, no fetch): `igzip -dc < FILE` against `walk_layer FILE` (bench/tools/walk_layer.c,
# the engine's decoder + tar walker + analyzers), layers one after another. Entries
# local-KEY-igzip and local-KEY-walk. Needs $BENCH_WALK_LAYER.
bench_engine_local() {
    local key=$1 runs=$2 warmup=$3 l files=
    for l in ${BENCH_IMG_LAYERS[$key]}; do
        files+=" $BENCH_CACHE/layers/$l.tar.gz"
    done
    bench_hyperfine "local-$key-igzip" "$runs" "$warmup" -- \
        "for f in$files; do igzip -dc < \$f > /dev/null || exit 1; done" ||
        bench_log "local igzip on $key failed"
    bench_hyperfine "local-$key-walk" "$runs" "$warmup" -- \
        "for f in$files; do $BENCH_WALK_LAYER \$f > /dev/null || exit 1; done" ||
        bench_log "walk_layer on $key failed"
}
