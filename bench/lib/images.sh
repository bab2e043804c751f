# images.sh - build (once, cached) and push the three benchmark images.
#
#   debian  bench/debian:12   mmdebstrap --variant=minbase bookworm, ONE gzip -6 layer
#   multi   bench/multi:1     the same base layer + 3 layers, each what an `apt-get install`
#                             RUN step would add (python3 stack, git/openssh, gcc)
#   big     bench/big:1       one >= 1 GiB (uncompressed) layer from lib/layers.py big
#   app     app/demo:1        tests/images/app.sh's application image (7 layers: Debian base,
#                             apt python3/snakeyaml, npm tree, Go binary, jars, whiteouts,
#                             gem/composer/nuget/cargo-auditable files);
#                             built, cached (${XDG_CACHE_HOME:-~/.cache}/drydock/app) and pushed
#                             by that script, only when "app" is in BENCH_IMAGES
#
# Cache layout ($BENCH_CACHE):
#   rootfs/stage0.tar            the minbase rootfs (kept: the big layer re-uses its files)
#   layers/NAME.tar.gz, NAME.diffid, NAME.info   gzip blob, sha256 of the tar, sizes
#   oci/                         one OCI image layout holding all three images (blobs shared)
# Layers are compressed with `gzip -n -6` (the default level, like `docker push`) except the
# big one, which uses `pigz -6` (same deflate level, 2 cores) to keep its build short.
# Intermediate rootfs tarballs (stage1-3) are deleted once their layers exist.

BENCH_STAGE_PKGS=(
    ""
    "python3,python3-requests,python3-yaml"
    "git,openssh-client,curl"
    "gcc,libc6-dev"
)

# bench_layer_from_cmd NAME COMPRESSOR CMD... - run CMD (a tar on its stdout) and store
# layers/NAME.{tar.gz,diffid,info}; nothing is stored if any stage of the pipe fails.
bench_layer_from_cmd() {
    local name=$1 comp=$2 d=$BENCH_CACHE/layers
    shift 2
    mkdir -p "$d"
    rm -f "$d/$name".*.tmp
    "$@" | tee -p >(sha256sum | cut -d' ' -f1 >"$d/$name.diffid.tmp") \
        >(wc -c >"$d/$name.tarsize.tmp") >(tar -tf - | wc -l >"$d/$name.entries.tmp") |
        $comp >"$d/$name.tar.gz.tmp"
    local st=("${PIPESTATUS[@]}")
    [ "${st[0]}" = 0 ] && [ "${st[1]}" = 0 ] && [ "${st[2]}" = 0 ] ||
        bench_die "building layer $name failed (pipe status ${st[*]})"
    # the process substitutions may still be finishing
    local i
    for i in $(seq 1 100); do
        [ -s "$d/$name.diffid.tmp" ] && [ -s "$d/$name.tarsize.tmp" ] &&
            [ -s "$d/$name.entries.tmp" ] && break
        sleep 0.1
    done
    mv "$d/$name.tar.gz.tmp" "$d/$name.tar.gz"
    mv "$d/$name.diffid.tmp" "$d/$name.diffid"
    printf 'tar_bytes=%s gz_bytes=%s entries=%s\n' "$(cat "$d/$name.tarsize.tmp")" \
        "$(stat -c %s "$d/$name.tar.gz")" "$(cat "$d/$name.entries.tmp")" >"$d/$name.info"
    rm -f "$d/$name.tarsize.tmp" "$d/$name.entries.tmp"
    bench_log "layer $name: $(cat "$d/$name.info")"
}

bench_have_layer() {
    [ -s "$BENCH_CACHE/layers/$1.tar.gz" ] && [ -s "$BENCH_CACHE/layers/$1.diffid" ] &&
        grep -q entries= "$BENCH_CACHE/layers/$1.info" 2>/dev/null
}

