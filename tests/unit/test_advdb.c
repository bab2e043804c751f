/* test_advdb.c - unit tests for common/advdb.c and common/advdb_build.c: build from the
 * hand-written tree in tests/fixtures/osv/tree, look up, verify, and survive corrupt files,
 * corrupt zips and zip bombs.
 *
 * Expected counts for the fixture tree, by hand: 10 JSON records parse (USN-9001-1,
 * UBUNTU-CVE-2099-0003, GHSA-aaaa-bbbb-cccc, GO-2099-0001, PYSEC-2099-1, DSA-9002-1,
 * ALPINE-CVE-2099-5000, ALSA-2099:0001 twice, GHSA-wwww-wwww-wwww withdrawn) -> 8 stored,
 * 1 withdrawn, 1 older duplicate; skipped: 3 malformed JSON (bad/) + 1 YAML.
 * The osv-bench figures (21,199 records, 86,554 index entries, per-ecosystem counts, 40
 * withdrawn, 43 duplicates) were computed independently with Python's zipfile and json
 * modules over ../shared/data/osv-bench/<Ecosystem>/all.zip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "advdb.h"
#include "advdb_build.h"

#define TREE DD_SOURCE_DIR "/tests/fixtures/osv/tree"

struct warns {
    int n;
    char last_where[512];
    char all[4096];
};

static void on_warn(const char *where, const char *msg, void *ctx)
{
    struct warns *w = ctx;
    w->n++;
    snprintf(w->last_where, sizeof(w->last_where), "%s", where);
    size_t l = strlen(w->all);
    snprintf(w->all + l, sizeof(w->all) - l, "%s: %s\n", where, msg);
}

struct tmp {
    char dir[64];
    char db[128];
};

static int tmp_setup(void **state)
{
    struct tmp *t = calloc(1, sizeof(*t));
    snprintf(t->dir, sizeof(t->dir), "/tmp/test_advdb.XXXXXX");
    if (mkdtemp(t->dir) == NULL)
        return -1;
    snprintf(t->db, sizeof(t->db), "%s/a.db", t->dir);
    *state = t;
    return 0;
}

static int tmp_teardown(void **state)
{
    struct tmp *t = *state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
    if (system(cmd) != 0)
        return -1;
    free(t);
    return 0;
}

static void build_tree(const char *db, struct warns *w, struct advdb_build_stats *st)
{
    struct advdb_builder *b = NULL;
    struct dd_error err = {0};
    assert_int_equal(advdb_builder_new(&b), 0);
    advdb_builder_set_warn(b, on_warn, w);
    assert_int_equal(advdb_builder_add_path(b, TREE, &err), 0);
    struct advdb_build_meta meta = {.source = "fixture tree",
                                    .built_at_s = (int64_t)time(NULL) - 3 * 3600};
    assert_int_equal(advdb_builder_write(b, db, &meta, &err), 0);
    advdb_builder_stats(b, st);
    advdb_builder_free(b);
}

struct hit {
    char id[64];
    size_t idx;
    size_t n_ranges, n_versions, n_affected;
    char severity[32];
    char summary[64];
    size_t other_ranges; /* ranges of entries that name another package */
};

struct hits {
    struct hit v[16];
    int n;
    int stop_after;
};

static int on_hit(const struct advisory *adv, size_t idx, void *ctx)
{
    struct hits *h = ctx;
    assert_true(h->n < 16);
    struct hit *x = &h->v[h->n++];
    snprintf(x->id, sizeof(x->id), "%s", adv->id);
    x->idx = idx;
    x->n_affected = adv->n_affected;
    x->n_ranges = adv->affected[idx].n_ranges;
    x->n_versions = adv->affected[idx].n_versions;
    snprintf(x->severity, sizeof(x->severity), "%s",
             adv->affected[idx].severity ? adv->affected[idx].severity : "-");
    snprintf(x->summary, sizeof(x->summary), "%s", adv->summary ? adv->summary : "-");
    /* entries naming another package are empty: no name, no ranges (advdb.h) */
    for (size_t i = 0; i < adv->n_affected; i++)
        if (adv->affected[i].name == NULL ||
            strcmp(adv->affected[i].name, adv->affected[idx].name) != 0)
            x->other_ranges += adv->affected[i].n_ranges + (adv->affected[i].ecosystem != NULL);
    return h->stop_after && h->n >= h->stop_after;
}

