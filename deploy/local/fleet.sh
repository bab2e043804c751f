# fleet.sh - shared pieces of the local fleet (sourced by up.sh and the scheduler tests).
#
# Public functions:
#   fleet_registry_config FILE PORT DATA_DIR [NOTIFY_URL EVENTS_TOKEN]
#       write a docker-registry config listening on 127.0.0.1:PORT; with NOTIFY_URL, manifest
#       push/delete events are POSTed there with "Authorization: Bearer EVENTS_TOKEN" (the
#       scheduler's events_token). Pulls and blob events are filtered out: registry 2.8.2
#       honours ignore.actions only together with ignore.mediatypes (docs/api.md).
#   fleet_scheduler_config FILE LISTEN_PORT REDIS_PORT REGISTRY TOKEN EVENTS_TOKEN
#       write a drydock-scheduler JSON config (no credentials: the local registry is open).

fleet_registry_config() {
    local file=$1 port=$2 data=$3 notify=${4:-} token=${5:-}
    cat >"$file" <<EOF2
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $data
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
EOF2
    if [ -n "$notify" ]; then
        cat >>"$file" <<EOF2
notifications:
  events:
    includereferences: true
  endpoints:
    - name: drydock-scheduler
      url: $notify
      headers:
        Authorization: [Bearer $token]
      timeout: 2s
      threshold: 5
      backoff: 1s
      ignore:
        mediatypes:
          - application/octet-stream
        actions:
          - pull
EOF2
    fi
}

fleet_scheduler_config() {
    local file=$1 listen=$2 redis=$3 registry=$4 token=$5 etoken=$6
    cat >"$file" <<EOF2
{
  "listen_host": "127.0.0.1",
  "listen_port": $listen,
  "token": "$token",
  "events_token": "$etoken",
  "default_registry": "$registry",
  "redis": {"host": "127.0.0.1", "port": $redis, "prefix": "dd:"},
  "api_threads": 4
}
EOF2
    chmod 600 "$file"
}

# fleet_push_image REG REPO TAG SALT WORKDIR
#   push a tiny Debian-12-looking image (one gzip layer with etc/os-release and a one-package
#   dpkg status, shared by every image) whose config carries SALT as a label, so each SALT
#   gives a distinct manifest digest. Needs tests/lib/oci.sh loaded. Prints the digest.
fleet_push_image() {
    local reg=$1 repo=$2 tag=$3 salt=$4 work=$5
    local layer=$work/fleet-layer.tar.gz
    if [ ! -f "$layer" ]; then
        mkdir -p "$work/fleet-root/etc" "$work/fleet-root/var/lib/dpkg"
        printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\nVERSION_CODENAME=bookworm\n' \
            >"$work/fleet-root/etc/os-release"
        printf 'Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\nArchitecture: amd64\nSource: zlib\n\n' \
            >"$work/fleet-root/var/lib/dpkg/status"
        dd_tar_dir "$work/fleet-root" "$work/fleet-layer.tar"
        gzip -n -c "$work/fleet-layer.tar" >"$layer"
    fi
    local diff_id layer_digest cfg man cfg_digest
    diff_id=$(dd_sha256 "$work/fleet-layer.tar")
    layer_digest=$(dd_push_blob "$reg" "$repo" "$layer") || return 1
    cfg=$work/fleet-config-$salt.json
    printf '{"architecture":"amd64","os":"linux","config":{"Labels":{"salt":"%s"}},"rootfs":{"type":"layers","diff_ids":["%s"]}}' \
        "$salt" "$diff_id" >"$cfg"
    cfg_digest=$(dd_push_blob "$reg" "$repo" "$cfg") || return 1
    man=$work/fleet-manifest-$salt.json
    printf '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":%s,"digest":"%s"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":%s,"digest":"%s"}]}' \
        "$(dd_size "$cfg")" "$cfg_digest" "$(dd_size "$layer")" "$layer_digest" >"$man"
    dd_push_manifest "$reg" "$repo" "$tag" "$man" application/vnd.docker.distribution.manifest.v2+json
}

# fleet_start_registry NOTIFY_URL EVENTS_TOKEN DIR
#   start docker-registry with fleet_registry_config in DIR; sets FLEET_REGISTRY (host:port)
#   and FLEET_REGISTRY_PID; registers the stop with dd_cleanup_push (services.sh).
fleet_start_registry() {
    local notify=$1 token=$2 dir=$3 port
    port=$(dd_free_port)
    mkdir -p "$dir/data"
    fleet_registry_config "$dir/config.yml" "$port" "$dir/data" "$notify" "$token"
    docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
    FLEET_REGISTRY_PID=$!
    disown "$FLEET_REGISTRY_PID"
    FLEET_REGISTRY=127.0.0.1:$port
    dd_cleanup_push dd_kill_pid "$FLEET_REGISTRY_PID"
    dd_wait_http "http://$FLEET_REGISTRY/v2/" 5
}
