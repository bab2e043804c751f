#!/bin/bash
# test_db_build.sh - `drydock db build` and `db info` from the command line.
#
# Checks: a build from the fixture tree prints located warnings "file:ID: reason" for every
# malformed record and the YAML file, a summary with per-ecosystem counts, exits 0 and leaves
# no FILE.tmp; --max-warnings caps the warnings and counts the rest; a corrupt zip among the
# sources is an error naming it, the DB is still written from the others and the exit code
# is 1; db info prints the build time and staleness; usage errors exit 2.
. "$(dirname "$0")/../lib/testlib.sh"
dd_test_init

TREE=$DD_SOURCE_DIR/tests/fixtures/osv/tree
DB=$DD_T/a.db

"$DRYDOCK" db build --from "$TREE" --out "$DB" >"$DD_T/out" 2>"$DD_T/err"
rc=$?
if [ $rc = 0 ]; then dd_ok "build: exit 0"; else dd_fail "build: exit $rc"; fi
if grep -qF "warning: $TREE/bad/GHSA-bad-type.json:GHSA-xxxx-bad0-type: affected[0].ranges[0].events[1]: 'fixed' must be a string" "$DD_T/err" &&
    grep -qF "warning: $TREE/bad/BAD-UTF8-1.json: invalid UTF-8" "$DD_T/err" &&
    grep -qF "warning: $TREE/bad/PYSEC-2099-9.yaml: YAML records are not read" "$DD_T/err"; then
    dd_ok "build: located warnings"
else
    dd_fail "build: warnings:"
    cat "$DD_T/err" >&2
fi
if [ "$(grep -c warning: "$DD_T/err")" = 4 ]; then dd_ok "build: 4 warnings"; else
    dd_fail "build: $(grep -c warning: "$DD_T/err") warnings"
fi
if grep -q "^built $DB: 8 records (3 skipped as malformed or unreadable, 1 YAML; 1 withdrawn; 1 older duplicates)" "$DD_T/out" &&
    grep -qE "^  Ubuntu +2$" "$DD_T/out"; then
    dd_ok "build: summary"
else
    dd_fail "build: summary:"
    cat "$DD_T/out" >&2
fi
if [ -e "$DB.tmp" ]; then dd_fail "build: $DB.tmp left behind"; else dd_ok "build: no .tmp left"; fi

"$DRYDOCK" db build --from "$TREE" --out "$DB" --max-warnings 1 >/dev/null 2>"$DD_T/err"
if [ "$(grep -c warning: "$DD_T/err")" = 1 ] && grep -q "3 more warnings not shown" "$DD_T/err"; then
    dd_ok "--max-warnings 1: one shown, three counted"
else
    dd_fail "--max-warnings: $(cat "$DD_T/err")"
fi

printf 'PK\003\004 this is not really a zip' >"$DD_T/bad.zip"
"$DRYDOCK" db build --from "$DD_T/bad.zip" --from "$TREE/ghsa" --out "$DD_T/b.db" >"$DD_T/out" 2>"$DD_T/err"
rc=$?
if [ $rc = 1 ] && grep -q "error: $DD_T/bad.zip" "$DD_T/err" && grep -q "^built $DD_T/b.db: 3 records" "$DD_T/out"; then
    dd_ok "corrupt zip: exit 1, named, the rest written"
else
    dd_fail "corrupt zip: rc $rc"
    cat "$DD_T/err" "$DD_T/out" >&2
fi

"$DRYDOCK" db info --db "$DB" >"$DD_T/out" 2>&1
if grep -qE "^built: +20[0-9-]+T[0-9:]+Z \([0-9]+s ago\)" "$DD_T/out" && grep -q "^records:   8 " "$DD_T/out"; then
    dd_ok "info: build time, age and counts"
else
    dd_fail "info:"
    cat "$DD_T/out" >&2
fi
DRYDOCK_DB=$DB "$DRYDOCK" db info >/dev/null 2>&1
rc=$?
if [ $rc = 0 ]; then dd_ok "info: \$DRYDOCK_DB honoured"; else dd_fail "info with \$DRYDOCK_DB: exit $rc"; fi
"$DRYDOCK" db info --db "$DD_T/bad.zip" >/dev/null 2>"$DD_T/err"
rc=$?
if [ $rc = 1 ] && grep -q "not a drydock advisory database" "$DD_T/err"; then
    dd_ok "info on a non-DB: exit 1 with a message"
else
    dd_fail "info on a non-DB: exit $rc"
fi

for args in "db" "db build --out $DD_T/x.db" "db build --from $TREE" "db frob" "db info extra"; do
    # shellcheck disable=SC2086
    "$DRYDOCK" $args >/dev/null 2>&1
    rc=$?
    if [ $rc = 2 ]; then dd_ok "usage '$args': exit 2"; else dd_fail "usage '$args': exit $rc"; fi
done

dd_finish
