# inventory_types.sh - drydock's inventory against Trivy's, per package type.
#
#   bench_purl_set FILE TYPE      print "name@version" per package of TYPE, sorted, unique
#   bench_purl_entries FILE TYPE  how many packages of TYPE the document lists (duplicates
#                                 kept: the same name@version under two file paths counts 2)
#   bench_inventory_types KEY DRYDOCK.json TRIVY.cdx.json
#       writes inventory-types-KEY.tsv (type, drydock entries, drydock unique, trivy entries,
#       trivy unique, same, only drydock, only trivy) and inventory-types-KEY.txt (every
#       name@version on one side only) in $BENCH_RUN_DIR
#   bench_inventory_types_report KEY   the markdown table + differences (stdout)
#
# Both sides are read from package URLs: drydock's JSON has one `purl` per package, Trivy's
# CycloneDX one per component. A purl is pkg:<type>/<namespace>/<name>@<version>?<qualifiers>;
# segments and the version are percent-decoded, npm's scope keeps its "@", Maven's
# group/artifact becomes "group:artifact" (drydock's naming), qualifiers are dropped. Debian
# packages go through bench_deb_set (inventory.sh), which folds Trivy's `epoch=` qualifier into
# the version. The types are those both tools support (BENCH_INV_TYPES). The Trivy build of
# LAB.md writes cargo-auditable crates as `pkg:rustbinary/...` (not a registered purl type;
# upstream Trivy writes pkg:cargo): those count as cargo.

BENCH_INV_TYPES=${BENCH_INV_TYPES:-deb npm pypi golang maven gem composer nuget cargo}

# jq: every purl of an object that has one (drydock packages[], CycloneDX components[]).
BENCH_PURLS_JQ='.. | objects | select(has("purl")) | .purl | strings'

bench_purl_set() {
    local file=$1 type=$2
    if [ "$type" = deb ]; then
        bench_deb_set "$file" | awk '{ print $1 "@" $2 }'
        return
    fi
    jq -r --arg t "$type" "$BENCH_PURLS_JQ"' | select(startswith("pkg:" + $t + "/")
          or ($t == "cargo" and startswith("pkg:rustbinary/")))
      | sub("^pkg:[^/]+/"; "") | sub("[?#].*$"; "")
      | capture("^(?<p>.*)@(?<v>[^@]*)$")
      | def pdec: gsub("%40"; "@") | gsub("%2[Bb]"; "+") | gsub("%3[Aa]"; ":")
                  | gsub("%2[Ff]"; "/") | gsub("%7[Ee]"; "~") | gsub("%20"; " ") | gsub("%25"; "%");
        (.p | split("/") | map(pdec)) as $seg
      | (if $t == "maven" and ($seg | length) >= 2
         then ($seg[:-1] | join(".")) + ":" + $seg[-1] else $seg | join("/") end) as $n
      | "\($n)@\(.v | pdec)"' "$file" | LC_ALL=C sort -u
}

bench_purl_entries() {
    local file=$1 type=$2
    jq -r --arg t "$type" "[$BENCH_PURLS_JQ"' | select(startswith("pkg:" + $t + "/")
          or ($t == "cargo" and startswith("pkg:rustbinary/")))] | length' \
        "$file"
}

bench_inventory_types() {
    local key=$1 a=$2 b=$3 t tmp ea eb na nb same oa ob
    tmp=$(mktemp -d)
    : >"$BENCH_RUN_DIR/inventory-types-$key.tsv"
    : >"$BENCH_RUN_DIR/inventory-types-$key.txt"
    for t in $BENCH_INV_TYPES; do
        bench_purl_set "$a" "$t" >"$tmp/a" 2>/dev/null || : >"$tmp/a"
        bench_purl_set "$b" "$t" >"$tmp/b" 2>/dev/null || : >"$tmp/b"
        ea=$(bench_purl_entries "$a" "$t" 2>/dev/null || echo 0)
        eb=$(bench_purl_entries "$b" "$t" 2>/dev/null || echo 0)
        na=$(wc -l <"$tmp/a")
        nb=$(wc -l <"$tmp/b")
        same=$(LC_ALL=C comm -12 "$tmp/a" "$tmp/b" | wc -l)
        LC_ALL=C comm -23 "$tmp/a" "$tmp/b" >"$tmp/oa"
        LC_ALL=C comm -13 "$tmp/a" "$tmp/b" >"$tmp/ob"
        oa=$(wc -l <"$tmp/oa")
        ob=$(wc -l <"$tmp/ob")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$ea" "$na" "$eb" "$nb" "$same" "$oa" "$ob" \
            >>"$BENCH_RUN_DIR/inventory-types-$key.tsv"
        {
            sed "s/^/$t only drydock: /" "$tmp/oa"
            sed "s/^/$t only trivy:   /" "$tmp/ob"
        } >>"$BENCH_RUN_DIR/inventory-types-$key.txt"
    done
    rm -rf "$tmp"
    bench_log "inventory by type, $key: $(awk -F'\t' '{ printf "%s %s/%s ", $1, $3, $5 }' \
        "$BENCH_RUN_DIR/inventory-types-$key.tsv")(drydock/trivy unique name@version)"
}

bench_inventory_types_report() {
    local key=$1
    [ -s "$BENCH_RUN_DIR/inventory-types-$key.tsv" ] || return 0
    echo "### $key"
    echo
    echo "| type | drydock packages (unique name@version) | trivy packages (unique) | same | only drydock | only trivy |"
    echo "|---|---|---|---|---|---|"
    awk -F'\t' '{ printf "| %s | %d (%d) | %d (%d) | %d | %d | %d |\n", $1, $2, $3, $4, $5, $6, $7, $8 }' \
        "$BENCH_RUN_DIR/inventory-types-$key.tsv"
    if [ -s "$BENCH_RUN_DIR/inventory-types-$key.txt" ]; then
        echo
        echo '```'
        head -n 200 "$BENCH_RUN_DIR/inventory-types-$key.txt"
        echo '```'
    fi
    echo
}
