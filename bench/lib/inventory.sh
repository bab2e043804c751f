# inventory.sh - do drydock and Trivy find the same Debian packages?
#
#   bench_deb_set FILE.json       print "name version" per Debian package, sorted, unique
#   bench_inventory_diff KEY A.json B.json
#                                 print counts and the differences; the one-line verdict
#                                 ("same (N)" or "DIFFER: ...") goes to inventory-KEY.summary
#
# Packages are read from package URLs wherever they appear in the document (CycloneDX puts
# them in components[].purl): pkg:deb/<ns>/<name>@<version>?...&epoch=<e>. The version is
# percent-decoded, and an `epoch` qualifier (Trivy's spelling) becomes the "e:" prefix, so
# "login@4.13+dfsg1-1+deb12u2?epoch=1" and "login@1%3A4.13+dfsg1-1+deb12u2" compare equal.
# If a document has no deb purl at all, objects with name + version whose type/ecosystem
# mentions deb/dpkg/debian are used instead (a non-CycloneDX drydock JSON still compares).

bench_deb_set() {
    jq -r '
      def pdec: gsub("%2[Bb]"; "+") | gsub("%3[Aa]"; ":") | gsub("%7[Ee]"; "~")
                | gsub("%2[Ff]"; "/") | gsub("%25"; "%");
      . as $doc
      | [.. | strings | select(startswith("pkg:deb/"))
         | capture("^pkg:deb/(?:[^/]+/)?(?<n>[^@?#]+)@(?<v>[^?#]+)(?:\\?(?<q>[^#]*))?")
         | (.q // "" | [splits("&") | select(startswith("epoch=")) | ltrimstr("epoch=")]
            | first // "") as $e
         | (.v | pdec) as $v
         | "\(.n | pdec) \(if $e != "" and ($v | test(":") | not) then "\($e):" else "" end)\($v)"]
      | if length > 0 then .[] else
          ($doc | .. | objects | select((.name | type) == "string" and (.version | type) == "string")
              | select([.type, .ecosystem, .pkg_type, .kind, .source]
                       | map(strings | ascii_downcase) | any(test("deb|dpkg|debian")))
              | "\(.name) \(.version)")
        end' "$1" | sort -u
}

bench_inventory_diff() {
    local key=$1 a=$2 b=$3 tmp na nb only_a only_b
    tmp=$(mktemp -d)
    bench_deb_set "$a" >"$tmp/a" 2>"$tmp/a.err" || true
    bench_deb_set "$b" >"$tmp/b" 2>"$tmp/b.err" || true
    na=$(wc -l <"$tmp/a")
    nb=$(wc -l <"$tmp/b")
    comm -23 "$tmp/a" "$tmp/b" >"$tmp/only_a"
    comm -13 "$tmp/a" "$tmp/b" >"$tmp/only_b"
    only_a=$(wc -l <"$tmp/only_a")
    only_b=$(wc -l <"$tmp/only_b")
    {
        echo "inventory $key: drydock $na deb packages, trivy $nb deb packages"
        [ -s "$tmp/a.err" ] && sed 's/^/  drydock output: /' "$tmp/a.err" | head -3
        [ -s "$tmp/b.err" ] && sed 's/^/  trivy output: /' "$tmp/b.err" | head -3
        sed 's/^/  only drydock: /' "$tmp/only_a" | head -40
        sed 's/^/  only trivy:   /' "$tmp/only_b" | head -40
    } >"$BENCH_RUN_DIR/inventory-$key.txt"
    cat "$BENCH_RUN_DIR/inventory-$key.txt" >&2
    if [ "$na" -eq 0 ] && [ "$nb" -eq 0 ]; then
        echo "no deb packages found by either"
    elif [ "$only_a" -eq 0 ] && [ "$only_b" -eq 0 ]; then
        echo "same ($na)"
    else
        echo "DIFFER: drydock $na, trivy $nb; drydock-only $only_a, trivy-only $only_b"
    fi >"$BENCH_RUN_DIR/inventory-$key.summary"
    rm -rf "$tmp"
}
