# fleet_lib.sh - pieces of bench/bench_fleet.sh (sourced; needs tests/lib/services.sh,
# tests/lib/oci.sh and deploy/local/fleet.sh's fleet_scheduler_config).
#
# Public functions:
#   fleet_start_registry_logged DIR   docker-registry on a free loopback port with the access
#                                     log on; sets REG, REG_PID, REG_LOG
#   fleet_build_images N BASE DIR     push fleet/app-<i>:1 (i = 1..N): base layer (debian|tiny)
#                                     + one small unique layer; sets BASE_DIGEST, BASE_SIZE
#   fleet_scenario NAME WORKERS CONC N DIR
#                                     fresh Redis + scheduler + workers, run the namespace rule,
#                                     inject NAME's fault, check, append a row to ROWS
#   fleet_stop_all                    stop every process this library started (by pid)
#
# Design: only loopback; every pid is recorded in FLEET_PIDS and stopped by pid. The base blob
# is uploaded once and cross-repository mounted into the other repositories
# (POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<repo>, 201), so building 60 images
# costs one 63 MB upload. Fetches of the base layer are counted from the registry's access log
# (GET /v2/<repo>/blobs/<base digest>), independently of the workers' own metrics.

. "$DD_SOURCE_DIR/deploy/local/fleet.sh"

FLEET_PIDS=()

fleet_stop_all() {
    local p
    for p in "${FLEET_PIDS[@]}"; do dd_kill_pid "$p"; done
    FLEET_PIDS=()
}

fleet_start_registry_logged() {
    local dir=$1 port
    port=$(dd_free_port)
    mkdir -p "$dir/data"
    cat >"$dir/config.yml" <<EOF2
version: 0.1
log:
  level: warn
  accesslog:
    disabled: false
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
EOF2
    docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
    REG_PID=$!
    FLEET_PIDS+=("$REG_PID")
    REG=127.0.0.1:$port
    REG_LOG=$dir/registry.log
    dd_wait_http "http://$REG/v2/" 5 || { cat "$REG_LOG" >&2; return 1; }
}

