/* test_rpmdb.c - rpm header blobs and the sqlite / Berkeley DB / NDB readers.
 *
 * tests/fixtures/os/rpm/ is made by make_rpmdb.sh with rpm 4.18 and db5.3_load from the spec
 * files in rpm-specs/; the expected values below are the ones written in those spec files
 * (and listed by `rpm -qa` in rpm/qa.txt).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "rpmdb.h"

#define FIX DD_SOURCE_DIR "/tests/fixtures/os/rpm/"

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    uint8_t *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* ---- building synthetic headers ---------------------------------------------------------- */

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

struct ent {
    uint32_t tag, type, off, count;
};

/* il/dl as given (may lie), entries, then dl_real bytes of store. Returns the blob length. */
static size_t build_raw(uint8_t *buf, uint32_t il, uint32_t dl, const struct ent *e, size_t n,
                        const void *store, size_t dl_real)
{
    put_be32(buf, il);
    put_be32(buf + 4, dl);
    for (size_t i = 0; i < n; i++) {
        put_be32(buf + 8 + 16 * i, e[i].tag);
        put_be32(buf + 12 + 16 * i, e[i].type);
        put_be32(buf + 16 + 16 * i, e[i].off);
        put_be32(buf + 20 + 16 * i, e[i].count);
    }
    memcpy(buf + 8 + 16 * n, store, dl_real);
    return 8 + 16 * n + dl_real;
}

/* A well-formed header with NAME, VERSION, RELEASE, ARCH and optional SOURCERPM / EPOCH. */
static size_t build_simple(uint8_t *buf, const char *name, const char *srpm, int epoch)
{
    char store[512];
    struct ent e[8];
    size_t n = 0, o = 0;
    /* EPOCH first so its offset is aligned. */
    if (epoch >= 0) {
        put_be32((uint8_t *)store, (uint32_t)epoch);
        e[n++] = (struct ent){1003, 4, 0, 1};
        o = 4;
    }
    const char *strs[] = {name, "1.2", "3.fc39", "x86_64", srpm};
    const uint32_t tags[] = {1000, 1001, 1002, 1022, 1044};
    for (size_t i = 0; i < 5; i++) {
        if (strs[i] == NULL)
            continue;
        size_t l = strlen(strs[i]) + 1;
        memcpy(store + o, strs[i], l);
        e[n++] = (struct ent){tags[i], 6, (uint32_t)o, 1};
        o += l;
    }
    return build_raw(buf, (uint32_t)n, (uint32_t)o, e, n, store, o);
}

/* ---- header parsing ---------------------------------------------------------------------- */

