#!/bin/bash
# test_db_update.sh - `drydock db update` against a loopback OSV mirror with fault injection.
#
# The mirror is a directory laid out like OSV's bucket (<Ecosystem>/all.zip, modified_id.csv,
# <ID>.json), built here from tests/fixtures/osv/tree, served by a small Python HTTP server
# that logs every request path and injects the fault named in $M/.faults ("PATH MODE" lines,
# MODE one of 404, 500, truncate). Checks:
#   first run: every ecosystem's all.zip and modified_id.csv fetched (a name with a space is
#   URL-escaped), DB created with cursors; --ecosystems all reads ecosystems.txt (a hostile
#   name there is refused); incremental run: only the changed <ID>.json files
#   fetched, no all.zip, a new and a modified record visible; a withdrawal removes a record;
#   500, 404, truncated body, corrupt all.zip, a hostile ID and an unknown ecosystem: exit 1,
#   a message naming the URL, the old DB byte-for-byte unchanged, no DB.new left behind.
. "$(dirname "$0")/../lib/testlib.sh"
dd_test_init
dd_require_tool sha256sum

TREE=$DD_SOURCE_DIR/tests/fixtures/osv/tree
M=$DD_T/mirror
DB=$DD_T/cache/advisories.db
LOG=$DD_T/requests.log
mkdir -p "$M"

