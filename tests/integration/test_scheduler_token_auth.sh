#!/bin/bash
# test_scheduler_token_auth.sh - a namespace rule against a real docker-registry in token-auth
# mode (the Docker/distribution token protocol, as Harbor and most hosted registries speak
# it), with tests/lib/tokenserver.py as its token service (RS256 JWTs the registry verifies
# against a certificate made here by openssl).
#
#   - The rule, with credentials, expands: the catalog needs a token scoped
#     registry:catalog:*, each tag list and manifest one scoped repository:<repo>:pull; every
#     image is queued, none skipped.
#   - The registry refuses what the token does not grant: a catalog request with a
#     repository-scoped token gets 401 (so the scope really matters).
#   - Without credentials the run fails as a whole with a message naming the credentials,
#     and no password or token appears in the scheduler's log.
. "$(dirname "$0")/../lib/testlib.sh"
dd_test_init
. "$DD_SOURCE_DIR/tests/lib/oci.sh"
. "$DD_SOURCE_DIR/deploy/local/fleet.sh"
SCHED=${DD_BUILD_DIR:?DD_BUILD_DIR is required}/drydock-scheduler
[ -x "$SCHED" ] || { echo "FAIL: $SCHED missing" >&2; exit 1; }
dd_require_tool openssl docker-registry python3 jq curl

dd_start_redis || exit 1
# push with an open registry, then serve the same storage with token auth
fleet_start_registry "" "" "$DD_T/reg" || { echo "FAIL: registry" >&2; exit 1; }
N=3
for i in $(seq 1 $N); do
    fleet_push_image "$FLEET_REGISTRY" "fleet/app$i" 1.0 "s$i" "$DD_T" >/dev/null ||
        { echo "FAIL: push" >&2; exit 1; }
done
dd_kill_pid "$FLEET_REGISTRY_PID"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$DD_T/tok.key" -out "$DD_T/tok.pem" \
    -days 1 -subj "/CN=drydock-test-token-issuer" >/dev/null 2>&1 || { echo "FAIL: openssl" >&2; exit 1; }
TPORT=$(dd_free_port)
PASS=tok-pass-$RANDOM$RANDOM
python3 "$DD_SOURCE_DIR/tests/lib/tokenserver.py" --port "$TPORT" --key "$DD_T/tok.key" \
    --cert "$DD_T/tok.pem" --issuer drydock-test-issuer --user ci --password "$PASS" \
    --log "$DD_T/tokens.jsonl" 2>"$DD_T/tokenserver.log" &
dd_cleanup_push dd_kill_pid $!
dd_wait_http "http://127.0.0.1:$TPORT/" 5 || { cat "$DD_T/tokenserver.log" >&2; exit 1; }

RPORT=$(dd_free_port)
REG=127.0.0.1:$RPORT
cat >"$DD_T/reg/token.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $DD_T/reg/data
http:
  addr: $REG
auth:
  token:
    realm: http://127.0.0.1:$TPORT/token
    service: drydock-test-registry
    issuer: drydock-test-issuer
    rootcertbundle: $DD_T/tok.pem
EOF
docker-registry serve "$DD_T/reg/token.yml" >"$DD_T/reg/token-registry.log" 2>&1 &
dd_cleanup_push dd_kill_pid $!
dd_wait_http "http://$REG/v2/" 5 || { cat "$DD_T/reg/token-registry.log" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$REG/v2/_catalog")" = 401 ] &&
    dd_ok "registry demands a token" || dd_fail "registry without token auth"