static void test_rpmdb_header_parse_simple_and_sourcerpm(void **state)
{
    (void)state;
    uint8_t buf[1024];
    struct pkg p;
    struct dd_error err = {0};

    size_t n = build_simple(buf, "openssl-libs", "openssl-3.0.7-24.el9.src.rpm", 1);
    assert_int_equal(rpm_header_parse(buf, n, &p, &err), 0);
    assert_int_equal(p.type, PKG_TYPE_RPM);
    assert_string_equal(p.name, "openssl-libs");
    assert_string_equal(p.version, "1.2");
    assert_string_equal(p.release, "3.fc39");
    assert_string_equal(p.arch, "x86_64");
    assert_int_equal(p.epoch, 1);
    assert_string_equal(p.src_name, "openssl");
    assert_string_equal(p.src_version, "3.0.7-24.el9");
    assert_null(p.licence);
    assert_null(p.file_path);
    pkg_cleanup(&p);

    struct {
        const char *srpm, *src_name, *src_version;
    } cases[] = {
        {"a-b-c.nosrc.rpm", "a", "b-c"},
        {"my-pkg-name-2.0-1.src.rpm", "my-pkg-name", "2.0-1"},
        {"noversion.src.rpm", "p", "1.2-3.fc39"}, /* unusable: fall back to name, v-r */
        {"x-1-2.rpm", "p", "1.2-3.fc39"},
        {"-1-2.src.rpm", "p", "1.2-3.fc39"},
        {"a--2.src.rpm", "p", "1.2-3.fc39"},
        {"a-1-.src.rpm", "p", "1.2-3.fc39"},
        {NULL, "p", "1.2-3.fc39"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        n = build_simple(buf, "p", cases[i].srpm, -1);
        assert_int_equal(rpm_header_parse(buf, n, &p, NULL), 0);
        assert_string_equal(p.src_name, cases[i].src_name);
        assert_string_equal(p.src_version, cases[i].src_version);
        assert_int_equal(p.epoch, -1);
        pkg_cleanup(&p);
    }
}

static void expect_fail(const uint8_t *buf, size_t n, int code)
{
    struct pkg p;
    memset(&p, 0x5a, sizeof(p)); /* untouched on failure */
    struct dd_error err = {0};
    assert_int_equal(rpm_header_parse(buf, n, &p, &err), code);
    assert_int_equal(err.code, code);
    assert_true(err.msg[0] != '\0');
    assert_int_equal(p.epoch, 0x5a5a5a5a);
}

static void test_rpmdb_header_parse_hostile(void **state)
{
    (void)state;
    uint8_t buf[1024] = {0};
    const char s[] = "name\0"
                     "1.0\0"
                     "unterminated";
    struct ent e[2];

    expect_fail(buf, 0, DD_ETRUNC);
    expect_fail((const uint8_t *)"\0\0\0\1", 4, DD_ETRUNC);
    /* il = 0, il huge, il * 16 overflowing 32 bits, dl over the cap. */
    e[0] = (struct ent){1000, 6, 0, 1};
    expect_fail(buf, build_raw(buf, 0, 5, e, 0, s, 5), DD_EPARSE);
    expect_fail(buf, build_raw(buf, 0x10000, 5, e, 1, s, 5), DD_EPARSE);
    expect_fail(buf, build_raw(buf, 0xffffffffu, 5, e, 1, s, 5), DD_EPARSE);
    expect_fail(buf, build_raw(buf, 1, 0xfffffff0u, e, 1, s, 5), DD_EPARSE);
    /* il/dl larger than the blob: truncated. */
    expect_fail(buf, build_raw(buf, 2, 5, e, 1, s, 5), DD_ETRUNC);
    expect_fail(buf, build_raw(buf, 1, 6, e, 1, s, 5), DD_ETRUNC);
    /* String offset outside the store; string running off the end of the store. */
    e[0] = (struct ent){1000, 6, 9, 1};
    expect_fail(buf, build_raw(buf, 1, 9, e, 1, s, 9), DD_EPARSE);
    e[0] = (struct ent){1000, 6, 9, 1};
    expect_fail(buf, build_raw(buf, 1, sizeof(s) - 1, e, 1, s, sizeof(s) - 1), DD_EPARSE);
    e[0] = (struct ent){1000, 6, 0xffffffffu, 1};
    expect_fail(buf, build_raw(buf, 1, 9, e, 1, s, 9), DD_EPARSE);
    /* Wrong types: NAME as INT32, unknown type, EPOCH as string / past the end, count 0. */
    e[0] = (struct ent){1000, 4, 0, 1};
    expect_fail(buf, build_raw(buf, 1, 9, e, 1, s, 9), DD_EPARSE);
    e[0] = (struct ent){1000, 77, 0, 1};
    expect_fail(buf, build_raw(buf, 1, 9, e, 1, s, 9), DD_EPARSE);
    e[0] = (struct ent){1000, 6, 0, 1};
    e[1] = (struct ent){1003, 6, 0, 1};
    expect_fail(buf, build_raw(buf, 2, 9, e, 2, s, 9), DD_EPARSE);
    e[1] = (struct ent){1003, 4, 6, 1};
    expect_fail(buf, build_raw(buf, 2, 9, e, 2, s, 9), DD_EPARSE);
    e[1] = (struct ent){1001, 6, 5, 0};
    expect_fail(buf, build_raw(buf, 2, 9, e, 2, s, 9), DD_EPARSE);
    /* Region tag with a trailer outside the store, or the wrong shape. */
    e[0] = (struct ent){63, 7, 0, 16};
    expect_fail(buf, build_raw(buf, 1, 9, e, 1, s, 9), DD_EPARSE);
    e[0] = (struct ent){62, 7, 0, 4};
    expect_fail(buf, build_raw(buf, 1, 9, e, 1, s, 9), DD_EPARSE);
    /* Well-formed but without VERSION. */
    e[0] = (struct ent){1000, 6, 0, 1};
    expect_fail(buf, build_raw(buf, 1, 9, e, 1, s, 9), DD_EPARSE);
    /* Negative EPOCH. */
    uint8_t st2[16] = {0xff, 0xff, 0xff, 0xfe, 'n', 0, '1', 0};
    struct ent e3[3] = {{1003, 4, 0, 1}, {1000, 6, 4, 1}, {1001, 6, 6, 1}};
    expect_fail(buf, build_raw(buf, 3, 8, e3, 3, st2, 8), DD_EPARSE);
    /* ... and the same header with a sane epoch parses: the failures above are targeted. */
    st2[0] = st2[1] = st2[2] = 0;
    st2[3] = 7;
    struct pkg p;
    assert_int_equal(rpm_header_parse(buf, build_raw(buf, 3, 8, e3, 3, st2, 8), &p, NULL), 0);
    assert_int_equal(p.epoch, 7);
    assert_string_equal(p.name, "n");
    pkg_cleanup(&p);
}

/* A real header from the sqlite fixture: every truncation fails cleanly. */
static void test_rpmdb_header_parse_every_truncation(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(FIX "rpmdb.sqlite", &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT blob FROM Packages ORDER BY hnum", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    size_t n = (size_t)sqlite3_column_bytes(st, 0);
    uint8_t *blob = malloc(n);
    assert_non_null(blob);
    memcpy(blob, sqlite3_column_blob(st, 0), n);
    sqlite3_finalize(st);
    sqlite3_close(db);

    struct pkg p;
    assert_int_equal(rpm_header_parse(blob, n, &p, NULL), 0);
    /* rpm installs in its own order: the first row is one of the four fixture packages. */
    assert_non_null(strstr(" alpha beta delta libgamma-libs ", p.name));
    assert_int_equal(strlen(p.name) >= 4, 1);
    pkg_cleanup(&p);
    for (size_t k = 0; k < n; k++) {
        uint8_t *cut = malloc(k ? k : 1); /* exact-size copy so ASan sees any over-read */
        assert_non_null(cut);
        memcpy(cut, blob, k);
        assert_int_not_equal(rpm_header_parse(cut, k, &p, NULL), 0);
        free(cut);
    }
    free(blob);
}

/* ---- databases --------------------------------------------------------------------------- */

static void expect_fixture_pkgs(struct pkg_list *l, const char *path)
{
    assert_int_equal(l->n, 4);
    pkg_list_sort(l);
    struct {
        const char *name, *version, *release, *arch, *licence, *src, *src_version;
        int epoch;
    } want[] = {
        {"alpha", "1.0", "1", "noarch", "MIT", "alpha", "1.0-1", -1},
        {"beta", "2.5.1", "3.el9", "x86_64", "GPL-2.0-or-later AND LGPL-2.1-only", "beta",
         "2.5.1-3.el9", 2},
        {"delta", "0.9~rc1", "7", "noarch", "BSD-3-Clause", "delta", "0.9~rc1-7", -1},
        {"libgamma-libs", "3.0.7", "24.el9", "x86_64", "Apache-2.0", "gamma", "3.0.7-24.el9", -1},
    };
    for (size_t i = 0; i < 4; i++) {
        const struct pkg *p = &l->v[i];
        assert_int_equal(p->type, PKG_TYPE_RPM);
        assert_string_equal(p->name, want[i].name);
        assert_string_equal(p->version, want[i].version);
        assert_string_equal(p->release, want[i].release);
        assert_string_equal(p->arch, want[i].arch);
        assert_string_equal(p->licence, want[i].licence);
        assert_string_equal(p->src_name, want[i].src);
        assert_string_equal(p->src_version, want[i].src_version);
        assert_int_equal(p->epoch, want[i].epoch);
        assert_string_equal(p->file_path, path);
    }
}

static void parse_fixture_ok(const char *file, const char *path)
{
    size_t len;
    uint8_t *data = read_file(file, &len);
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(rpmdb_parse(path, data, len, &l, &err), 0);
    assert_int_equal(err.code, 0);
    expect_fixture_pkgs(&l, path);
    pkg_list_cleanup(&l);
    free(data);
}

/* ---- file lists ---------------------------------------------------------------------------- */

struct files {
    char v[8][128];
    size_t n;
};

static int collect_file(const char *path, size_t len, void *ctx)
{
    struct files *f = ctx;
    assert_int_equal(strlen(path), len);
    if (f->n < 8)
        snprintf(f->v[f->n++], sizeof(f->v[0]), "%s", path);
    return 0;
}

/* The real rpm database of tests/fixtures/os/rpm/files (README: rpmbuild + rpm --justdb):
 * the paths `rpm -ql python3-fixture` prints, without the leading '/'. */
static void test_rpmdb_files_of_a_real_database(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = read_file(FIX "files/rpmdb.sqlite", &len);
    struct pkg_list l;
    struct files f = {0};
    struct dd_error err = {0};
    pkg_list_init(&l);
    assert_int_equal(
        rpmdb_parse_files("var/lib/rpm/rpmdb.sqlite", data, len, &l, collect_file, &f, &err), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].name, "python3-fixture");
    assert_int_equal(f.n, 3);
    assert_string_equal(f.v[0], "usr/bin/fixture-tool");
    assert_string_equal(f.v[1], "usr/lib/python3.9/site-packages/six-1.16.0.dist-info/METADATA");
    assert_string_equal(f.v[2], "usr/share/java/fixture.jar");
    pkg_list_cleanup(&l);
    /* the analyzer keeps the two an application analyzer reads */
    struct file_facts ff;
    file_facts_init(&ff);
    assert_int_equal(analyzer_rpm.parse("var/lib/rpm/rpmdb.sqlite", data, len, &ff, &err), 0);
    assert_int_equal(ff.n_owned, 2);
    assert_string_equal(ff.owned[0],
                        "usr/lib/python3.9/site-packages/six-1.16.0.dist-info/METADATA");
    assert_string_equal(ff.owned[1], "usr/share/java/fixture.jar");
    file_facts_cleanup(&ff);
    free(data);
}

/* Hostile file lists: a directory index past DIRNAMES, counts past the store, wrong types. */
static void test_rpmdb_files_hostile(void **state)
{
    (void)state;
    uint8_t buf[1024];
    struct files f = {0};
    struct dd_error err = {0};
    /* store: DIRINDEXES [0, 5] | BASENAMES "a\0b\0" | DIRNAMES "/usr/\0" */
    uint8_t store[64] = {0};
    put_be32(store, 0);
    put_be32(store + 4, 5);
    memcpy(store + 8, "a\0b\0", 4);
    memcpy(store + 12, "/usr/\0", 6);
    struct ent bad_index[] = {{1116, 4, 0, 2}, {1117, 8, 8, 2}, {1118, 8, 12, 1}};
    size_t n = build_raw(buf, 3, 18, bad_index, 3, store, 18);
    assert_int_equal(rpm_header_files(buf, n, collect_file, &f, &err), DD_EPARSE);
    assert_non_null(strstr(err.msg, "directory 5 of 1"));
    struct ent too_many[] = {{1116, 4, 0, 2}, {1117, 8, 8, 9}, {1118, 8, 12, 1}};
    n = build_raw(buf, 3, 18, too_many, 3, store, 18);
    assert_int_equal(rpm_header_files(buf, n, collect_file, &f, &err), DD_EPARSE);
    struct ent wrong_type[] = {{1116, 4, 0, 2}, {1117, 6, 8, 2}, {1118, 8, 12, 1}};
    n = build_raw(buf, 3, 18, wrong_type, 3, store, 18);
    assert_int_equal(rpm_header_files(buf, n, collect_file, &f, &err), DD_EPARSE);
    struct ent idx_past_end[] = {{1116, 4, 16, 2}, {1117, 8, 8, 2}, {1118, 8, 12, 1}};
    n = build_raw(buf, 3, 18, idx_past_end, 3, store, 18);
    assert_int_equal(rpm_header_files(buf, n, collect_file, &f, &err), DD_EPARSE);
    /* and the good one: both files under /usr/ once the index is fixed */
    put_be32(store + 4, 0);
    f.n = 0;
    n = build_raw(buf, 3, 18, bad_index, 3, store, 18);
    assert_int_equal(rpm_header_files(buf, n, collect_file, &f, &err), 0);
    assert_int_equal(f.n, 2);
    assert_string_equal(f.v[0], "usr/a");
    assert_string_equal(f.v[1], "usr/b");
}

static void test_rpmdb_parse_sqlite(void **state)
{
    (void)state;
    parse_fixture_ok(FIX "rpmdb.sqlite", "var/lib/rpm/rpmdb.sqlite");
}

static void test_rpmdb_parse_bdb(void **state)
{
    (void)state;
    parse_fixture_ok(FIX "Packages", "var/lib/rpm/Packages");
}

static void test_rpmdb_parse_ndb(void **state)
{
    (void)state;
    parse_fixture_ok(FIX "Packages.db", "usr/lib/sysimage/rpm/Packages.db");
}

static void test_rpmdb_parse_sqlite_wal_header(void **state)
{
    (void)state;
    /* rpm leaves its databases in WAL mode: file format bytes 18/19 = 2. */
    size_t len;
    uint8_t *data = read_file(FIX "rpmdb.sqlite", &len);
    data[18] = data[19] = 2;
    struct pkg_list l;
    pkg_list_init(&l);
    assert_int_equal(rpmdb_parse("r", data, len, &l, NULL), 0);
    expect_fixture_pkgs(&l, "r");
    pkg_list_cleanup(&l);
    free(data);
}

static void test_rpmdb_parse_sqlite_corrupt(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = read_file(FIX "rpmdb.sqlite", &len);
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};

    /* Truncated to its first pages. */
    assert_int_not_equal(rpmdb_parse("r", data, 2048, &l, &err), 0);
    assert_int_not_equal(err.code, 0);
    pkg_list_cleanup(&l);

    /* Garbage in every page after the first (schema page kept). */
    uint8_t *bad = malloc(len);
    assert_non_null(bad);
    memcpy(bad, data, len);
    for (size_t i = 512; i < len; i++)
        bad[i] = (uint8_t)(i * 131 + 7);
    dd_error_clear(&err);
    assert_int_not_equal(rpmdb_parse("r", bad, len, &l, &err), 0);
    assert_int_not_equal(err.code, 0);
    pkg_list_cleanup(&l);

    /* Bit flips spread over the file: any result, never a crash or a leak. */
    for (int round = 0; round < 64; round++) {
        memcpy(bad, data, len);
        for (size_t i = (size_t)round * 37 + 100; i < len; i += 997)
            bad[i] ^= (uint8_t)(round + 1);
        dd_error_clear(&err);
        (void)rpmdb_parse("r", bad, len, &l, &err);
        pkg_list_cleanup(&l);
    }
    free(bad);
    free(data);
}