static int lookup(struct advdb *db, const char *eco, const char *name, struct hits *h)
{
    struct dd_error err = {0};
    memset(h, 0, sizeof(*h));
    assert_int_equal(advdb_lookup(db, eco, name, on_hit, h, &err), 0);
    return h->n;
}

static void test_advdb_build_tree_counts_and_warnings(void **state)
{
    struct tmp *t = *state;
    struct warns w = {0};
    struct advdb_build_stats st;
    build_tree(t->db, &w, &st);
    assert_int_equal(st.loaded, 9); /* 10 parsed, minus the withdrawn one */
    assert_int_equal(st.withdrawn, 1);
    assert_int_equal(st.duplicates, 1);
    assert_int_equal(st.skipped, 4);
    assert_int_equal(st.yaml, 1);
    assert_int_equal(w.n, 4);
    assert_non_null(strstr(w.all, TREE "/bad/GHSA-bad-type.json:GHSA-xxxx-bad0-type: "
                                       "affected[0].ranges[0].events[1]: 'fixed' must be a "
                                       "string\n"));
    assert_non_null(strstr(w.all, TREE "/bad/BAD-UTF8-1.json: invalid UTF-8"));
    assert_non_null(strstr(w.all, TREE "/bad/PYSEC-2099-9.yaml: YAML records are not read"));
    assert_non_null(strstr(w.all, TREE "/bad/TRUNC-1.json: JSON error"));

    struct advdb *db = NULL;
    struct dd_error err = {0};
    assert_int_equal(advdb_open(t->db, &db, &err), 0);
    assert_int_equal(advdb_record_count(db), 8);
    assert_int_equal(advdb_verify(db, &err), 0);
    int64_t age = advdb_age_s(db);
    assert_true(age >= 3 * 3600 && age < 3 * 3600 + 60);

    struct advdb_info info;
    assert_int_equal(advdb_get_info(db, &info, &err), 0);
    assert_int_equal(info.records, 8);
    assert_int_equal(info.skipped, 4);
    assert_int_equal(info.withdrawn, 1);
    assert_int_equal(info.duplicates, 1);
    assert_int_equal(info.format_version, 1);
    assert_string_equal(info.source, "fixture tree");
    assert_int_equal(strlen(info.built_at), 20);
    /* postings: USN 2, UBUNTU-CVE 1, GHSA 3, GO 1, PYSEC 1, DSA 1, ALPINE 2, ALSA 2 */
    assert_int_equal(info.entries, 13);
    static const struct {
        const char *eco;
        uint64_t n;
    } base[] = {{"AlmaLinux", 1}, {"Alpine", 1}, {"Debian", 1}, {"Go", 1},
                {"PyPI", 1},      {"Ubuntu", 2}, {"npm", 1}};
    assert_int_equal(info.n_ecosystems, 7);
    for (size_t i = 0; i < 7; i++) {
        assert_string_equal(info.ecosystems[i].ecosystem, base[i].eco);
        assert_int_equal(info.ecosystems[i].records, base[i].n);
    }
    assert_int_equal(info.n_variants, 11);
    assert_string_equal(info.variants[9].ecosystem, "Ubuntu:Pro:16.04:LTS");
    assert_int_equal(info.n_cursors, 0);
    assert_null(info.mirror);
    advdb_info_cleanup(&info);
    advdb_close(db);
}

