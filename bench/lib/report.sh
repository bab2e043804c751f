# report.sh - the markdown results table (stdout of bench_report).
#
# Figures are hyperfine means (± standard deviation) in seconds, RSS is the peak resident set
# of one separate run (GNU time "Maximum resident set size"). Ratios divide means. For the
# multi-layer images (multi, app) drydock (which fetches and walks layers in parallel) is
# compared with the *parallel* floor (xargs -P2), and drydock with DRYDOCK_THREADS=1 with the
# sequential sum.

bench_pf() { # pass/fail: VALUE LIMIT
    awk -v v="${1:-}" -v l="$2" 'BEGIN {
        if (v == "" || v == "n/a") { print "n/a"; exit }
        print (v + 0 <= l + 0) ? "PASS" : "FAIL" }'
}

bench_img_info() { # KEY -> "layers, compressed MB, tar MB, entries"
    local key=$1 l gz=0 tar=0 ent=0 n=0 info
    for l in ${BENCH_IMG_LAYERS[$key]}; do
        info=$BENCH_CACHE/layers/$l.info
        n=$((n + 1))
        gz=$((gz + $(sed -n 's/.*gz_bytes=\([0-9]*\).*/\1/p' "$info")))
        tar=$((tar + $(sed -n 's/.*tar_bytes=\([0-9]*\).*/\1/p' "$info")))
        ent=$((ent + $(sed -n 's/.*entries=\([0-9]*\).*/\1/p' "$info")))
    done
    awk -v n=$n -v g=$gz -v t=$tar -v e=$ent 'BEGIN {
        printf "| %d | %.1f MB | %.1f MB (%.2f GiB) | %d |", n, g / 1e6, t / 1e6, t / 2^30, e }'
}

bench_rss_or_na() {
    local v
    v=$(bench_rss_get "$1")
    echo "${v:-n/a}"
}

# bench_floor_sfx KEY - "par" when the image has a parallel floor (several layers), else "seq"
bench_floor_sfx() {
    if [ -s "$BENCH_RUN_DIR/hf/floor-$1-igzip-par.json" ]; then echo par; else echo seq; fi
}

bench_s() { # hyperfine entry -> "mean ± sd s" or n/a
    bench_fmt_s "$(bench_hf_mean "$1")" "$(bench_hf_sd "$1")"
}