static void test_rpmdb_parse_sqlite_without_packages_table(void **state)
{
    (void)state;
    /* A genuine sqlite file made by sqlite itself, but not an rpm database. */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE t(x); INSERT INTO t VALUES(1);"
                                  "CREATE VIEW Packages AS SELECT x AS blob FROM t;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_int64 sz = 0;
    unsigned char *img = sqlite3_serialize(db, "main", &sz, 0);
    assert_non_null(img);
    sqlite3_close(db);
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(rpmdb_parse("r", img, (size_t)sz, &l, &err), DD_EPARSE);
    assert_non_null(strstr(err.msg, "Packages"));
    assert_int_equal(l.n, 0);
    sqlite3_free(img);
}

/* Minimal BDB hash file: meta page, one hash page, overflow pages; 512-byte pages, LE. */
static void bdb_page_hdr(uint8_t *pg, uint32_t pgno, uint32_t next, uint16_t entries, uint16_t hf,
                         uint8_t type)
{
    memset(pg, 0, 26);
    memcpy(pg + 8, &pgno, 4);
    memcpy(pg + 16, &next, 4);
    memcpy(pg + 20, &entries, 2);
    memcpy(pg + 22, &hf, 2);
    pg[25] = type;
}

static uint8_t *bdb_make(size_t npages, uint32_t ov_pgno, uint32_t tlen)
{
    const uint32_t ps = 512;
    uint8_t *f = calloc(npages, ps);
    assert_non_null(f);
    uint32_t magic = 0x00061561, pagesize = ps;
    memcpy(f + 12, &magic, 4);
    memcpy(f + 20, &pagesize, 4);
    f[25] = 8;
    /* page 1: key (H_KEYDATA, 4-byte key 1) at 507, data (H_OFFPAGE) at 495 */
    uint8_t *pg = f + ps;
    bdb_page_hdr(pg, 1, 0, 2, 0, 13);
    uint16_t koff = 507, doff = 495;
    memcpy(pg + 26, &koff, 2);
    memcpy(pg + 28, &doff, 2);
    pg[507] = 1;
    pg[508] = 1;
    pg[doff] = 3;
    memcpy(pg + doff + 4, &ov_pgno, 4);
    memcpy(pg + doff + 8, &tlen, 4);
    return f;
}

