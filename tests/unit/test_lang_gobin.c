/* test_lang_gobin.c - Go build info: the blob and modinfo parsers, the streaming magic scan
 * and the elf-binary analyzer on a real Go 1.19 binary (tests/fixtures/lang/go/app.bin; the
 * expected packages are written from `go version -m`, kept in app.expected). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "blob_source.h"
#include "lang_elf.h"
#include "lang_gobin.h"
#include "layer_walk.h"
#include "tar_util.h"
#include "lang_test_util.h"

#define FIX DD_SOURCE_DIR "/tests/fixtures/lang/go/"

static void expect_go(const struct pkg_list *l, size_t i, const char *name, const char *version,
                      const char *path)
{
    assert_true(i < l->n);
    assert_int_equal(l->v[i].type, PKG_TYPE_GOLANG);
    assert_string_equal(l->v[i].name, name);
    assert_string_equal(l->v[i].version, version);
    assert_string_equal(l->v[i].file_path, path);
    assert_null(l->v[i].src_name);
}

/* Run the streaming analyzer over memory in chunks; *consumed = bytes it pulled. */
static int run_stream(const uint8_t *d, size_t len, uint64_t size, size_t chunk,
                      struct pkg_list *out, struct dd_error *err, size_t *consumed)
{
    struct mem_source ms;
    struct blob_source src;
    mem_source_init(&ms, &src, d, len, chunk);
    int rc = lang_elf_parse_stream("usr/local/bin/app", size, &src, out, err);
    if (consumed)
        *consumed = ms.pos;
    return rc;
}

static void test_lang_gobin_real_binary_stream(void **state)
{
    (void)state;
    size_t len;
    uint8_t *d = tu_read_file(FIX "app.bin", &len);
    static const size_t chunks[] = {0, 65536, 4093, 1};
    for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
        struct pkg_list l;
        pkg_list_init(&l);
        struct dd_error err = {0};
        size_t used = 0;
        assert_int_equal(run_stream(d, len, len, chunks[c], &l, &err, &used), 0);
        assert_int_equal(l.n, 3);
        /* go version -m: go1.19.8; mod (devel) is skipped; olddep => newdep */
        expect_go(&l, 0, "stdlib", "v1.19.8", "usr/local/bin/app");
        expect_go(&l, 1, "example.com/dep", "v1.2.3", "usr/local/bin/app");
        expect_go(&l, 2, "example.com/newdep", "v1.0.0", "usr/local/bin/app");
        /* the build info sits at 0x110000 of 0x128000 bytes: the rest is never pulled */
        if (chunks[c] != 0)
            assert_true(used < len);
        pkg_list_cleanup(&l);
    }
    free(d);
}

static void test_lang_gobin_binary_without_buildid_note(void **state)
{
    (void)state;
    size_t len;
    uint8_t *d = tu_read_file(FIX "app.bin", &len);
    /* the note at 0xf9c: namesz 4, descsz, type 4, "Go\0\0"; make its type 5 */
    assert_memory_equal(d + 0xf9c + 12, "Go\0\0", 4);
    d[0xf9c + 8] = 5;
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(run_stream(d, len, len, 8192, &l, &err, NULL), 0);
    assert_int_equal(l.n, 3);
    expect_go(&l, 0, "stdlib", "v1.19.8", "usr/local/bin/app");
    pkg_list_cleanup(&l);
    free(d);
}

/* A build info blob embedded as data in .rodata (0x82000..0xb96a5) is not the binary's own:
 * the scan starts at the data segment, as Go's own reader does. */
static void test_lang_gobin_ignores_blob_in_rodata(void **state)
{
    (void)state;
    size_t len, blen;
    uint8_t *d = tu_read_file(FIX "app.bin", &len);
    uint8_t *blob = tu_read_file(FIX "inline.blob", &blen);
    memcpy(d + 0x90000, blob, blen);
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(run_stream(d, len, len, 65536, &l, &err, NULL), 0);
    assert_int_equal(l.n, 3);
    expect_go(&l, 0, "stdlib", "v1.19.8", "usr/local/bin/app");
    expect_go(&l, 2, "example.com/newdep", "v1.0.0", "usr/local/bin/app");
    pkg_list_cleanup(&l);
    free(blob);
    free(d);
}