bench_report() {
    local key floor_sfx dd ig gz tc tw
    echo "# drydock benchmark, $(date '+%Y-%m-%d %H:%M')"
    echo
    echo "- machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 2^20 }' /proc/meminfo);" \
        "load average at start ${BENCH_LOAD_START:-?}, at end $(cut -d' ' -f1-3 /proc/loadavg)" \
        "(the machine is shared: see the ± columns)"
    echo "- drydock: ${BENCH_DRYDOCK_DESC:-${BENCH_DRYDOCK:-not available}}${BENCH_WALK_LAYER:+; walk_layer: $BENCH_WALK_LAYER}"
    echo "- trivy: ${BENCH_TRIVY_DESC:-not run}"
    echo "- registry: docker-registry $(docker-registry --version 2>/dev/null | awk '{print $NF}')" \
        "on 127.0.0.1, filesystem storage; runs: ${BENCH_RUNS} (+1 warm-up), big image" \
        "${BENCH_RUNS_BIG}, trivy ${BENCH_TRIVY_RUNS}"
    echo
    echo "## Images"
    echo
    echo "| image | layers | compressed | uncompressed tar | tar entries |"
    echo "|---|---|---|---|---|"
    for key in $BENCH_IMAGES; do
        echo "| ${BENCH_IMG_REF[$key]} $(bench_img_info "$key")"
    done
    echo
    echo "## Floors (fetch + decompress only), mean ± sd"
    echo
    echo "| image | curl -o /dev/null | curl \\| gzip -dc | curl \\| igzip -dc | curl \\| gzip -dc \\| bsdtar -tf - |"
    echo "|---|---|---|---|---|"
    for key in $BENCH_IMAGES; do
        for floor_sfx in seq par; do
            [ -s "$BENCH_RUN_DIR/hf/floor-$key-igzip-$floor_sfx.json" ] ||
                [ -s "$BENCH_RUN_DIR/hf/floor-$key-gzip-$floor_sfx.json" ] || continue
            local label=$key
            [ -s "$BENCH_RUN_DIR/hf/floor-$key-igzip-par.json" ] && [ $floor_sfx = seq ] &&
                label="$key, layers one after another (sum)"
            [ $floor_sfx = par ] && label="$key, layers in parallel (xargs -P2)"
            echo "| $label | $(bench_s "floor-$key-curl-$floor_sfx") |" \
                "$(bench_s "floor-$key-gzip-$floor_sfx") | $(bench_s "floor-$key-igzip-$floor_sfx") |" \
                "$(bench_s "floor-$key-bsdtar-$floor_sfx") |"
        done
    done
    echo
    if [ -n "${BENCH_WALK_LAYER:-}" ]; then
        echo "## Engine alone: cached layer files, no registry, layers one after another"
        echo
        echo "| image | igzip -dc < blob | walk_layer blob (drydock's inflate + tar walk + analyzers) | walk_layer / igzip |"
        echo "|---|---|---|---|"
        for key in $BENCH_IMAGES; do
            [ -s "$BENCH_RUN_DIR/hf/local-$key-igzip.json" ] || continue
            echo "| $key | $(bench_s "local-$key-igzip") | $(bench_s "local-$key-walk") |" \
                "$(bench_ratio "$(bench_hf_mean "local-$key-walk")" "$(bench_hf_mean "local-$key-igzip")") |"
        done
        echo
    fi
    echo "## drydock sbom (cold) vs floors and Trivy"
    echo
    echo "| image | drydock | peak RSS | / igzip floor | / gzip floor | trivy cold | trivy warm | trivy RSS cold / warm | trivy cold / drydock | trivy warm / drydock | deb inventory vs trivy |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    for key in $BENCH_IMAGES; do
        floor_sfx=$(bench_floor_sfx "$key")
        dd=$(bench_hf_mean "drydock-$key")
        ig=$(bench_hf_mean "floor-$key-igzip-$floor_sfx")
        gz=$(bench_hf_mean "floor-$key-gzip-$floor_sfx")
        tc=$(bench_hf_mean "trivy-$key-cold")
        tw=$(bench_hf_mean "trivy-$key-warm")
        echo "| $key | $(bench_s "drydock-$key") | $(bench_rss_or_na "drydock-$key") MB |" \
            "$(bench_ratio "$dd" "$ig") | $(bench_ratio "$dd" "$gz") |" \
            "$(bench_s "trivy-$key-cold") | $(bench_s "trivy-$key-warm") |" \
            "$(bench_rss_or_na "trivy-$key-cold") / $(bench_rss_or_na "trivy-$key-warm") MB |" \
            "$(bench_ratio "$tc" "$dd") | $(bench_ratio "$tw" "$dd") | $(cat "$BENCH_RUN_DIR/inventory-$key.summary" 2>/dev/null || echo n/a) |"
        if [ -s "$BENCH_RUN_DIR/hf/drydock-$key-t1.json" ]; then
            dd=$(bench_hf_mean "drydock-$key-t1")
            ig=$(bench_hf_mean "floor-$key-igzip-seq")
            gz=$(bench_hf_mean "floor-$key-gzip-seq")
            echo "| $key, DRYDOCK_THREADS=1 (vs sequential floors) | $(bench_s "drydock-$key-t1") |" \
                "$(bench_rss_or_na "drydock-$key-t1") MB | $(bench_ratio "$dd" "$ig") |" \
                "$(bench_ratio "$dd" "$gz") | | | | $(bench_ratio "$tc" "$dd") | $(bench_ratio "$tw" "$dd") | |"
        fi
    done
    echo
    echo "## Targets"
    echo
    local r
    for key in $BENCH_IMAGES; do
        floor_sfx=$(bench_floor_sfx "$key")
        dd=$(bench_hf_mean "drydock-$key")
        r=$(bench_ratio "$dd" "$(bench_hf_mean "floor-$key-igzip-$floor_sfx")")
        echo "- $key: ratio vs igzip floor${BENCH_FLOOR_NOTE[$key]:-}: $r (target <= 1.3) $(bench_pf "$r" 1.3)"
        echo "- $key: peak RSS: $(bench_rss_or_na "drydock-$key") MB (target <= 64 MB) $(bench_pf "$(bench_rss_get "drydock-$key")" 64)"
        r=$(bench_ratio "$(bench_hf_mean "trivy-$key-cold")" "$dd")
        echo "- $key: trivy cold / drydock: $r (target ~20)"
        if [ -s "$BENCH_RUN_DIR/hf/drydock-$key-t1.json" ]; then
            r=$(bench_ratio "$(bench_hf_mean "drydock-$key-t1")" "$dd")
            echo "- $key: parallel speed-up, DRYDOCK_THREADS=1 time / default time: $r"
        fi
    done
    echo
    echo "## Bench stages (wall time of this run)"
    echo
    awk -F'\t' '{ printf "- %s: %s s\n", $1, $2 }' "$BENCH_RUN_DIR/stages.tsv" 2>/dev/null || true
    if [ -n "${BENCH_NOTES:-}" ]; then
        echo
        echo "## Notes"
        echo
        printf '%b' "$BENCH_NOTES"
    fi
}