# base layer: sets BASE_FILE, BASE_DIFFID
fleet_base_layer() {
    local kind=$1 dir=$2
    local oci=${XDG_CACHE_HOME:-$HOME/.cache}/drydock/debian-bookworm-minbase-amd64.oci
    if [ "$kind" = debian ] && [ ! -f "$oci/index.json" ]; then
        echo "   no $oci: run tests/images/debian.sh once (mmdebstrap); using --base tiny" >&2
        kind=tiny
        base=tiny
    fi
    if [ "$kind" = debian ]; then
        local man cfg layer
        man=$(jq -r '.manifests[0].digest' "$oci/index.json")
        man=$oci/blobs/sha256/${man#sha256:}
        layer=$(jq -r '.layers[0].digest' "$man")
        cfg=$(jq -r '.config.digest' "$man")
        BASE_FILE=$oci/blobs/sha256/${layer#sha256:}
        BASE_DIFFID=$(jq -r '.rootfs.diff_ids[0]' "$oci/blobs/sha256/${cfg#sha256:}")
        return 0
    fi
    local r=$dir/base-root
    mkdir -p "$r/etc" "$r/var/lib/dpkg"
    printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\nVERSION_CODENAME=bookworm\n' \
        >"$r/etc/os-release"
    printf 'Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9+deb12u4\n\n' \
        >"$r/var/lib/dpkg/status"
    dd_tar_dir "$r" "$dir/base.tar"
    gzip -n -c "$dir/base.tar" >"$dir/base.tar.gz"
    BASE_FILE=$dir/base.tar.gz
    BASE_DIFFID=$(dd_sha256 "$dir/base.tar")
}

# mount blob DIGEST from repository FROM into NAME (falls back to an upload of FILE)
fleet_mount_blob() {
    local name=$1 digest=$2 from=$3 file=$4 code
    code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST \
        "http://$REG/v2/$name/blobs/uploads/?mount=$digest&from=$from")
    [ "$code" = 201 ] && return 0
    dd_push_blob "$REG" "$name" "$file" >/dev/null
}

fleet_push_one() {
    local i=$1 dir=$2
    local name=fleet/app-$i w=$dir/img-$i ad cd diff
    mkdir -p "$w/root/app"
    printf '{"name":"app-%d","version":"1.0.%d"}\n' "$i" "$i" >"$w/root/app/package.json"
    echo "app $i" >"$w/root/app/id.txt"
    dd_tar_dir "$w/root" "$w/app.tar"
    gzip -n -c "$w/app.tar" >"$w/app.tar.gz"
    diff=$(dd_sha256 "$w/app.tar")
    fleet_mount_blob "$name" "$BASE_DIGEST" fleet/app-1 "$BASE_FILE" || return 1
    ad=$(dd_push_blob "$REG" "$name" "$w/app.tar.gz") || return 1
    printf '{"architecture":"amd64","os":"linux","config":{"Labels":{"app":"%d"}},"rootfs":{"type":"layers","diff_ids":["%s","%s"]}}' \
        "$i" "$BASE_DIFFID" "$diff" >"$w/config.json"
    cd=$(dd_push_blob "$REG" "$name" "$w/config.json") || return 1
    printf '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":%d,"digest":"%s"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":%d,"digest":"%s"},{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":%d,"digest":"%s"}]}' \
        "$(dd_size "$w/config.json")" "$cd" "$BASE_SIZE" "$BASE_DIGEST" \
        "$(dd_size "$w/app.tar.gz")" "$ad" >"$w/manifest.json"
    dd_push_manifest "$REG" "$name" 1 "$w/manifest.json" \
        application/vnd.docker.distribution.manifest.v2+json >/dev/null
}

fleet_build_images() {
    local n=$1 kind=$2 dir=$3 i
    mkdir -p "$dir"
    fleet_base_layer "$kind" "$dir"
    BASE_DIGEST=$(dd_sha256 "$BASE_FILE")
    BASE_SIZE=$(dd_size "$BASE_FILE")
    dd_push_blob "$REG" fleet/app-1 "$BASE_FILE" >/dev/null || return 1
    rm -f "$dir/failed"
    local -a pids=() # never a bare `wait`: the registry is a child of this shell too
    for ((i = 1; i <= n; i++)); do
        { fleet_push_one "$i" "$dir" || touch "$dir/failed"; } &
        pids+=($!)
        if ((i % 4 == 0 || i == n)); then
            wait "${pids[@]}"
            pids=()
        fi
    done
    [ ! -e "$dir/failed" ]
}

fleet_api() { # METHOD PATH [JSON] -> body on stdout
    local -a a=(-sS --max-time 5 -X "$1" -H "Authorization: Bearer $TOKEN")
    [ -n "${3:-}" ] && a+=(-H 'Content-Type: application/json' --data-binary "$3")
    curl "${a[@]}" "$SURL$2"
}

fleet_cpu_s() { # PID... -> user+system CPU seconds of those processes (0 for gone ones)
    local p t=0 v
    for p in "$@"; do
        v=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null) || v=0
        t=$((t + ${v:-0}))
    done
    echo "scale=2; $t / $(getconf CLK_TCK)" | bc | xargs printf '%.2f'
}

fleet_start_redis() { # DIR PORT
    redis-server --port "$2" --bind 127.0.0.1 --dir "$1" --appendonly yes --save "" \
        --daemonize no --logfile "$1/redis.log" >/dev/null 2>&1 &
    REDIS_PID=$!
    FLEET_PIDS+=("$REDIS_PID")
    local i
    for i in $(seq 1 50); do
        [ "$(redis-cli -p "$2" ping 2>/dev/null)" = PONG ] && return 0
        sleep 0.1
    done
    return 1
}