static void test_rpmdb_parse_bdb_inline_items(void **state)
{
    (void)state;
    /* Small headers sit on the hash page itself (H_KEYDATA); rpm's key 0 is not a package.
     * Items are laid out downwards from the page end: key0, data0, key1, data1. */
    const size_t ps = 512;
    uint8_t *f = bdb_make(2, 0, 0);
    uint8_t *pg = f + ps;
    uint8_t h[256];
    size_t hl = build_simple(h, "zlib", "zlib-1.2.13-5.fc39.src.rpm", -1);
    uint16_t off[4];
    size_t at = ps;
    at -= 5; /* key 0 */
    off[0] = (uint16_t)at;
    memset(pg + at, 0, 5);
    pg[at] = 1;
    at -= 5; /* data of key 0: next instance number */
    off[1] = (uint16_t)at;
    memset(pg + at, 0, 5);
    pg[at] = 1;
    pg[at + 1] = 9;
    at -= 5; /* key 1 */
    off[2] = (uint16_t)at;
    memset(pg + at, 0, 5);
    pg[at] = 1;
    pg[at + 1] = 1;
    at -= 1 + hl; /* data of key 1: the header */
    off[3] = (uint16_t)at;
    pg[at] = 1;
    memcpy(pg + at + 1, h, hl);
    bdb_page_hdr(pg, 1, 0, 4, 0, 13);
    memcpy(pg + 26, off, sizeof(off));

    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(rpmdb_parse("b", f, 2 * ps, &l, &err), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].name, "zlib");
    assert_string_equal(l.v[0].src_version, "1.2.13-5.fc39");
    pkg_list_cleanup(&l);
    free(f);
}