static void test_advdb_lookup_semantics(void **state)
{
    struct tmp *t = *state;
    struct warns w = {0};
    struct advdb_build_stats st;
    struct advdb *db = NULL;
    struct dd_error err = {0};
    struct hits h;
    build_tree(t->db, &w, &st);
    assert_int_equal(advdb_open(t->db, &db, &err), 0);

    /* one package repeated across two affected entries: two calls, full entries */
    assert_int_equal(lookup(db, "npm", "examplelib", &h), 2);
    assert_string_equal(h.v[0].id, "GHSA-aaaa-bbbb-cccc");
    assert_int_equal(h.v[0].idx, 0);
    assert_int_equal(h.v[1].idx, 1);
    assert_int_equal(h.v[1].n_ranges, 1);
    assert_int_equal(h.v[0].n_affected, 3);
    assert_int_equal(h.v[0].other_ranges, 0); /* examplelib-es entry is shallow */
    assert_int_equal(lookup(db, "npm", "examplelib-es", &h), 1);
    assert_int_equal(h.v[0].idx, 2);
    /* exact names outside PyPI */
    assert_int_equal(lookup(db, "npm", "ExampleLib", &h), 0);
    /* PyPI: PEP 503 */
    assert_int_equal(lookup(db, "PyPI", "foo-bar-baz", &h), 1);
    assert_int_equal(lookup(db, "PyPI", "FOO.bar__baz", &h), 1);
    assert_int_equal(h.v[0].n_versions, 3);
    assert_int_equal(lookup(db, "PyPI", "foobarbaz", &h), 0);
    assert_int_equal(lookup(db, "pypi", "foo-bar-baz", &h), 0); /* ecosystem exact */
    /* distro ecosystems are exact, release included */
    assert_int_equal(lookup(db, "Ubuntu:22.04:LTS", "openssl", &h), 1);
    assert_string_equal(h.v[0].severity, "medium");
    assert_int_equal(lookup(db, "Ubuntu:Pro:16.04:LTS", "openssl", &h), 1);
    assert_int_equal(lookup(db, "Ubuntu", "openssl", &h), 0);
    assert_int_equal(lookup(db, "Ubuntu:22.04", "openssl", &h), 0);
    assert_int_equal(lookup(db, "Debian:12", "curl", &h), 1);
    assert_string_equal(h.v[0].severity, "high");
    assert_int_equal(lookup(db, "Alpine:v3.19", "musl", &h), 1);
    assert_int_equal(h.v[0].idx, 1);
    /* duplicate ID: the newer copy survives */
    assert_int_equal(lookup(db, "AlmaLinux:8", "bash", &h), 1);
    assert_string_equal(h.v[0].summary, "new copy");
    assert_int_equal(lookup(db, "AlmaLinux:9", "bash", &h), 1);
    /* withdrawn records are not stored */
    assert_int_equal(lookup(db, "npm", "withdrawnlib", &h), 0);
    assert_int_equal(lookup(db, "Go", "example.com/mod", &h), 1);
    assert_int_equal(lookup(db, "crates.io", "nothing", &h), 0);
    /* the callback stops the walk */
    memset(&h, 0, sizeof(h));
    h.stop_after = 1;
    assert_int_equal(advdb_lookup(db, "npm", "examplelib", on_hit, &h, &err), 0);
    assert_int_equal(h.n, 1);
    assert_int_equal(advdb_lookup(db, NULL, "x", on_hit, &h, &err), DD_EINVAL);
    advdb_close(db);
}

static int count_full(const struct advisory *adv, size_t idx, void *ctx)
{
    (void)idx;
    size_t *n = ctx;
    (*n)++;
    if (strcmp(adv->id, "GHSA-aaaa-bbbb-cccc") == 0) {
        assert_int_equal(adv->n_affected, 3);
        assert_int_equal(adv->affected[2].n_ranges, 1); /* foreach: complete records */
        assert_int_equal(adv->n_references, 2);
        assert_string_equal(adv->severity[1].type, "CVSS_V4");
        assert_string_equal(adv->db_severity, "HIGH");
    }
    return 0;
}

