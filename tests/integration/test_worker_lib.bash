# test_worker_lib.bash - shared by tests/integration/test_worker_*.sh (not a test itself: the
# ctest glob is test_*.sh).
#
# Public functions:
#   fleet_setup                 testlib init, redis-server, docker-registry, WORKER binary
#   fleet_images N [REPO]       push N images <registry>/<REPO><i>:1 (REPO default fleet/app)
#                               sharing one base layer (Debian 12 os-release + libc6 in dpkg
#                               status) plus one small layer of their own; prints the refs
#   fleet_db                    build an advisory DB from tests/fixtures/scan/osv into $DD_T/db
#   worker_start NAME ARGS...   start drydock-worker in the background; WPID_<NAME>, log
#                               $DD_T/NAME.log
#   enqueue IMAGE...            enqueue jobs; prints "<job_id>\t<image>" lines
#   rcli ARGS...                redis-cli against the test Redis
#   wait_final N TIMEOUT_S      wait until N dd:job:* records have `final`; 1 on timeout
#   events_per_job              "<count> <job_id>" for every job on dd:events (decoded with
#                               protoc-free parsing: job_id is field 1 of CompletionEvent)
. "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/oci.sh"

fleet_setup() {
    dd_test_init
    WORKER=${DRYDOCK_WORKER:-$(dirname "$DRYDOCK")/drydock-worker}
    if [ ! -x "$WORKER" ]; then
        echo "FAIL: drydock-worker not found next to $DRYDOCK (set DRYDOCK_WORKER)" >&2
        exit 1
    fi
    dd_start_redis || exit 1
    dd_start_registry || exit 1
}

rcli() {
    redis-cli -h 127.0.0.1 -p "$DD_REDIS_PORT" "$@"
}

fleet_base_layer() {
    local root=$DD_T/base-root
    mkdir -p "$root/etc" "$root/var/lib/dpkg"
    cat >"$root/etc/os-release" <<'OS'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION_CODENAME=bookworm
ID=debian
OS
    cat >"$root/var/lib/dpkg/status" <<'ST'
Package: libc6
Status: install ok installed
Priority: optional
Section: libs
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u4
Description: GNU C Library: Shared libraries

ST
    dd_tar_dir "$root" "$DD_T/base.tar"
    gzip -n -c "$DD_T/base.tar" >"$DD_T/base.tar.gz"
    BASE_DIFFID=$(dd_sha256 "$DD_T/base.tar")
}

fleet_images() {
    local n=$1 repo=${2:-fleet/app} i
    [ -f "$DD_T/base.tar.gz" ] || fleet_base_layer
    for ((i = 1; i <= n; i++)); do
        local name=$repo$i root=$DD_T/app-root-$i w=$DD_T/img-$i
        mkdir -p "$root/app" "$w"
        echo "app $i of $repo" >"$root/app/id.txt"
        dd_tar_dir "$root" "$w/app.tar"
        gzip -n -c "$w/app.tar" >"$w/app.tar.gz"
        local bd ad cd diff
        diff=$(dd_sha256 "$w/app.tar")
        bd=$(dd_push_blob "$DD_REGISTRY" "$name" "$DD_T/base.tar.gz") || return 1
        ad=$(dd_push_blob "$DD_REGISTRY" "$name" "$w/app.tar.gz") || return 1
        printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["%s","%s"]}}' \
            "$BASE_DIFFID" "$diff" >"$w/config.json"
        cd=$(dd_push_blob "$DD_REGISTRY" "$name" "$w/config.json") || return 1
        printf '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":%d,"digest":"%s"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":%d,"digest":"%s"},{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":%d,"digest":"%s"}]}' \
            "$(dd_size "$w/config.json")" "$cd" "$(dd_size "$DD_T/base.tar.gz")" "$bd" \
            "$(dd_size "$w/app.tar.gz")" "$ad" >"$w/manifest.json"
        dd_push_manifest "$DD_REGISTRY" "$name" 1 "$w/manifest.json" \
            application/vnd.docker.distribution.manifest.v2+json >/dev/null || return 1
        echo "$DD_REGISTRY/$name:1"
    done
}

fleet_db() {
    "$DRYDOCK" db build --from "$DD_SOURCE_DIR/tests/fixtures/scan/osv" --out "$DD_T/db" \
        >"$DD_T/dbbuild.log" 2>&1
}

worker_start() {
    local name=$1
    shift
    "$WORKER" --redis "$DD_REDIS" --name "$name" "$@" >"$DD_T/$name.log" 2>&1 &
    local pid=$!
    eval "WPID_$name=$pid"
    dd_cleanup_push "dd_kill_pid $pid"
}

enqueue() {
    "$WORKER" --redis "$DD_REDIS" --enqueue "$@"
}

count_final() {
    local n=0 k
    for k in $(rcli --scan --pattern 'dd:job:*'); do
        [ "$(rcli hexists "$k" final)" = 1 ] && n=$((n + 1))
    done
    echo $n
}

wait_final() {
    local want=$1 timeout_s=$2 t=0
    while [ $t -lt $((timeout_s * 5)) ]; do
        [ "$(count_final)" -ge "$want" ] && return 0
        sleep 0.2
        t=$((t + 1))
    done
    return 1
}

# job_id of each CompletionEvent on dd:events (field 1: 0x0a, length, bytes), counted; read
# over a raw RESP socket because the payloads are binary
events_per_job() {
    python3 - "$DD_REDIS_PORT" <<'PY'
import collections, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("rb")
s.sendall(b"*4\r\n$6\r\nXRANGE\r\n$9\r\ndd:events\r\n$1\r\n-\r\n$1\r\n+\r\n")
def rd():
    line = f.readline()
    t, rest = line[:1], line[1:-2]
    if t == b"*":
        n = int(rest)
        return None if n < 0 else [rd() for _ in range(n)]
    if t == b"$":
        n = int(rest)
        if n < 0:
            return None
        b = f.read(n + 2)
        return b[:-2]
    if t == b":":
        return int(rest)
    if t == b"-":
        raise SystemExit(rest.decode())
    return rest
c = collections.Counter()
for _id, fields in rd():
    for k, v in zip(fields[0::2], fields[1::2]):
        if k == b"event" and v[:1] == b"\x0a":
            c[v[2:2 + v[1]].decode()] += 1
for k, v in sorted(c.items()):
    print(v, k)
PY
}