bench_mmdebstrap_stage() {
    local i=$1 out=$BENCH_CACHE/rootfs/stage$1.tar inc=() j pkgs=
    [ -s "$out" ] && return 0
    mkdir -p "$BENCH_CACHE/rootfs"
    # stages are cumulative: stage i has the packages of stages 1..i
    for ((j = 1; j <= i; j++)); do
        pkgs=${pkgs:+$pkgs,}${BENCH_STAGE_PKGS[$j]}
    done
    [ -n "$pkgs" ] && inc=(--include="$pkgs")
    bench_log "mmdebstrap stage$i (${pkgs:-minbase})"
    rm -rf "$out.tmp"
    mmdebstrap --quiet --format=tar --variant=minbase "${inc[@]}" bookworm "$out.tmp" \
        >"$BENCH_CACHE/rootfs/stage$i.log" 2>&1 ||
        {
            tail -20 "$BENCH_CACHE/rootfs/stage$i.log" >&2
            bench_die "mmdebstrap stage$i failed"
        }
    mv "$out.tmp" "$out"
}

bench_build_layers() {
    local t0 i
    t0=$(bench_now)
    if ! bench_have_layer base; then
        bench_mmdebstrap_stage 0
        bench_layer_from_cmd base "gzip -n -6" cat "$BENCH_CACHE/rootfs/stage0.tar"
    fi
    for i in 1 2 3; do
        bench_have_layer "stage$i" && continue
        bench_mmdebstrap_stage 0
        bench_mmdebstrap_stage $((i - 1))
        bench_mmdebstrap_stage "$i"
        bench_layer_from_cmd "stage$i" "gzip -n -6" "$BENCH_PY" "$BENCH_LIB/layers.py" diff \
            "$BENCH_CACHE/rootfs/stage$((i - 1)).tar" "$BENCH_CACHE/rootfs/stage$i.tar"
        [ "$i" -gt 1 ] && rm -f "$BENCH_CACHE/rootfs/stage$((i - 1)).tar"
    done
    rm -f "$BENCH_CACHE/rootfs/stage3.tar"
    if ! bench_have_layer big; then
        bench_mmdebstrap_stage 0
        bench_layer_from_cmd big "pigz -p 2 -n -6" "$BENCH_PY" "$BENCH_LIB/layers.py" big \
            "$BENCH_CACHE/rootfs/stage0.tar" "$BENCH_BIG_BYTES"
    fi
    bench_log "layers ready in $(bench_since "$t0") s"
}