# --- the mirror ---------------------------------------------------------------------------
mkzip() { # mkzip OUT.zip FILE... (entries keep their base names)
    python3 - "$@" <<'EOF'
import sys, zipfile, os
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for f in sys.argv[2:]:
        z.write(f, os.path.basename(f))
EOF
}
mkdir -p "$M/npm" "$M/PyPI" "$M/Rocky Linux"
cp "$TREE/ghsa/GHSA-aaaa-bbbb-cccc.json" "$M/npm/"
cp "$TREE/ghsa/PYSEC-2099-1.json" "$M/PyPI/"
cat >"$M/Rocky Linux/RLSA-2099:0001.json" <<'EOF'
{"id": "RLSA-2099:0001", "modified": "2099-01-05T00:00:00Z", "summary": "bash update",
 "affected": [{"package": {"ecosystem": "Rocky Linux:9", "name": "bash"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.1.8-9.el9"}]}]}]}
EOF
mkzip "$M/npm/all.zip" "$M/npm/GHSA-aaaa-bbbb-cccc.json"
mkzip "$M/PyPI/all.zip" "$M/PyPI/PYSEC-2099-1.json"
mkzip "$M/Rocky Linux/all.zip" "$M/Rocky Linux/RLSA-2099:0001.json"
printf '2099-03-01T10:00:00Z,GHSA-aaaa-bbbb-cccc\n' >"$M/npm/modified_id.csv"
printf '2099-05-01T00:00:00Z,PYSEC-2099-1\n' >"$M/PyPI/modified_id.csv"
printf '2099-01-05T00:00:00Z,RLSA-2099:0001\n' >"$M/Rocky Linux/modified_id.csv"
: >"$M/.faults"

cat >"$DD_T/mirror.py" <<'EOF'
import http.server, os, sys, urllib.parse
root, log = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def do_GET(self):
        path = urllib.parse.unquote(self.path)
        with open(log, "a") as f:
            f.write(self.path + "\n")  # raw: shows the URL escaping
        faults = {}
        with open(os.path.join(root, ".faults")) as f:
            for line in f:
                if line.strip():
                    p, mode = line.rsplit(None, 1)
                    faults[p] = mode
        mode = faults.get(path)
        full = os.path.join(root, path.lstrip("/"))
        if mode in ("404", "500") or not os.path.isfile(full):
            code = 500 if mode == "500" else 404
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = open(full, "rb").read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "truncate":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[3])), H).serve_forever()
EOF
PORT=$(dd_free_port)
python3 "$DD_T/mirror.py" "$M" "$LOG" "$PORT" &
SRV=$!
dd_cleanup_push "dd_kill_pid $SRV"
URL=http://127.0.0.1:$PORT
if ! dd_wait_http "$URL/npm/modified_id.csv" 5; then
    echo "FAIL: the mirror did not start" >&2
    exit 1
fi

ECOS="npm,PyPI,Rocky Linux"
run_update() { # run_update LABEL [extra args]
    local label=$1
    shift
    : >"$LOG"
    DD_OUT=$DD_T/out.txt
    DD_ERR=$DD_T/err.txt
    timeout 60 "$DRYDOCK" db update --mirror "$URL" --ecosystems "$ECOS" --db "$DB" \
        --retries 0 "$@" >"$DD_OUT" 2>"$DD_ERR"
    DD_RC=$?
    if [ "$DD_RC" -ge 99 ] || grep -q "Sanitizer" "$DD_ERR"; then
        dd_fail "$label: crashed or sanitizer report (rc $DD_RC)"
        cat "$DD_ERR" >&2
    fi
}
requested() { grep -qxF "$1" "$LOG"; }
query() { "$DRYDOCK" db query --db "$DB" "$1" "$2" 2>&1; }

# --- first run --------------------------------------------------------------------------------
run_update "first run"
if [ "$DD_RC" = 0 ]; then dd_ok "first run: exit 0"; else
    dd_fail "first run: exit $DD_RC"
    cat "$DD_ERR" >&2
fi
for p in /npm/all.zip /PyPI/all.zip /Rocky%20Linux/all.zip /npm/modified_id.csv \
    /Rocky%20Linux/modified_id.csv; do
    if requested "$p"; then dd_ok "first run fetched $p"; else dd_fail "first run did not fetch $p"; fi
done
"$DRYDOCK" db info --db "$DB" >"$DD_T/info.txt" 2>&1
if grep -q "^records:   3 " "$DD_T/info.txt" &&
    grep -q "cursor:    npm 2099-03-01T10:00:00Z" "$DD_T/info.txt" &&
    grep -q "cursor:    Rocky Linux 2099-01-05T00:00:00Z" "$DD_T/info.txt" &&
    grep -q "source:    $URL" "$DD_T/info.txt"; then
    dd_ok "first run: db info shows 3 records and the cursors"
else
    dd_fail "first run: db info:"
    cat "$DD_T/info.txt" >&2
fi
if query "Rocky Linux:9" bash | grep -q "^RLSA-2099:0001"; then dd_ok "Rocky Linux record indexed"; else
    dd_fail "Rocky Linux record missing"
fi

# --- --ecosystems all: the list comes from <mirror>/ecosystems.txt ---------------------------
printf 'npm\nPyPI\r\nRocky Linux\n\n' >"$M/ecosystems.txt"
: >"$LOG"
"$DRYDOCK" db update --mirror "$URL/" --ecosystems all --db "$DD_T/all.db" --retries 0 \
    >"$DD_T/out.txt" 2>"$DD_T/err.txt"
rc=$?
if [ $rc = 0 ] && requested /ecosystems.txt && requested /Rocky%20Linux/all.zip &&
    grep -q "3 records (was 0); 3 ecosystem(s) from all.zip" "$DD_T/out.txt"; then
    dd_ok "--ecosystems all: read ecosystems.txt, 3 ecosystems"
else
    dd_fail "--ecosystems all: rc $rc"
    cat "$DD_T/err.txt" "$DD_T/out.txt" >&2
fi
printf 'npm\n../etc\n' >"$M/ecosystems.txt"
"$DRYDOCK" db update --mirror "$URL" --ecosystems all --db "$DD_T/all.db" --retries 0 \
    >/dev/null 2>"$DD_T/err.txt"
rc=$?
if [ $rc = 1 ] && grep -q "is not an ecosystem name" "$DD_T/err.txt"; then
    dd_ok "--ecosystems all: a hostile name in ecosystems.txt is refused"
else
    dd_fail "--ecosystems all with '../etc': rc $rc"
fi

# --- incremental: one new npm record, one modified PyPI record ------------------------------
cat >"$M/npm/GHSA-nnnn-nnnn-nnnn.json" <<'EOF'
{"id": "GHSA-nnnn-nnnn-nnnn", "modified": "2099-10-01T00:00:00Z", "summary": "new one",
 "affected": [{"package": {"ecosystem": "npm", "name": "newlib"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.1"}]}]}]}
EOF
printf '2099-10-01T00:00:00Z,GHSA-nnnn-nnnn-nnnn\n2099-03-01T10:00:00Z,GHSA-aaaa-bbbb-cccc\n' \
    >"$M/npm/modified_id.csv"
sed 's/"modified": "2099-05-01T00:00:00Z"/"modified": "2099-10-02T00:00:00Z"/; s/"1.1rc1"/"1.1rc1", "1.2"/' \
    "$TREE/ghsa/PYSEC-2099-1.json" >"$M/PyPI/PYSEC-2099-1.json"
printf '2099-10-02T00:00:00Z,PYSEC-2099-1\n2099-05-01T00:00:00Z,PYSEC-2099-1\n' \
    >"$M/PyPI/modified_id.csv"
run_update "incremental"
if [ "$DD_RC" = 0 ]; then dd_ok "incremental: exit 0"; else
    dd_fail "incremental: exit $DD_RC"
    cat "$DD_ERR" >&2
fi
if requested /npm/GHSA-nnnn-nnnn-nnnn.json && requested /PyPI/PYSEC-2099-1.json; then
    dd_ok "incremental: fetched exactly the changed records"
else
    dd_fail "incremental: changed records not fetched"
fi
if grep -q "all.zip\|GHSA-aaaa-bbbb-cccc.json\|RLSA" "$LOG"; then
    dd_fail "incremental: fetched more than the changes:"
    cat "$LOG" >&2
else
    dd_ok "incremental: no all.zip, no unchanged record"
fi
if [ "$(wc -l <"$LOG")" = 5 ]; then dd_ok "incremental: 5 requests (3 csv + 2 records)"; else
    dd_fail "incremental: $(wc -l <"$LOG") requests"
fi
if query npm newlib | grep -q "^GHSA-nnnn-nnnn-nnnn" &&
    query PyPI foo-bar-baz | grep -q "modified=2099-10-02T00:00:00Z.*versions=4" &&
    query npm examplelib | grep -q "^GHSA-aaaa-bbbb-cccc"; then
    dd_ok "incremental: new record added, modified record replaced, old ones kept"
else
    dd_fail "incremental: DB content wrong"
fi
if grep -q "4 records (was 3)" "$DD_OUT"; then dd_ok "incremental: summary line"; else
    dd_fail "incremental: summary: $(cat "$DD_OUT")"
fi

# --- a nothing-changed run fetches only the csv files ---------------------------------------
run_update "no change"
if [ "$DD_RC" = 0 ] && [ "$(wc -l <"$LOG")" = 3 ]; then dd_ok "no change: 3 csv requests only"; else
    dd_fail "no change: rc $DD_RC, $(wc -l <"$LOG") requests"
fi

# --- withdrawal -------------------------------------------------------------------------------
cat >"$M/npm/GHSA-nnnn-nnnn-nnnn.json" <<'EOF'
{"id": "GHSA-nnnn-nnnn-nnnn", "modified": "2099-11-01T00:00:00Z", "withdrawn": "2099-11-01T00:00:00Z",
 "affected": [{"package": {"ecosystem": "npm", "name": "newlib"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.1"}]}]}]}
EOF
printf '2099-11-01T00:00:00Z,GHSA-nnnn-nnnn-nnnn\n2099-10-01T00:00:00Z,GHSA-nnnn-nnnn-nnnn\n' \
    >"$M/npm/modified_id.csv"
run_update "withdrawal"
if [ "$DD_RC" = 0 ] && [ -z "$(query npm newlib)" ] && grep -q "3 records (was 4)" "$DD_OUT"; then
    dd_ok "withdrawal: record removed"
else
    dd_fail "withdrawal: rc $DD_RC, query: $(query npm newlib)"
fi

# --- faults: the old DB keeps serving ---------------------------------------------------------
SUM=$(sha256sum <"$DB")
expect_failure() { # LABEL GREP-PATTERN
    if [ "$DD_RC" = 1 ]; then dd_ok "$1: exit 1"; else dd_fail "$1: exit $DD_RC (want 1)"; fi
    if grep -q "$2" "$DD_ERR" && grep -q "was left unchanged" "$DD_ERR"; then
        dd_ok "$1: message says why"
    else
        dd_fail "$1: stderr lacks '$2':"
        cat "$DD_ERR" >&2
    fi
    if [ "$(sha256sum <"$DB")" = "$SUM" ] && [ ! -e "$DB.new" ] && [ ! -e "$DB.new.tmp" ] &&
        [ ! -e "$DB.dl.zip" ]; then
        dd_ok "$1: old DB unchanged, no leftovers"
    else
        dd_fail "$1: DB changed or leftovers: $(ls "$(dirname "$DB")")"
    fi
}
cat >"$M/npm/GHSA-ffff-ffff-ffff.json" <<'EOF'
{"id": "GHSA-ffff-ffff-ffff", "modified": "2099-12-01T00:00:00Z",
 "affected": [{"package": {"ecosystem": "npm", "name": "faultlib"}, "versions": ["1.0.0"]}]}
EOF
printf '2099-12-01T00:00:00Z,GHSA-ffff-ffff-ffff\n2099-11-01T00:00:00Z,GHSA-nnnn-nnnn-nnnn\n' \
    >"$M/npm/modified_id.csv"

echo "/npm/GHSA-ffff-ffff-ffff.json 500" >"$M/.faults"
run_update "HTTP 500"
expect_failure "HTTP 500" "GHSA-ffff-ffff-ffff.json: HTTP 500"

echo "/npm/GHSA-ffff-ffff-ffff.json 404" >"$M/.faults"
run_update "HTTP 404"
expect_failure "HTTP 404" "GHSA-ffff-ffff-ffff.json: 404 not found"

echo "/npm/GHSA-ffff-ffff-ffff.json truncate" >"$M/.faults"
run_update "truncated body"
expect_failure "truncated body" "GHSA-ffff-ffff-ffff.json: .*transfer closed\|partial\|truncat"

: >"$M/.faults"
head -c 100 "$M/PyPI/all.zip" >"$DD_T/short.zip"
cp "$M/PyPI/all.zip" "$DD_T/good.zip"
cp "$DD_T/short.zip" "$M/PyPI/all.zip"
run_update "corrupt all.zip" --full
expect_failure "corrupt all.zip" "PyPI/all.zip: .*corrupt zip\|PyPI/all.zip: .*Truncated"
cp "$DD_T/good.zip" "$M/PyPI/all.zip"

echo "/npm/all.zip truncate" >"$M/.faults"
run_update "truncated all.zip" --full
expect_failure "truncated all.zip" "npm/all.zip"
: >"$M/.faults"

printf '2099-12-02T00:00:00Z,../../../etc/passwd\n' >"$DD_T/csv"
cat "$M/npm/modified_id.csv" >>"$DD_T/csv"
cp "$M/npm/modified_id.csv" "$DD_T/csv.good"
cp "$DD_T/csv" "$M/npm/modified_id.csv"
run_update "hostile ID"
expect_failure "hostile ID" "is not a plain ID"
cp "$DD_T/csv.good" "$M/npm/modified_id.csv"

ECOS="npm,NoSuchEcosystem"
run_update "unknown ecosystem"
expect_failure "unknown ecosystem" "NoSuchEcosystem/all.zip: 404"
ECOS="npm,PyPI,Rocky Linux"

# --- and after all that, a clean run goes through -----------------------------------------------
run_update "recovery"
if [ "$DD_RC" = 0 ] && query npm faultlib | grep -q "^GHSA-ffff-ffff-ffff"; then
    dd_ok "recovery: the pending change is applied once the mirror behaves"
else
    dd_fail "recovery: rc $DD_RC"
    cat "$DD_ERR" >&2
fi

# --- usage errors ---------------------------------------------------------------------------------
"$DRYDOCK" db update --ecosystems "" --db "$DB" >/dev/null 2>&1
rc=$?
if [ $rc = 2 ]; then dd_ok "empty --ecosystems: exit 2"; else dd_fail "empty --ecosystems: exit $rc"; fi
"$DRYDOCK" db info --db "$DD_T/none.db" >/dev/null 2>"$DD_T/e"
rc=$?
if [ $rc = 1 ] && grep -q "none.db" "$DD_T/e"; then dd_ok "info on a missing DB: exit 1"; else
    dd_fail "info on a missing DB: exit $rc"
fi

dd_finish