fleet_scenario() {
    local sc=$1 nw=$2 conc=$3 n=$4 dir=$5
    local rport sport i verdict=ok note=
    mkdir -p "$dir/redis"
    rport=$(dd_free_port)
    fleet_start_redis "$dir/redis" "$rport" || { echo "   redis did not start" >&2; return 1; }
    sport=$(dd_free_port)
    TOKEN=bench-$RANDOM$RANDOM
    SURL=http://127.0.0.1:$sport
    fleet_scheduler_config "$dir/sched.json" "$sport" "$rport" "${SREG:-$REG}" "$TOKEN" "ev-$TOKEN"
    "$SCHED" --config "$dir/sched.json" --no-cron >"$dir/scheduler.log" 2>&1 &
    local spid=$!
    FLEET_PIDS+=("$spid")
    dd_wait_http "$SURL/healthz" 5 || { cat "$dir/scheduler.log" >&2; return 1; }
    local -a extra=() wpids=() wports=()
    [ "$sc" = kill ] || [ "$sc" = redis ] &&
        extra=(--set reclaim_idle_ms=5000 --set reclaim_interval_ms=500)
    if [[ $sc == *warm ]]; then
        # prime the fleet-wide layer cache with one scan of fleet/app-1, then forget its
        # events and counters so the checks below count only the rule's jobs
        "$WORKER" --redis "127.0.0.1:$rport" --enqueue "${SREG:-$REG}/fleet/app-1:1" >/dev/null
        "$WORKER" --redis "127.0.0.1:$rport" --name primer >"$dir/primer.log" 2>&1 &
        local ppid=$!
        for i in $(seq 1 300); do
            [ "$(redis-cli -p "$rport" get dd:metrics:jobs_done)" = 1 ] && break
            sleep 0.05
        done
        kill -TERM "$ppid"
        wait "$ppid"
        redis-cli -p "$rport" eval "for _, k in ipairs(redis.call('keys', 'dd:metrics:*')) do redis.call('del', k) end return redis.call('del', 'dd:events')" 0 >/dev/null
    fi
    local reg_cpu0 reg_cpu cpu_note
    reg_cpu0=$(fleet_cpu_s "$REG_PID")
    local log0 rule task t0 trun st j cnt fault_done=0 tstart expand_s
    log0=$(wc -l <"$REG_LOG")
    rule=$(fleet_api POST /api/v1/rules \
        '{"name":"fleet bench","scope":"namespace","namespace":"fleet","tag_regex":"^1$"}' |
        jq -r .id)
    diag_after_fault() {
        {
            for ((i = 1; i <= nw; i++)); do
                echo "worker-$i /healthz: $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
                    "http://127.0.0.1:${wports[i]}/healthz")"
            done
            echo "scheduler /healthz: $(curl -s --max-time 2 "$SURL/healthz")"
            echo "redis clients:"
            redis-cli -p "$rport" client list | awk '{ print "  " $2, $3, $NF }' | sed 's/cmd=/ last=/'
            echo "XLEN dd:jobs: $(redis-cli -p "$rport" xlen dd:jobs)"
            echo "XINFO GROUPS dd:jobs:"
            redis-cli -p "$rport" xinfo groups dd:jobs | paste -sd' '
            echo "XPENDING dd:jobs workers:"
            redis-cli -p "$rport" xpending dd:jobs workers | paste -sd' '
        } >"$1" 2>&1
    }
    start_workers() {
        for ((i = 1; i <= nw; i++)); do
            wports[i]=$(dd_free_port)
            "$WORKER" --redis "127.0.0.1:$rport" --name "worker-$i" --concurrency "$conc" \
                --http "127.0.0.1:${wports[i]}" --log-level "${FLEET_LOG_LEVEL:-info}" \
                "${extra[@]}" >"$dir/worker-$i.log" 2>&1 &
            wpids[i]=$!
            FLEET_PIDS+=("${wpids[i]}")
        done
    }
    # w1/w2 measure the workers: the rule is expanded (all jobs queued) before they start.
    # kill/redis run end to end: workers up first, the rule run feeds them as it expands.
    [ "$sc" = kill ] || [ "$sc" = redis ] && start_workers
    trun=$(date +%s%3N)
    task=$(fleet_api POST "/api/v1/rules/$rule/run" | jq -r .task_id)
    echo "   rule $rule task $task" >&2
    expand_s=n/a # kill/redis: the fault must not wait for the expansion
    if [[ $sc == w* ]]; then
        for i in $(seq 1 300); do
            st=$(fleet_api GET "/api/v1/tasks/$task" | jq -r .status)
            [ "$st" != EXPANDING ] && break
            sleep 0.05
        done
        expand_s=$(echo "scale=3; ($(date +%s%3N) - $trun) / 1000" | bc | xargs printf '%.2f')
    fi
    t0=$trun
    if [[ $sc == w[12]* ]]; then
        t0=$(date +%s%3N)
        start_workers
    fi
    for ((i = 1; i <= nw; i++)); do
        dd_wait_http "http://127.0.0.1:${wports[i]}/healthz" 5 || echo "   worker-$i no /healthz" >&2
    done
    tstart=$SECONDS
    if [ "$sc" = kill ] || [ "$sc" = redis ]; then
        # jobs take milliseconds once the base layer is cached: watch the fleet-wide counter
        # closely rather than the API, so the fault lands mid-run
        while [ $((SECONDS - tstart)) -lt 60 ]; do
            cnt=$(redis-cli -p "$rport" get dd:metrics:jobs_done)
            [ "${cnt:-0}" -ge $((n / 4)) ] 2>/dev/null && break
            sleep 0.01
        done
        fault_done=1
        fleet_fault "$sc" "$rport" "$dir" "${wpids[1]}" "${cnt:-0}"
    fi
    local limit=180
    [ "$sc" = redis ] && limit=30
    while [ $((SECONDS - tstart)) -lt $limit ]; do
        j=$(fleet_api GET "/api/v1/tasks/$task" 2>/dev/null) || j=
        st=$(jq -r '.status // empty' <<<"$j" 2>/dev/null)
        cnt=$(jq -r '(.counts.COMPLETE // 0) + (.counts.FAILED // 0)' <<<"$j" 2>/dev/null)
        [ "$st" = DONE ] || [ "$st" = FAILED ] && break
        if [ $fault_done = 0 ] && [ "${cnt:-0}" -ge $((n / 4)) ] 2>/dev/null; then
            fault_done=1
            fleet_fault "$sc" "$rport" "$dir" "${wpids[1]}" "$cnt"
        fi
        sleep 0.2
    done
    # the final task JSON (retry: right after a Redis restart the first call may fail)
    for i in 1 2 3 4 5; do
        j=$(fleet_api GET "/api/v1/tasks/$task") && jq -e .status <<<"$j" >/dev/null 2>&1 && break
        sleep 1
    done
    printf '%s\n' "$j" >"$dir/task.json"
    # Redis restart not survived: is anything lost in Redis, or are the old workers just
    # stuck? A fresh worker-3 gets $limit s more to finish the run from the same Redis.
    local rescue=
    if [ "$sc" = redis ] && [ "$(jq -r .status "$dir/task.json")" != DONE ]; then
        diag_after_fault "$dir/before-rescue.txt"
        rescue=$(jq -r '.counts.COMPLETE // 0' "$dir/task.json")
        "$WORKER" --redis "127.0.0.1:$rport" --name worker-3 --concurrency "$conc" \
            "${extra[@]}" >"$dir/worker-3.log" 2>&1 &
        FLEET_PIDS+=($!)
        tstart=$SECONDS
        while [ $((SECONDS - tstart)) -lt $limit ]; do
            j=$(fleet_api GET "/api/v1/tasks/$task" 2>/dev/null) || j=
            [ "$(jq -r '.status // empty' <<<"$j" 2>/dev/null)" = DONE ] && break
            sleep 0.5
        done
        printf '%s\n' "$j" >"$dir/task.json"
        rescue="old workers stuck at $rescue COMPLETE for $limit s; a fresh worker-3 then took it to $(jq -r .status "$dir/task.json") with $(jq -r '.counts.COMPLETE // 0' "$dir/task.json") COMPLETE in $((SECONDS - tstart)) s"
        FINDINGS+=("redis: $rescue; before worker-3: $(paste -sd';' "$dir/before-rescue.txt" | tr -s ' ')")
    fi
    # after a fault: can every process still talk to Redis?
    if [ "$sc" = redis ] || [ "$sc" = kill ]; then
        diag_after_fault "$dir/after-fault.txt"
        sed 's/^/   /' "$dir/after-fault.txt" >&2
    fi
    st=$(jq -r .status "$dir/task.json")
    local ncomp nother images last wall ips ev evjobs evbad gets lf hits attempts2
    images=$(jq -r '.images // 0' "$dir/task.json")
    ncomp=$(jq '[.jobs[]? | select(.status == "COMPLETE")] | length' "$dir/task.json")
    nother=$(jq '[.jobs[]? | select(.status != "COMPLETE")] | length' "$dir/task.json")
    attempts2=$(jq '[.jobs[]? | select((.attempt // 1) > 1)] | length' "$dir/task.json")
    last=$(jq '[.jobs[]?.finished_at // 0] | max // 0' "$dir/task.json")
    wall=$(echo "scale=3; ($last - $t0) / 1000" | bc | xargs printf '%.2f')
    ips=$(echo "scale=1; $ncomp / $wall" | bc 2>/dev/null || echo 0)
    TP[$sc]=$ips
    # steady state: first record to last (no worker start-up, no expansion); p50 of the
    # workers' own per-job time (delivery to final record, "ms=" in their log lines)
    local first steady p50
    first=$(jq '[.jobs[]?.finished_at // empty] | min // 0' "$dir/task.json")
    steady=$(echo "scale=1; ($ncomp - 1) * 1000 / ($last - $first)" | bc 2>/dev/null || echo n/a)
    p50=$(cat "$dir"/worker-*.log | grep 'status=COMPLETE' | grep -o ' ms=[0-9]*' | cut -d= -f2 |
        sort -n | awk '{ a[NR] = $1 } END { print (NR ? a[int((NR + 1) / 2)] : "n/a") }')
    STEADY[$sc]=$steady
    # per-job queue overhead: the workers' queue_us (BEGIN before the scan, report + FINAL
    # after matching: Redis round trips and scripts), p50 and p90
    local qp
    qp=$(cat "$dir"/worker-*.log | grep 'status=COMPLETE' | grep -o ' queue_us=[0-9]*' |
        cut -d= -f2 | sort -n | awk '{ a[NR] = $1 } END { if (NR) printf "%.1f/%.1f", a[int((NR + 1) / 2)] / 1000, a[int(NR * 0.9 + 0.5)] / 1000; else print "n/a" }')
    QUEUE_MS[$sc]=$qp
    python3 "$DD_SOURCE_DIR/bench/lib/fleet_events.py" "$rport" >"$dir/events.txt" 2>&1
    ev=$(awk '{ s += $1 } END { print s + 0 }' "$dir/events.txt")
    evjobs=$(grep -c . "$dir/events.txt")
    evbad=$(awk '$1 != 1' "$dir/events.txt" | grep -c .)
    gets=$(tail -n +"$((log0 + 1))" "$REG_LOG" | grep -c "\"GET /v2/[^ ]*/blobs/$BASE_DIGEST ")
    lf=$(redis-cli -p "$rport" get dd:metrics:layers_fetched)
    hits=$(redis-cli -p "$rport" get dd:metrics:layer_cache_hits)
    echo "   status=$st images=$images COMPLETE=$ncomp other=$nother wall=${wall}s" \
        "events=$ev/$evjobs jobs (not 1: $evbad) base GETs=$gets layers_fetched=$lf hits=$hits" \
        "attempt>1: $attempts2" >&2
    [ "$st" = DONE ] && [ "$ncomp" = "$n" ] && [ "$images" = "$n" ] || verdict=FAIL
    [ "$ev" = "$n" ] && [ "$evjobs" = "$n" ] && [ "$evbad" = 0 ] || verdict=FAIL
    [ "$nother" = 0 ] || FINDINGS+=("$sc: $nother images not COMPLETE: $(jq -c \
        '[.jobs[]? | select(.status != "COMPLETE") | {image, status, attempt, error}] | .[:3]' \
        "$dir/task.json")")
    [ "$st" = DONE ] || FINDINGS+=("$sc: task status $st after $limit s (counts $(jq -c .counts "$dir/task.json"))")
    [ "$evbad" = 0 ] || FINDINGS+=("$sc: jobs with != 1 completion event: $(awk '$1 != 1' "$dir/events.txt" | head -3 | tr '\n' ';')")
    if [ "${gets:-0}" -gt 1 ]; then
        FINDINGS+=("$sc: base layer fetched $gets times, not once (layers_fetched=$lf, cache hits=$hits): concurrent first jobs all miss dd:layer:* before any of them stores it")
    fi
    reg_cpu=$(echo "$(fleet_cpu_s "$REG_PID") - $reg_cpu0" | bc | xargs printf '%.2f')
    cpu_note="CPU s: workers $(fleet_cpu_s "${wpids[@]}"), registry $reg_cpu, redis $(fleet_cpu_s "$REDIS_PID"), scheduler $(fleet_cpu_s "$spid")"
    note=
    [ "$expand_s" != n/a ] && note="rule expanded in ${expand_s} s; "
    [[ $sc == w[12]* ]] && note+="timed from worker start, queue full; "
    [[ $sc == *warm ]] && note+="layer cache primed; "
    [ "$sc" = kill ] || [ "$sc" = redis ] && note+="timed from rule run; "
    [ "$sc" = kill ] && note+="attempt>1: $attempts2; "
    note+=$(cat "$dir/fault-note" 2>/dev/null)
    note="${note%; }; $cpu_note"
    [ -n "$rescue" ] && { note+="; $rescue"; verdict="FAIL: workers never reconnected (Redis data intact)"; }
    # SIGTERM the survivors: they should exit 0
    for ((i = 1; i <= nw; i++)); do
        kill -0 "${wpids[i]}" 2>/dev/null || continue
        kill -TERM "${wpids[i]}"
        local rc=0 k
        for k in $(seq 1 100); do kill -0 "${wpids[i]}" 2>/dev/null || break; sleep 0.1; done
        wait "${wpids[i]}"
        rc=$?
        [ $rc = 0 ] || FINDINGS+=("$sc: worker-$i exit status $rc after SIGTERM")
    done
    ROWS+=("| $sc$([ -n "$note" ] && echo " ($note)") | $nw | $wall | $ips | $steady | $p50 | $qp | $ncomp/$n | $nother | $ev events, $evjobs jobs, $evbad not 1 | $gets | $lf | $hits | $verdict |")
    fleet_stop_all_but_registry
}