static void test_rpmdb_parse_bdb_hostile(void **state)
{
    (void)state;
    const size_t ps = 512;
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};

    /* Overflow page pointing at itself: the loop is cut, not followed forever. */
    uint8_t *f = bdb_make(3, 2, 1000);
    bdb_page_hdr(f + 2 * ps, 2, 2, 0, 10, 7);
    assert_int_equal(rpmdb_parse("b", f, 3 * ps, &l, &err), DD_EPARSE);
    assert_non_null(strstr(err.msg, "overflow"));
    assert_int_equal(l.n, 0);
    free(f);

    /* Chain pointing past the end of the file; to page 0; a non-overflow page. */
    uint32_t targets[] = {9, 0, 1};
    for (size_t i = 0; i < 3; i++) {
        f = bdb_make(3, targets[i], 100);
        dd_error_clear(&err);
        assert_int_equal(rpmdb_parse("b", f, 3 * ps, &l, &err), DD_EPARSE);
        free(f);
    }

    /* Declared total larger than the whole file could hold. */
    f = bdb_make(3, 2, 0x7fffffff);
    bdb_page_hdr(f + 2 * ps, 2, 0, 0, 10, 7);
    dd_error_clear(&err);
    assert_int_equal(rpmdb_parse("b", f, 3 * ps, &l, &err), DD_EPARSE);
    free(f);

    /* Overflow page claiming more bytes than the page holds. */
    f = bdb_make(3, 2, 600);
    bdb_page_hdr(f + 2 * ps, 2, 0, 0, 600, 7);
    dd_error_clear(&err);
    assert_int_equal(rpmdb_parse("b", f, 3 * ps, &l, &err), DD_EPARSE);
    free(f);

    /* Item offsets out of bounds; too many entries for the page. */
    f = bdb_make(2, 2, 10);
    uint16_t wild = 600;
    memcpy(f + ps + 28, &wild, 2);
    dd_error_clear(&err);
    assert_int_equal(rpmdb_parse("b", f, 2 * ps, &l, &err), DD_EPARSE);
    uint16_t many = 400;
    memcpy(f + ps + 20, &many, 2);
    dd_error_clear(&err);
    assert_int_equal(rpmdb_parse("b", f, 2 * ps, &l, &err), DD_EPARSE);
    free(f);

    /* Bad page size; encrypted; truncated below one page. */
    f = bdb_make(2, 2, 10);
    uint32_t odd = 1000;
    memcpy(f + 20, &odd, 4);
    dd_error_clear(&err);
    assert_int_equal(rpmdb_parse("b", f, 2 * ps, &l, &err), DD_EPARSE);
    free(f);
    f = bdb_make(2, 2, 10);
    f[24] = 1;
    dd_error_clear(&err);
    assert_int_equal(rpmdb_parse("b", f, 2 * ps, &l, &err), DD_EUNSUPPORTED);
    free(f);

    /* The real fixture cut mid-file keeps going without reading past the end. */
    size_t len;
    uint8_t *data = read_file(FIX "Packages", &len);
    for (size_t cut = 4096; cut < len; cut += 4096 + 100) {
        uint8_t *c = malloc(cut);
        assert_non_null(c);
        memcpy(c, data, cut);
        dd_error_clear(&err);
        (void)rpmdb_parse("b", c, cut, &l, &err);
        pkg_list_cleanup(&l);
        free(c);
    }
    free(data);
}