static void test_lang_gobin_inline_blob(void **state)
{
    (void)state;
    size_t len;
    uint8_t *d = tu_read_file(FIX "inline.blob", &len);
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(go_buildinfo_parse("app", d, len, &l, &err), 0);
    assert_int_equal(l.n, 4);
    expect_go(&l, 0, "stdlib", "v1.21.5", "app");
    expect_go(&l, 1, "example.com/tool", "v0.4.1", "app");
    expect_go(&l, 2, "golang.org/x/net", "v0.7.0", "app");
    expect_go(&l, 3, "github.com/new/lib", "v1.2.0", "app"); /* replacement wins */
    /* example.com/local => ../local: a directory, no version, not reported */
    pkg_list_cleanup(&l);

    /* every shorter prefix is a clean "truncated", never a crash or a package */
    for (size_t n = 0; n < len - 7; n++) {
        pkg_list_init(&l);
        struct dd_error e2 = {0};
        int rc = go_buildinfo_parse("app", d, n, &l, &e2);
        assert_true(rc == DD_ETRUNC || rc == DD_EPARSE);
        assert_int_equal(l.n, 0);
        pkg_list_cleanup(&l);
    }
    free(d);
}

static void test_lang_gobin_pointer_format_unsupported(void **state)
{
    (void)state;
    size_t len;
    uint8_t *d = tu_read_file(FIX "pointer.blob", &len);
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(go_buildinfo_parse("app", d, len, &l, &err), DD_EUNSUPPORTED);
    assert_string_equal(err.msg, "Go < 1.18 build info not supported");
    assert_int_equal(l.n, 0);
    pkg_list_cleanup(&l);
    free(d);
}

static void test_lang_gobin_stdlib_versions(void **state)
{
    (void)state;
    static const char *const ok[][2] = {
        {"go1.19.8", "v1.19.8"},
        {"go1.22.3 X:boringcrypto", "v1.22.3"},
        {"go1.20", "v1.20"},
        {"go1.21rc2", "v1.21.0-rc.2"},
        {"go1.18beta1", "v1.18.0-beta.1"},
        {"go1.9.2rc2", "v1.9.2-rc.2"},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        char *v = NULL;
        assert_int_equal(go_stdlib_version(ok[i][0], &v), 0);
        assert_string_equal(v, ok[i][1]);
        free(v);
    }
    static const char *const bad[] = {"devel go1.22-abcdef Tue",
                                      "1.19.8",
                                      "go",
                                      "go1",
                                      "go1.21rc",
                                      "go1.21alpha1",
                                      "go.1.2",
                                      "go1.2.3.4"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *v = NULL;
        assert_int_equal(go_stdlib_version(bad[i], &v), DD_EPARSE);
        assert_null(v);
    }
}

static void test_lang_gobin_scan_alignment_and_chunks(void **state)
{
    (void)state;
    size_t blen;
    uint8_t *blob = tu_read_file(FIX "inline.blob", &blen);
    size_t n = 4096 + blen + 100;
    uint8_t *d = calloc(1, n);
    assert_non_null(d);
    /* an unaligned copy of the magic first: must be ignored */
    memcpy(d + 1001, blob, 40);
    memcpy(d + 4096, blob, blen);
    static const size_t chunks[] = {1, 3, 15, 16, 17, 4096, 100000};
    for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
        struct go_scan s;
        go_scan_init(&s);
        int r = 0;
        for (size_t off = 0; off < n && r == 0; off += chunks[c]) {
            size_t k = n - off < chunks[c] ? n - off : chunks[c];
            r = go_scan_feed(&s, d + off, k);
        }
        assert_int_equal(r, 1);
        assert_true(s.found);
        assert_int_equal(s.found_off, 4096);
        struct pkg_list l;
        pkg_list_init(&l);
        struct dd_error err = {0};
        assert_int_equal(go_scan_finish(&s, "x", &l, &err), 0);
        assert_int_equal(l.n, 4);
        expect_go(&l, 3, "github.com/new/lib", "v1.2.0", "x");
        pkg_list_cleanup(&l);
        go_scan_cleanup(&s);
    }
    /* only the unaligned copy: nothing found, nothing reported */
    memset(d + 4096, 0, blen);
    struct go_scan s;
    go_scan_init(&s);
    assert_int_equal(go_scan_feed(&s, d, n), 0);
    assert_false(s.found);
    struct pkg_list l;
    pkg_list_init(&l);
    assert_int_equal(go_scan_finish(&s, "x", &l, NULL), 0);
    assert_int_equal(l.n, 0);
    pkg_list_cleanup(&l);
    go_scan_cleanup(&s);
    free(d);
    free(blob);
}