# the scope matters: a repository-scoped token does not open the catalog
repo_tok=$(curl -s -u "ci:$PASS" "http://127.0.0.1:$TPORT/token?service=drydock-test-registry&scope=repository:fleet/app1:pull" | jq -r .token)
cat_tok=$(curl -s -u "ci:$PASS" "http://127.0.0.1:$TPORT/token?service=drydock-test-registry&scope=registry:catalog:*" | jq -r .token)
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $repo_tok" "http://$REG/v2/_catalog")" = 401 ] &&
    [ "$(curl -s -H "Authorization: Bearer $cat_tok" "http://$REG/v2/_catalog" | jq -c .repositories)" = '["fleet/app1","fleet/app2","fleet/app3"]' ] &&
    dd_ok "catalog: 401 with a repository-scoped token, listed with registry:catalog:*" ||
    dd_fail "catalog scope check"
: >"$DD_T/tokens.jsonl"

export DD_TOK_PASSWORD=$PASS
port=$(dd_free_port)
cat >"$DD_T/sched.json" <<EOF
{"listen_host": "127.0.0.1", "listen_port": $port, "token": "tok-api", "events_token": "tok-ev",
 "default_registry": "$REG", "redis": {"host": "127.0.0.1", "port": $DD_REDIS_PORT, "prefix": "dd:"},
 "credentials": {"ci": {"username": "ci", "password_env": "DD_TOK_PASSWORD"}}}
EOF
"$SCHED" --config "$DD_T/sched.json" --no-cron 2>"$DD_T/sched.log" &
dd_cleanup_push dd_kill_pid $!
URL=http://127.0.0.1:$port
dd_wait_http "$URL/healthz" 5 || { cat "$DD_T/sched.log" >&2; exit 1; }
api() { # METHOD PATH [JSON]
    curl -sS -X "$1" -H "Authorization: Bearer tok-api" ${3:+-H 'Content-Type: application/json' --data-binary "$3"} "$URL$2"
}
run_and_wait() { # RULE-ID -> task JSON on stdout once it left EXPANDING
    local task i t
    task=$(api POST "/api/v1/rules/$1/run" | jq -r .task_id)
    for i in $(seq 1 100); do
        t=$(api GET "/api/v1/tasks/$task")
        [ "$(jq -r .status <<<"$t")" != EXPANDING ] && break
        sleep 0.1
    done
    printf '%s\n' "$t"
}

rid=$(api POST /api/v1/rules "{\"name\":\"tok\",\"scope\":\"namespace\",\"namespace\":\"fleet\",
  \"registry\":{\"url\":\"$REG\",\"credentials\":\"ci\"}}" | jq -r .id)
t=$(run_and_wait "$rid")
echo "  with credentials: $(jq -c '{status, images, skipped, error}' <<<"$t")"
[ "$(jq -r .images <<<"$t")" = $N ] && [ "$(jq -r '.skipped // 0 | if type == "array" then length else . end' <<<"$t")" = 0 ] &&
    dd_ok "namespace rule through token auth: $N images queued, none skipped" ||
    dd_fail "task: $(jq -c . <<<"$t")"
jq -e -s '[.[] | select(.status == 200) | .scopes[]] | index("registry:catalog:*") != null' "$DD_T/tokens.jsonl" >/dev/null &&
    dd_ok "the catalog was read with a registry:catalog:* token" || dd_fail "tokens: $(cat "$DD_T/tokens.jsonl")"
for i in $(seq 1 $N); do
    jq -e -s --arg s "repository:fleet/app$i:pull" '[.[] | .scopes[]] | index($s) != null' "$DD_T/tokens.jsonl" >/dev/null ||
        dd_fail "no token for repository:fleet/app$i:pull"
done
dd_ok "tag lists and manifests with repository-scoped tokens"

rid2=$(api POST /api/v1/rules "{\"name\":\"anon\",\"scope\":\"namespace\",\"namespace\":\"fleet\",
  \"registry\":{\"url\":\"$REG\"}}" | jq -r .id)
t=$(run_and_wait "$rid2")
echo "  without credentials: $(jq -c '{status, images, error}' <<<"$t")"
[ "$(jq -r .status <<<"$t")" = FAILED ] && jq -r .error <<<"$t" | grep -qi "credentials\|401\|refused" &&
    dd_ok "without credentials: the run fails, naming the cause" || dd_fail "anonymous run: $(jq -c . <<<"$t")"
if grep -q "$PASS" "$DD_T/sched.log" || grep -q "$cat_tok" "$DD_T/sched.log"; then
    dd_fail "password or token in the scheduler log"
else
    dd_ok "no password or token in the scheduler log"
fi
dd_finish