static size_t ndb_put_blob(uint8_t *f, size_t blkoff, uint32_t pkgidx, const uint8_t *h,
                           uint32_t hl)
{
    uint8_t *b = f + blkoff * 16;
    memcpy(b, "BlbS", 4);
    memcpy(b + 4, &pkgidx, 4);
    memset(b + 8, 0, 4);
    memcpy(b + 12, &hl, 4);
    memcpy(b + 16, h, hl);
    memset(b + 16 + hl, 0, 4);
    memcpy(b + 20 + hl, &hl, 4);
    memcpy(b + 24 + hl, "BlbE", 4);
    return (28 + hl + 15) / 16;
}

static void test_rpmdb_parse_ndb_gpg_pubkey_and_damage(void **state)
{
    (void)state;
    uint8_t *f = calloc(1, 8192);
    assert_non_null(f);
    memcpy(f, "RpmP", 4);
    uint32_t one = 1;
    memcpy(f + 12, &one, 4);
    for (size_t s = 2; s < 256; s++)
        memcpy(f + s * 16, "Slot", 4);
    uint8_t h[512];
    size_t blk = 256;
    uint32_t slots[4][3];
    size_t hl = build_simple(h, "gpg-pubkey", NULL, -1);
    slots[0][0] = 1, slots[0][1] = (uint32_t)blk;
    blk += slots[0][2] = (uint32_t)ndb_put_blob(f, blk, 1, h, (uint32_t)hl);
    hl = build_simple(h, "bash", "bash-5.2.15-5.fc39.src.rpm", -1);
    slots[1][0] = 2, slots[1][1] = (uint32_t)blk;
    blk += slots[1][2] = (uint32_t)ndb_put_blob(f, blk, 2, h, (uint32_t)hl);
    /* slot 3: blob whose pkgidx does not match; slot 4: beyond the file. */
    slots[2][0] = 9, slots[2][1] = slots[1][1], slots[2][2] = slots[1][2];
    slots[3][0] = 4, slots[3][1] = 500, slots[3][2] = 100;
    for (size_t i = 0; i < 4; i++)
        memcpy(f + (2 + i) * 16 + 4, slots[i], 12);

    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(rpmdb_parse("n", f, 8192, &l, &err), DD_EPARSE);
    assert_int_equal(l.n, 1); /* bash; gpg-pubkey skipped, two slots damaged */
    assert_string_equal(l.v[0].name, "bash");
    assert_string_equal(l.v[0].src_name, "bash");
    assert_string_equal(l.v[0].src_version, "5.2.15-5.fc39");
    pkg_list_cleanup(&l);

    /* slot pages claiming more than the file holds */
    uint32_t many = 1000;
    memcpy(f + 12, &many, 4);
    dd_error_clear(&err);
    assert_int_equal(rpmdb_parse("n", f, 8192, &l, &err), DD_EPARSE);
    assert_int_equal(l.n, 0);
    free(f);
}