static void test_lang_gobin_garbage_lengths(void **state)
{
    (void)state;
    uint8_t b[64];
    memset(b, 0, sizeof(b));
    memcpy(b, GO_BUILDINFO_MAGIC, GO_BUILDINFO_MAGIC_LEN);
    b[14] = 8;
    b[15] = 2;
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    /* version length 2^63 (10-byte uvarint) */
    memset(b + 32, 0xff, 9);
    b[41] = 0x00;
    assert_int_equal(go_buildinfo_parse("x", b, sizeof(b), &l, &err), DD_EPARSE);
    /* an 11-byte uvarint */
    memset(b + 32, 0x80, 11);
    b[43] = 0x01;
    assert_int_equal(go_buildinfo_parse("x", b, sizeof(b), &l, NULL), DD_EPARSE);
    /* empty version */
    memset(b + 32, 0, 32);
    assert_int_equal(go_buildinfo_parse("x", b, sizeof(b), &l, NULL), DD_EPARSE);
    /* modinfo of 1 GiB */
    b[32] = 2;
    memcpy(b + 33, "go", 2);
    b[35] = 0x80;
    b[36] = 0x80;
    b[37] = 0x80;
    b[38] = 0x80;
    b[39] = 0x04;
    struct dd_error e2 = {0};
    assert_int_equal(go_buildinfo_parse("x", b, sizeof(b), &l, &e2), DD_ETOOBIG);
    assert_non_null(strstr(e2.msg, "modinfo of 1073741824 bytes"));
    /* a bad pointer size */
    b[14] = 5;
    assert_int_equal(go_buildinfo_parse("x", b, sizeof(b), &l, NULL), DD_EPARSE);
    assert_int_equal(l.n, 0);
    /* a control byte in the version */
    b[14] = 8;
    b[32] = 2;
    b[33] = 'g';
    b[34] = '\n';
    b[35] = 0;
    assert_int_equal(go_buildinfo_parse("x", b, sizeof(b), &l, NULL), DD_EPARSE);
    assert_int_equal(l.n, 0);
    pkg_list_cleanup(&l);
}

static void test_lang_gobin_modinfo_malformed(void **state)
{
    (void)state;
    static const char bad[] = "path\tx\n"
                              "=>\texample.com/orphan\tv1.0.0\n"
                              "dep\texample.com/a\tv1.0.0\n"
                              "dep\tonly-path\n"
                              "dep\texample.com/b\tv2.0.0\th1:x=\n"
                              "=>\t\tv1\n"
                              "dep\texample.com/c\t(devel)\n"
                              "dep\texample.com/d\tv0.1.0\n"
                              "=>\texample.com/e\tv0.2.0\n"
                              "=>\texample.com/f\tv0.3.0\n";
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    int rc = go_modinfo_parse("bin", NULL, bad, sizeof(bad) - 1, &l, &err);
    assert_int_equal(rc, DD_EPARSE);
    assert_string_equal(err.msg, "modinfo line 2: replacement without module");
    /* what is well-formed survives: a, and d replaced by e; b lost its garbled replacement,
     * c is (devel) */
    assert_int_equal(l.n, 2);
    expect_go(&l, 0, "example.com/a", "v1.0.0", "bin");
    expect_go(&l, 1, "example.com/e", "v0.2.0", "bin");
    pkg_list_cleanup(&l);
}

