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