static void test_advdb_foreach_and_rebuild_round_trip(void **state)
{
    struct tmp *t = *state;
    struct warns w = {0};
    struct advdb_build_stats st;
    struct advdb *db = NULL, *db2 = NULL;
    struct dd_error err = {0};
    build_tree(t->db, &w, &st);
    assert_int_equal(advdb_open(t->db, &db, &err), 0);
    size_t n = 0;
    assert_int_equal(advdb_foreach(db, count_full, &n, &err), 0);
    assert_int_equal(n, 8);
    /* copy into a new builder: same records, same index */
    struct advdb_builder *b = NULL;
    char db2_path[160];
    snprintf(db2_path, sizeof(db2_path), "%s/b.db", t->dir);
    assert_int_equal(advdb_builder_new(&b), 0);
    assert_int_equal(advdb_builder_add_db(b, db, &err), 0);
    /* the same records again from their files: updates of copied records, not duplicates */
    assert_int_equal(advdb_builder_add_path(b, TREE "/ghsa", &err), 0);
    struct advdb_build_stats st2;
    advdb_builder_stats(b, &st2);
    assert_int_equal(st2.duplicates, 0);
    assert_int_equal(advdb_builder_count(b), 8);
    struct advdb_build_meta meta = {.source = "copy"};
    assert_int_equal(advdb_builder_write(b, db2_path, &meta, &err), 0);
    advdb_builder_free(b);
    assert_int_equal(advdb_open(db2_path, &db2, &err), 0);
    assert_int_equal(advdb_verify(db2, &err), 0);
    assert_int_equal(advdb_record_count(db2), 8);
    struct hits h;
    assert_int_equal(lookup(db2, "npm", "examplelib", &h), 2);
    assert_int_equal(lookup(db2, "PyPI", "foo_bar_baz", &h), 1);
    assert_true(advdb_age_s(db2) < 60);
    advdb_close(db2);
    advdb_close(db);
}

static void add_inline(struct advdb_builder *b, const char *json)
{
    struct dd_error err = {0};
    assert_int_equal(advdb_builder_add_json(b, (const uint8_t *)json, strlen(json), "inline", &err),
                     0);
}

static void test_advdb_withdrawal_and_duplicate_order(void **state)
{
    (void)state;
    struct advdb_builder *b = NULL;
    assert_int_equal(advdb_builder_new(&b), 0);
    add_inline(b, "{\"id\":\"A-1\",\"modified\":\"2099-01-02T00:00:00Z\",\"summary\":\"new\"}");
    add_inline(b, "{\"id\":\"A-1\",\"modified\":\"2099-01-01T00:00:00Z\",\"summary\":\"old\"}");
    assert_int_equal(advdb_builder_count(b), 1);
    add_inline(b, "{\"id\":\"B-1\",\"modified\":\"2099-01-01T00:00:00Z\"}");
    assert_int_equal(advdb_builder_count(b), 2);
    /* a later withdrawal removes the stored copy */
    add_inline(b, "{\"id\":\"B-1\",\"modified\":\"2099-02-01T00:00:00Z\","
                  "\"withdrawn\":\"2099-02-01T00:00:00Z\"}");
    assert_int_equal(advdb_builder_count(b), 1);
    /* an older copy arriving after the withdrawal stays out */
    add_inline(b, "{\"id\":\"B-1\",\"modified\":\"2099-01-15T00:00:00Z\"}");
    assert_int_equal(advdb_builder_count(b), 1);
    struct advdb_build_stats st;
    advdb_builder_stats(b, &st);
    assert_int_equal(st.withdrawn, 1);
    assert_int_equal(st.duplicates, 2);
    advdb_builder_free(b);
}

static void test_advdb_empty_db(void **state)
{
    struct tmp *t = *state;
    struct advdb_builder *b = NULL;
    struct advdb *db = NULL;
    struct dd_error err = {0};
    struct hits h;
    assert_int_equal(advdb_builder_new(&b), 0);
    struct advdb_build_meta meta = {.source = "nothing"};
    assert_int_equal(advdb_builder_write(b, t->db, &meta, &err), 0);
    advdb_builder_free(b);
    assert_int_equal(advdb_open(t->db, &db, &err), 0);
    assert_int_equal(advdb_record_count(db), 0);
    assert_int_equal(lookup(db, "npm", "x", &h), 0);
    assert_int_equal(advdb_verify(db, &err), 0);
    advdb_close(db);
    advdb_close(NULL);
}