static void test_lang_gobin_non_elf_stops_early(void **state)
{
    (void)state;
    size_t n = 200000;
    uint8_t *d = malloc(n);
    assert_non_null(d);
    memset(d, 'x', n);
    memcpy(d, "#!/bin/sh\n", 10);
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    size_t used = 0;
    assert_int_equal(run_stream(d, n, n, 4096, &l, &err, &used), 0);
    assert_int_equal(used, 4096);
    assert_int_equal(l.n, 0);
    assert_int_equal(err.code, 0);
    /* three bytes at a time: stops after the first four */
    assert_int_equal(run_stream(d, n, n, 3, &l, &err, &used), 0);
    assert_int_equal(used, 6);
    pkg_list_cleanup(&l);
    free(d);
}

static void test_lang_gobin_hostile_elf_headers(void **state)
{
    (void)state;
    size_t len;
    uint8_t *orig = tu_read_file(FIX "app.bin", &len);
    uint8_t *d = malloc(len);
    assert_non_null(d);
    struct pkg_list l;
    struct dd_error err;

    /* truncated inside the ELF header */
    pkg_list_init(&l);
    memset(&err, 0, sizeof(err));
    assert_int_equal(run_stream(orig, 40, len, 4096, &l, &err, NULL), DD_EPARSE);
    assert_string_equal(err.msg, "ELF header truncated at 40 bytes");
    pkg_list_cleanup(&l);

    /* e_phoff far past the head */
    memcpy(d, orig, len);
    d[32 + 5] = 0x7f; /* phoff (little-endian u64 at 32) += 0x7f << 40 */
    pkg_list_init(&l);
    memset(&err, 0, sizeof(err));
    assert_int_equal(run_stream(d, len, len, 65536, &l, &err, NULL), DD_EPARSE);
    assert_non_null(strstr(err.msg, "program headers"));
    assert_int_equal(l.n, 0);
    pkg_list_cleanup(&l);

    /* a PT_LOAD whose p_filesz runs past the end (phdr 2 at 64 + 2 * 56; filesz at +32) */
    memcpy(d, orig, len);
    d[64 + 2 * 56 + 32 + 7] = 0xff;
    pkg_list_init(&l);
    memset(&err, 0, sizeof(err));
    assert_int_equal(run_stream(d, len, len, 65536, &l, &err, NULL), DD_EPARSE);
    assert_string_equal(err.msg, "program header 2: segment past the end of the file");
    pkg_list_cleanup(&l);

    /* e_phentsize too small for ELF64 */
    memcpy(d, orig, len);
    d[54] = 8;
    d[55] = 0;
    pkg_list_init(&l);
    memset(&err, 0, sizeof(err));
    assert_int_equal(run_stream(d, len, len, 65536, &l, &err, NULL), DD_EPARSE);
    assert_string_equal(err.msg, "ELF program header size 8 too small");
    pkg_list_cleanup(&l);

    /* garbage build info lengths inside a real binary: a clean per-file error */
    memcpy(d, orig, len);
    memset(d + 0x110000 + 32, 0xff, 10);
    pkg_list_init(&l);
    memset(&err, 0, sizeof(err));
    assert_int_equal(run_stream(d, len, len, 65536, &l, &err, NULL), DD_EPARSE);
    assert_int_equal(l.n, 0);
    pkg_list_cleanup(&l);

    /* the file ends inside the build info */
    pkg_list_init(&l);
    memset(&err, 0, sizeof(err));
    assert_int_equal(run_stream(orig, 0x110000 + 100, len, 65536, &l, &err, NULL), DD_ETRUNC);
    assert_string_equal(err.msg, "Go build info truncated");
    pkg_list_cleanup(&l);
    free(d);
    free(orig);
}

static void test_lang_gobin_want_entry(void **state)
{
    (void)state;
    assert_true(analyzer_elf_binary.want_entry("usr/bin/x", 0100755, 4096));
    assert_true(analyzer_elf_binary.want_entry("app", 0100700, 1024));
    assert_false(analyzer_elf_binary.want_entry("usr/lib/libx.so", 0100644, 1 << 20));
    assert_false(analyzer_elf_binary.want_entry("usr/bin/tiny", 0100755, 1023));
    assert_false(analyzer_elf_binary.want("usr/bin/x"));
    assert_non_null(analyzer_elf_binary.parse_stream);
}