static void test_rpmdb_parse_unknown_format(void **state)
{
    (void)state;
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(rpmdb_parse("r", (const uint8_t *)"", 0, &l, &err), DD_EUNSUPPORTED);
    uint8_t zeros[4096] = {0};
    assert_int_equal(rpmdb_parse("r", zeros, sizeof(zeros), &l, NULL), DD_EUNSUPPORTED);
    assert_int_equal(rpmdb_parse("r", (const uint8_t *)"SQLite format 3", 15, &l, NULL),
                     DD_EUNSUPPORTED);
    assert_int_equal(l.n, 0);
}

static void test_rpmdb_analyzer_want(void **state)
{
    (void)state;
    const char *yes[] = {"var/lib/rpm/Packages",
                         "var/lib/rpm/Packages.db",
                         "var/lib/rpm/rpmdb.sqlite",
                         "usr/lib/sysimage/rpm/Packages",
                         "usr/lib/sysimage/rpm/Packages.db",
                         "usr/lib/sysimage/rpm/rpmdb.sqlite"};
    const char *no[] = {"var/lib/rpm/Name", "var/lib/rpm/rpmdb.sqlite-wal", "var/lib/rpm/packages",
                        "lib/rpm/Packages", "var/lib/rpm/Packages/x"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        assert_true(analyzer_rpm.want(yes[i]));
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        assert_false(analyzer_rpm.want(no[i]));
    assert_int_equal(analyzer_rpm.max_file_bytes, 48 * 1024 * 1024);
    assert_int_equal(analyzer_rpm.version, 2);
    /* The table dispatches each OS path to exactly its analyzer. */
    assert_int_equal(analyzers_match("var/lib/rpm/rpmdb.sqlite"), 3);
    assert_int_equal(analyzers_match("lib/apk/db/installed"), 2);
    assert_int_equal(analyzers_match("var/lib/dpkg/status"), 1);
    assert_int_equal(analyzers_match("etc/os-release"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rpmdb_header_parse_simple_and_sourcerpm),
        cmocka_unit_test(test_rpmdb_header_parse_hostile),
        cmocka_unit_test(test_rpmdb_header_parse_every_truncation),
        cmocka_unit_test(test_rpmdb_parse_sqlite),
        cmocka_unit_test(test_rpmdb_files_of_a_real_database),
        cmocka_unit_test(test_rpmdb_files_hostile),
        cmocka_unit_test(test_rpmdb_parse_bdb),
        cmocka_unit_test(test_rpmdb_parse_ndb),
        cmocka_unit_test(test_rpmdb_parse_sqlite_wal_header),
        cmocka_unit_test(test_rpmdb_parse_sqlite_corrupt),
        cmocka_unit_test(test_rpmdb_parse_sqlite_without_packages_table),
        cmocka_unit_test(test_rpmdb_parse_bdb_inline_items),
        cmocka_unit_test(test_rpmdb_parse_bdb_hostile),
        cmocka_unit_test(test_rpmdb_parse_ndb_gpg_pubkey_and_damage),
        cmocka_unit_test(test_rpmdb_parse_unknown_format),
        cmocka_unit_test(test_rpmdb_analyzer_want),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