static void write_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

static uint8_t *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc(*n);
    assert_int_equal(fread(p, 1, *n, f), *n);
    fclose(f);
    return p;
}

static void test_advdb_open_rejects_corrupt_files(void **state)
{
    struct tmp *t = *state;
    struct warns w = {0};
    struct advdb_build_stats st;
    struct advdb *db = NULL;
    struct dd_error err = {0};
    char bad[160];
    size_t n;
    build_tree(t->db, &w, &st);
    uint8_t *p = read_all(t->db, &n);
    snprintf(bad, sizeof(bad), "%s/bad.db", t->dir);

    assert_int_equal(advdb_open("/nonexistent/x.db", &db, &err), -ENOENT);
    assert_null(db);
    /* truncated */
    write_bytes(bad, p, n / 2);
    dd_error_clear(&err);
    assert_int_equal(advdb_open(bad, &db, &err), DD_EPARSE);
    assert_non_null(strstr(err.msg, "truncated or corrupt"));
    /* empty, and not ours */
    write_bytes(bad, p, 0);
    assert_int_equal(advdb_open(bad, &db, NULL), DD_EPARSE);
    write_bytes(bad,
                "SQLite format 3\0 and more bytes to pass the header size check......"
                "...............................................",
                112);
    assert_int_equal(advdb_open(bad, &db, NULL), DD_EPARSE);
    /* another format version */
    uint8_t *q = malloc(n);
    memcpy(q, p, n);
    q[8] = 99;
    write_bytes(bad, q, n);
    dd_error_clear(&err);
    assert_int_equal(advdb_open(bad, &db, &err), DD_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "format version 99"));
    /* records section overwritten: lookups and verify fail cleanly, no wild reads */
    struct advdb_header h;
    memcpy(&h, p, sizeof(h));
    memcpy(q, p, n);
    memset(q + h.records_off, 0xee, (size_t)h.records_len);
    write_bytes(bad, q, n);
    assert_int_equal(advdb_open(bad, &db, &err), 0);
    struct hits hh;
    memset(&hh, 0, sizeof(hh));
    assert_int_equal(advdb_lookup(db, "npm", "examplelib", on_hit, &hh, &err), DD_EPARSE);
    assert_int_equal(hh.n, 0);
    assert_int_not_equal(advdb_verify(db, &err), 0);
    advdb_close(db);
    db = NULL;
    /* every single-byte corruption of the index sections: open+lookup+verify never crash */
    for (size_t off = h.keys_off; off < h.strings_off; off += 7) {
        memcpy(q, p, n);
        q[off] ^= 0x5a;
        write_bytes(bad, q, n);
        if (advdb_open(bad, &db, NULL) == 0) {
            memset(&hh, 0, sizeof(hh));
            (void)advdb_lookup(db, "npm", "examplelib", on_hit, &hh, NULL);
            (void)advdb_verify(db, NULL);
            advdb_close(db);
            db = NULL;
        }
    }
    free(q);
    free(p);
}

/* A zip with the given entries, written by libarchive (independent of the reader path). */
static void make_zip(const char *path, const char *const *names, const char *const *bodies,
                     const size_t *sizes, size_t n)
{
    struct archive *a = archive_write_new();
    archive_write_set_format_zip(a);
    assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        size_t len = sizes ? sizes[i] : strlen(bodies[i]);
        archive_entry_set_pathname(e, names[i]);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, (la_int64_t)len);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        assert_int_equal(archive_write_data(a, bodies[i], len), (la_ssize_t)len);
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
}

