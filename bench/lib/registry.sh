# registry.sh - a throw-away docker-registry on 127.0.0.1 for one bench run.
#
#   bench_registry_start   exports BENCH_REG=127.0.0.1:PORT, BENCH_REG_PID, BENCH_REG_DIR
#   bench_registry_stop    stops the recorded pid and removes its storage
#
# Own minimal copy (tests/lib/services.sh belongs to the integration tests and may change):
# generated config, free port, storage in a mktemp dir, never /etc/docker/registry/config.yml
# (that one listens on all interfaces). Access log off so it does not skew timings.

bench_registry_start() {
    bench_need docker-registry:docker-registry curl:curl
    local dir port
    dir=$(mktemp -d "${TMPDIR:-/tmp}/drydock-bench-registry.XXXXXX")
    port=$(bench_free_port)
    mkdir -p "$dir/data"
    cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
EOF
    docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
    BENCH_REG_PID=$!
    BENCH_REG_DIR=$dir
    BENCH_REG=127.0.0.1:$port
    export BENCH_REG BENCH_REG_PID BENCH_REG_DIR
    bench_cleanup_push bench_registry_stop
    local i
    for i in $(seq 1 100); do
        if curl -sf -o /dev/null --max-time 1 "http://$BENCH_REG/v2/"; then
            bench_log "registry up on $BENCH_REG (pid $BENCH_REG_PID)"
            return 0
        fi
        sleep 0.1
    done
    cat "$dir/registry.log" >&2
    bench_die "docker-registry did not answer on $BENCH_REG within 10 s"
}

bench_registry_stop() {
    [ -n "${BENCH_REG_PID:-}" ] || return 0
    bench_kill_pid "$BENCH_REG_PID"
    if [ -n "${BENCH_KEEP_REGISTRY:-}" ]; then
        bench_log "kept registry storage $BENCH_REG_DIR"
    else
        rm -rf "$BENCH_REG_DIR"
    fi
    BENCH_REG_PID=
}

# bench_registry_layers REPO REF - print "digest size" per layer of REPO:REF, base first.
bench_registry_layers() {
    curl -sf \
        -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
        -H 'Accept: application/vnd.oci.image.index.v1+json' \
        -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
        -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
        "http://$BENCH_REG/v2/$1/manifests/$2" | jq -r '.layers[] | "\(.digest) \(.size)"'
}
