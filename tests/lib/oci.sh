# oci.sh - build byte-stable image pieces by hand and push them with curl.
#
# Source it:   . "$DD_SOURCE_DIR/tests/lib/oci.sh"
#
# Design: a layer is a directory tarred with GNU tar in a fixed order with fixed owners, modes
# and mtimes, then compressed with gzip -n (no name, no timestamp) or zstd, so the same inputs
# always give the same digests. Pushing uses the registry API directly:
#   POST /v2/<name>/blobs/uploads/                 -> 202, Location: <upload url>
#   PUT  <upload url>&digest=<digest>  (body)      -> 201
#   PUT  /v2/<name>/manifests/<ref>   (body, Content-Type: <manifest media type>) -> 201
# Everything here talks plain HTTP to a loopback registry.
#
# Public functions:
#   dd_sha256 FILE                  print "sha256:<hex>"
#   dd_size FILE                    print size in bytes
#   dd_tar_dir DIR OUT.tar          deterministic tar of DIR's contents (names without "./")
#   dd_tar_dir_dot DIR OUT.tar      same, but names prefixed with "./" (as mmdebstrap writes)
#   dd_push_blob REG NAME FILE      push FILE as a blob; print its digest
#   dd_push_manifest REG NAME REF FILE MEDIATYPE
#                                   push a manifest; print its digest (from our own sha256,
#                                   checked against the registry's Docker-Content-Digest)

dd_sha256() {
    printf 'sha256:%s\n' "$(sha256sum "$1" | cut -c1-64)"
}

dd_size() {
    stat -c %s "$1"
}

# shellcheck disable=SC2054 # the commas belong to --mode
DD_TAR_FLAGS=(--format=gnu --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0
    --mode=u+rw,go+r,go-w)

dd_tar_dir() {
    local dir=$1 out=$2
    local -a members
    mapfile -t members < <(cd "$dir" && LC_ALL=C ls -A)
    LC_ALL=C tar "${DD_TAR_FLAGS[@]}" -C "$dir" -cf "$out" "${members[@]}"
}

dd_tar_dir_dot() {
    local dir=$1 out=$2
    LC_ALL=C tar "${DD_TAR_FLAGS[@]}" -C "$dir" -cf "$out" .
}

dd_push_blob() {
    local reg=$1 name=$2 file=$3
    local digest loc code
    digest=$(dd_sha256 "$file")
    # no HEAD check first: a repeated upload is harmless and one process cheaper
    loc=$(curl -sS -o /dev/null -D - -X POST "http://$reg/v2/$name/blobs/uploads/" |
        tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }')
    if [ -z "$loc" ]; then
        echo "dd_push_blob: no upload Location for $name" >&2
        return 1
    fi
    case $loc in
    /*) loc=http://$reg$loc ;;
    esac
    case $loc in
    *\?*) loc="$loc&digest=$digest" ;;
    *) loc="$loc?digest=$digest" ;;
    esac
    code=$(curl -sS -o /dev/null -w '%{http_code}' -X PUT \
        -H 'Expect:' -H 'Content-Type: application/octet-stream' --upload-file "$file" "$loc")
    if [ "$code" != 201 ]; then
        echo "dd_push_blob: PUT $name $digest answered $code" >&2
        return 1
    fi
    echo "$digest"
}

dd_push_manifest() {
    local reg=$1 name=$2 ref=$3 file=$4 mt=$5
    local digest hdrs got
    digest=$(dd_sha256 "$file")
    hdrs=$(curl -sS -o /dev/null -D - -X PUT -H "Content-Type: $mt" --data-binary "@$file" \
        "http://$reg/v2/$name/manifests/$ref" | tr -d '\r')
    # no "| head | grep -q" here: under pipefail an early-exiting reader turns into SIGPIPE
    local status=${hdrs%%$'\n'*}
    if [[ $status != *" 201"* ]]; then
        echo "dd_push_manifest: PUT $name:$ref failed: $status" >&2
        curl -sS -X PUT -H "Content-Type: $mt" --data-binary "@$file" \
            "http://$reg/v2/$name/manifests/$ref" >&2 || true
        return 1
    fi
    got=$(printf '%s\n' "$hdrs" | awk 'tolower($1) == "docker-content-digest:" { print $2 }')
    if [ "$got" != "$digest" ]; then
        echo "dd_push_manifest: registry digest $got != ours $digest" >&2
        return 1
    fi
    echo "$digest"
}