static void add_exec(struct tb *t, const char *name, const uint8_t *data, size_t len)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0755);
    archive_entry_set_size(e, (la_int64_t)len);
    archive_write_header(t->a, e);
    archive_write_data(t->a, data, len);
    archive_entry_free(e);
}

static const struct layer_file *find_layer_file(const struct layer_result *r, const char *path)
{
    for (size_t i = 0; i < r->n_files; i++) {
        if (strcmp(r->files[i].path, path) == 0)
            return &r->files[i];
    }
    return NULL;
}

/* The registered analyzers (analyzers_all) through the real walker: a Go binary, a
 * cargo-auditable binary, a Cargo.lock, a script and a truncated ELF in one gzip layer. */
static void test_lang_gobin_layer_walk_default_table(void **state)
{
    (void)state;
    size_t glen, rlen;
    uint8_t *go = tu_read_file(FIX "app.bin", &glen);
    uint8_t *rs = tu_read_file(DD_SOURCE_DIR "/tests/fixtures/lang/rust/auditable.bin", &rlen);
    uint8_t script[2048];
    memset(script, '#', sizeof(script));
    memcpy(script, "#!/bin/sh\n", 10);
    struct tb t;
    tb_new(&t, TB_GZIP, 4u << 20);
    add_exec(&t, "usr/local/bin/app", go, glen);
    add_exec(&t, "usr/bin/demo", rs, rlen);
    add_exec(&t, "usr/bin/script", script, sizeof(script));
    add_exec(&t, "usr/bin/broken", go, 2000); /* ELF whose PT_LOADs pass its end */
    tb_file(&t, "src/app/Cargo.lock",
            "version = 3\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n");
    tb_finish(&t);

    struct mem_source ms;
    struct blob_source src;
    struct layer_walk_opts o;
    layer_walk_opts_default(&o);
    mem_source_init(&ms, &src, t.mem, t.used, 65536);
    struct layer_result r;
    struct dd_error err = {0};
    assert_int_equal(layer_walk(&src, &o, &r, &err), 0);
    const struct layer_file *f = find_layer_file(&r, "usr/local/bin/app");
    assert_non_null(f);
    assert_string_equal(analyzers_all[f->analyzer]->name, "elf-binary");
    assert_int_equal(f->facts.pkgs.n, 3);
    expect_go(&f->facts.pkgs, 2, "example.com/newdep", "v1.0.0", "usr/local/bin/app");
    f = find_layer_file(&r, "usr/bin/demo");
    assert_non_null(f);
    assert_int_equal(f->facts.pkgs.n, 4);
    assert_int_equal(f->facts.pkgs.v[0].type, PKG_TYPE_CARGO);
    f = find_layer_file(&r, "src/app/Cargo.lock");
    assert_non_null(f);
    assert_string_equal(analyzers_all[f->analyzer]->name, "cargo-lock");
    assert_int_equal(f->facts.pkgs.n, 1);
    f = find_layer_file(&r, "usr/bin/script");
    assert_true(f == NULL || f->facts.pkgs.n == 0);
    assert_int_equal(r.n_errors, 1);
    assert_string_equal(r.errors[0].path, "usr/bin/broken");
    assert_string_equal(r.errors[0].reason,
                        "elf-binary: program header 2: segment past the end of the file");
    layer_result_cleanup(&r);
    tb_free(&t);
    free(go);
    free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lang_gobin_real_binary_stream),
        cmocka_unit_test(test_lang_gobin_binary_without_buildid_note),
        cmocka_unit_test(test_lang_gobin_ignores_blob_in_rodata),
        cmocka_unit_test(test_lang_gobin_inline_blob),
        cmocka_unit_test(test_lang_gobin_pointer_format_unsupported),
        cmocka_unit_test(test_lang_gobin_stdlib_versions),
        cmocka_unit_test(test_lang_gobin_scan_alignment_and_chunks),
        cmocka_unit_test(test_lang_gobin_garbage_lengths),
        cmocka_unit_test(test_lang_gobin_modinfo_malformed),
        cmocka_unit_test(test_lang_gobin_non_elf_stops_early),
        cmocka_unit_test(test_lang_gobin_hostile_elf_headers),
        cmocka_unit_test(test_lang_gobin_want_entry),
        cmocka_unit_test(test_lang_gobin_layer_walk_default_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