static void test_advdb_zip_sources(void **state)
{
    struct tmp *t = *state;
    char zip[160], corrupt[160], bomb[160];
    snprintf(zip, sizeof(zip), "%s/all.zip", t->dir);
    snprintf(corrupt, sizeof(corrupt), "%s/corrupt.zip", t->dir);
    snprintf(bomb, sizeof(bomb), "%s/bomb.zip", t->dir);
    const char *names[] = {"Z-1.json", "README.txt", "sub/Z-2.json", "Z-3.json"};
    const char *bodies[] = {
        "{\"id\":\"Z-1\",\"modified\":\"t\",\"affected\":[{\"package\":{\"ecosystem\":\"crates."
        "io\","
        "\"name\":\"zzz\"},\"versions\":[\"0.1.0\"]}]}",
        "not a record",
        "{\"id\":\"Z-2\",\"modified\":\"t\"}",
        "{\"id\":\"Z-3\",\"modified\":5}",
    };
    make_zip(zip, names, bodies, NULL, 4);

    struct advdb_builder *b = NULL;
    struct dd_error err = {0};
    struct warns w = {0};
    assert_int_equal(advdb_builder_new(&b), 0);
    advdb_builder_set_warn(b, on_warn, &w);
    assert_int_equal(advdb_builder_add_path(b, zip, &err), 0);
    assert_int_equal(advdb_builder_count(b), 2);
    assert_int_equal(w.n, 1);
    assert_non_null(strstr(w.all, "/all.zip:Z-3.json:Z-3: 'modified' must be a string"));

    /* the same bytes from memory */
    size_t zn;
    uint8_t *zb = read_all(zip, &zn);
    assert_int_equal(advdb_builder_add_zip_mem(b, zb, zn, "mem.zip", &err), 0);
    assert_int_equal(advdb_builder_count(b), 2); /* same IDs, equal modified: replaced */

    /* corrupt: the zip cut in the middle of an entry */
    write_bytes(corrupt, zb, zn / 2);
    dd_error_clear(&err);
    assert_int_not_equal(advdb_builder_add_path(b, corrupt, &err), 0);
    assert_non_null(strstr(err.msg, "corrupt.zip"));
    dd_error_clear(&err);
    assert_int_not_equal(advdb_builder_add_zip_mem(b, "PK\3\4garbage", 11, "g.zip", &err), 0);
    free(zb);

    /* bomb: 9 MiB of spaces deflates to a few KiB; the entry cap stops it */
    size_t big = 9u << 20;
    char *spaces = malloc(big);
    memset(spaces, ' ', big);
    const char *bn[] = {"A-1.json", "BOMB.json"};
    const char *bb[] = {"{\"id\":\"A-1\",\"modified\":\"t\"}", spaces};
    size_t bs[] = {strlen(bb[0]), big};
    make_zip(bomb, bn, bb, bs, 2);
    free(spaces);
    struct stat sst;
    assert_int_equal(stat(bomb, &sst), 0);
    assert_true(sst.st_size < 200000);
    dd_error_clear(&err);
    assert_int_equal(advdb_builder_add_path(b, bomb, &err), DD_EBOMB);
    assert_non_null(strstr(err.msg, "BOMB.json"));
    /* the rest still loads: what came before the bomb stays, the builder still works */
    assert_int_equal(advdb_builder_count(b), 3);
    struct advdb_build_stats st;
    advdb_builder_stats(b, &st);
    assert_int_equal(st.failed_sources, 2);
    struct advdb_build_meta meta = {.source = "zips"};
    assert_int_equal(advdb_builder_write(b, t->db, &meta, &err), 0);
    advdb_builder_free(b);
    struct advdb *db = NULL;
    assert_int_equal(advdb_open(t->db, &db, &err), 0);
    struct hits h;
    assert_int_equal(lookup(db, "crates.io", "zzz", &h), 1);
    advdb_close(db);
}

static void test_advdb_source_errors(void **state)
{
    (void)state;
    struct advdb_builder *b = NULL;
    struct dd_error err = {0};
    assert_int_equal(advdb_builder_new(&b), 0);
    assert_int_equal(advdb_builder_add_path(b, "/nonexistent/osv", &err), -ENOENT);
    dd_error_clear(&err);
    assert_int_equal(advdb_builder_add_path(b, "/etc/hostname", &err), DD_EUNSUPPORTED);
    advdb_builder_free(b);
    advdb_builder_free(NULL);
}