fleet_stop_all_but_registry() {
    local p keep=()
    for p in "${FLEET_PIDS[@]}"; do
        if [ "$p" = "$REG_PID" ]; then keep+=("$p"); else dd_kill_pid "$p"; fi
    done
    FLEET_PIDS=("${keep[@]}")
}

# the fault of a scenario, injected once a quarter of the images are final
fleet_fault() {
    local sc=$1 rport=$2 dir=$3 w1=$4 cnt=$5 pend
    case $sc in
    kill)
        pend=$(redis-cli -p "$rport" xpending dd:jobs workers - + 1000 worker-1 | grep -c '^[0-9]*-[0-9]*$')
        kill -KILL "$w1"
        echo "   kill -9 worker-1 with $cnt/$nimg final, $pend of its jobs pending" >&2
        echo "killed w1 at $cnt final with $pend pending" >"$dir/fault-note"
        ;;
    redis)
        local t
        redis-cli -p "$rport" shutdown >/dev/null 2>&1
        for t in $(seq 1 50); do kill -0 "$REDIS_PID" 2>/dev/null || break; sleep 0.1; done
        echo "   redis shut down (AOF) at $cnt final; restarting in 2 s" >&2
        sleep 2
        fleet_start_redis "$dir/redis" "$rport" || echo "   redis did not restart" >&2
        echo "redis restarted at $cnt final" >"$dir/fault-note"
        ;;
    esac
}