# bench_oci_blob FILE MEDIATYPE - link FILE into the layout, print its descriptor JSON.
bench_oci_blob() {
    local file=$1 mt=$2 dig size
    # layer digests are cached next to the layer (sha256 of 0.5 GB takes seconds)
    if [ -s "$file.sha256" ] && [ "$file.sha256" -nt "$file" ]; then
        dig=$(cat "$file.sha256")
    else
        dig=$(sha256sum "$file" | cut -d' ' -f1)
        case $file in "$BENCH_CACHE"/layers/*) echo "$dig" >"$file.sha256" ;; esac
    fi
    size=$(stat -c %s "$file")
    mkdir -p "$BENCH_OCI/blobs/sha256"
    [ -e "$BENCH_OCI/blobs/sha256/$dig" ] ||
        ln "$file" "$BENCH_OCI/blobs/sha256/$dig" 2>/dev/null ||
        cp "$file" "$BENCH_OCI/blobs/sha256/$dig"
    jq -cn --arg mt "$mt" --arg d "sha256:$dig" --argjson s "$size" \
        '{mediaType: $mt, digest: $d, size: $s}'
}

# bench_oci_image REFNAME LAYERNAME... - add (or replace) a tagged image in $BENCH_OCI.
bench_oci_image() {
    local ref=$1
    shift
    local l layers=() diffids=() tmp cfg man
    tmp=$(mktemp -d)
    for l in "$@"; do
        layers+=("$(bench_oci_blob "$BENCH_CACHE/layers/$l.tar.gz" \
            application/vnd.oci.image.layer.v1.tar+gzip)")
        diffids+=("sha256:$(cat "$BENCH_CACHE/layers/$l.diffid")")
    done
    printf '%s\n' "${diffids[@]}" | jq -R . | jq -cs '{
        created: "2024-06-01T00:00:00Z", architecture: "amd64", os: "linux",
        config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                 Cmd: ["bash"]},
        rootfs: {type: "layers", diff_ids: .},
        history: [.[] | {created: "2024-06-01T00:00:00Z", created_by: "drydock bench"}]}' \
        >"$tmp/config.json"
    cfg=$(bench_oci_blob "$tmp/config.json" application/vnd.oci.image.config.v1+json)
    printf '%s\n' "${layers[@]}" | jq -cs --argjson cfg "$cfg" '{schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json", config: $cfg, layers: .}' \
        >"$tmp/manifest.json"
    man=$(bench_oci_blob "$tmp/manifest.json" application/vnd.oci.image.manifest.v1+json)
    # blobs were copied or linked; the temp files can go
    [ -f "$BENCH_OCI/oci-layout" ] ||
        echo '{"imageLayoutVersion":"1.0.0"}' >"$BENCH_OCI/oci-layout"
    [ -f "$BENCH_OCI/index.json" ] ||
        echo '{"schemaVersion":2,"manifests":[]}' >"$BENCH_OCI/index.json"
    jq --argjson m "$man" --arg ref "$ref" '.manifests |=
        ([.[] | select(.annotations["org.opencontainers.image.ref.name"] != $ref)]
         + [$m + {annotations: {"org.opencontainers.image.ref.name": $ref}}])' \
        "$BENCH_OCI/index.json" >"$tmp/index.json"
    mv "$tmp/index.json" "$BENCH_OCI/index.json"
    rm -rf "$tmp"
}

bench_build_images() {
    bench_need mmdebstrap:mmdebstrap skopeo:skopeo jq:jq pigz:pigz sha256sum:coreutils
    BENCH_OCI=$BENCH_CACHE/oci
    mkdir -p "$BENCH_CACHE"
    bench_build_layers
    # the layout is only hard links to layers/: rebuild it so no stale blob survives
    rm -rf "$BENCH_OCI"
    mkdir -p "$BENCH_OCI"
    bench_oci_image debian base
    bench_oci_image multi base stage1 stage2 stage3
    bench_oci_image big big
}

# Push all three to $BENCH_REG: bench/debian:12, bench/multi:1, bench/big:1.
bench_push_images() {
    local t0 img repo
    t0=$(bench_now)
    for img in debian:bench/debian:12 multi:bench/multi:1 big:bench/big:1; do
        repo=${img#*:}
        skopeo copy --quiet --preserve-digests --dest-tls-verify=false \
            "oci:$BENCH_OCI:${img%%:*}" "docker://$BENCH_REG/$repo" ||
            bench_die "skopeo copy of ${img%%:*} failed"
    done
    bench_log "pushed 3 images in $(bench_since "$t0") s"
    case " $BENCH_IMAGES " in *" app "*) bench_push_app ;; esac
}

# bench_push_app - build (cached) and push app/demo:1 with tests/images/app.sh, then expose its
# layers as $BENCH_CACHE/layers/app-L<i>.{tar.gz,info} (symlink + sizes) for the report and
# the engine-alone figures. Its expected inventory lands in $BENCH_RUN_DIR/app-img/.
bench_push_app() {
    local t0 i f info appc=${XDG_CACHE_HOME:-$HOME/.cache}/drydock/app
    t0=$(bench_now)
    bash "$BENCH_REPO/tests/images/app.sh" "$BENCH_REG" "$BENCH_RUN_DIR/app-img" \
        >"$BENCH_RUN_DIR/app-image.log" 2>&1 || {
        tail -20 "$BENCH_RUN_DIR/app-image.log" >&2
        bench_die "tests/images/app.sh failed"
    }
    mkdir -p "$BENCH_CACHE/layers"
    for i in 0 1 2 3 4 5 6; do
        f=$BENCH_CACHE/layers/app-L$i
        ln -sfn "$appc/L$i.tar.gz" "$f.tar.gz"
        info="diffid=$(cat "$appc/L$i.diffid")"
        if ! grep -q "$info" "$f.info" 2>/dev/null; then
            printf 'tar_bytes=%s gz_bytes=%s entries=%s %s\n' "$(gzip -dc "$f.tar.gz" | wc -c)" \
                "$(stat -L -c %s "$f.tar.gz")" "$(gzip -dc "$f.tar.gz" | tar -tf - | wc -l)" \
                "$info" >"$f.info"
        fi
    done
    bench_log "app image pushed in $(bench_since "$t0") s ($(tail -2 "$BENCH_RUN_DIR/app-image.log" | head -1))"
}