static void test_advdb_normalize_name(void **state)
{
    (void)state;
    char out[32];
    assert_int_equal(advdb_normalize_name("PyPI", "Foo__Bar.-baz", out, sizeof(out)), 11);
    assert_string_equal(out, "foo-bar-baz");
    assert_int_equal(advdb_normalize_name("PyPI", "-A-", out, sizeof(out)), 3);
    assert_string_equal(out, "-a-");
    assert_int_equal(advdb_normalize_name("npm", "Foo__Bar", out, sizeof(out)), 8);
    assert_string_equal(out, "Foo__Bar");
    assert_int_equal(advdb_normalize_name("npm", "0123456789", out, 10), DD_ETOOBIG);
    assert_int_equal(advdb_normalize_name("PyPI", "0123456789", out, 10), DD_ETOOBIG);
}

static void test_advdb_real_osv_bench(void **state)
{
    struct tmp *t = *state;
    const char *base = DD_SOURCE_DIR "/../shared/data/osv-bench";
    static const char *const ecos[] = {"AlmaLinux", "Bitnami", "Go", "PyPI", "crates.io"};
    /* records per ecosystem with at least one stored entry (Python over the zips): 466
     * crates.io records are RustSec informational only */
    static const uint64_t want[] = {5637, 7444, 4274, 2651, 727};
    struct stat sst;
    if (stat(base, &sst) != 0) {
        print_message("skip: %s not present\n", base);
        skip();
    }
    struct advdb_builder *b = NULL;
    struct dd_error err = {0};
    assert_int_equal(advdb_builder_new(&b), 0);
    for (size_t i = 0; i < 5; i++) {
        char p[512];
        snprintf(p, sizeof(p), "%s/%s/all.zip", base, ecos[i]);
        assert_int_equal(advdb_builder_add_path(b, p, &err), 0);
    }
    struct advdb_build_meta meta = {.source = "osv-bench"};
    assert_int_equal(advdb_builder_write(b, t->db, &meta, &err), 0);
    struct advdb_build_stats st;
    advdb_builder_stats(b, &st);
    assert_int_equal(st.skipped, 0);
    assert_int_equal(st.withdrawn, 40);
    assert_int_equal(st.duplicates, 43);
    advdb_builder_free(b);
    struct advdb *db = NULL;
    struct advdb_info info;
    assert_int_equal(advdb_open(t->db, &db, &err), 0);
    assert_int_equal(advdb_verify(db, &err), 0);
    assert_int_equal(advdb_get_info(db, &info, &err), 0);
    assert_int_equal(info.records, 21199);
    /* counted in Python over the zips (newest record per ID, withdrawn skipped): 86,554
     * entries with a package, 466 of them RustSec informational (not stored) */
    assert_int_equal(info.entries, 86088);
    assert_int_equal(info.n_ecosystems, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(info.ecosystems[i].ecosystem, ecos[i]);
        assert_int_equal(info.ecosystems[i].records, want[i]);
    }
    advdb_info_cleanup(&info);
    advdb_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_advdb_build_tree_counts_and_warnings, tmp_setup,
                                        tmp_teardown),
        cmocka_unit_test_setup_teardown(test_advdb_lookup_semantics, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_advdb_foreach_and_rebuild_round_trip, tmp_setup,
                                        tmp_teardown),
        cmocka_unit_test(test_advdb_withdrawal_and_duplicate_order),
        cmocka_unit_test_setup_teardown(test_advdb_empty_db, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_advdb_open_rejects_corrupt_files, tmp_setup,
                                        tmp_teardown),
        cmocka_unit_test_setup_teardown(test_advdb_zip_sources, tmp_setup, tmp_teardown),
        cmocka_unit_test(test_advdb_source_errors),
        cmocka_unit_test(test_advdb_normalize_name),
        cmocka_unit_test_setup_teardown(test_advdb_real_osv_bench, tmp_setup, tmp_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
