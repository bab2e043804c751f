/* test_layer_walk.c - the decoder and the tar walker on real tar bytes built in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "layer_walk.h"
#include "tar_util.h"

static int walk_bytes(const unsigned char *p, size_t n, const char *digest,
                      const struct layer_limits *lim, struct layer_result *r, struct dd_error *e)
{
    struct mem_source ms;
    struct blob_source src;
    struct layer_walk_opts o;
    layer_walk_opts_default(&o);
    o.expected_digest = digest;
    if (lim)
        o.limits = *lim;
    mem_source_init(&ms, &src, p, n, 1000); /* odd chunking on purpose */
    return layer_walk(&src, &o, r, e);
}

static const struct layer_file *file_at(const struct layer_result *r, const char *path)
{
    for (size_t i = 0; i < r->n_files; i++) {
        if (strcmp(r->files[i].path, path) == 0)
            return &r->files[i];
    }
    return NULL;
}

static void test_layer_path_normalise_cases(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(layer_path_normalise("./etc/os-release", &out), 0);
    assert_string_equal(out, "etc/os-release");
    free(out);
    assert_int_equal(layer_path_normalise("a//b/./c/", &out), 0);
    assert_string_equal(out, "a/b/c");
    free(out);
    assert_int_equal(layer_path_normalise("/etc/passwd", &out), DD_EHOSTILE);
    assert_int_equal(layer_path_normalise("../etc/passwd", &out), DD_EHOSTILE);
    assert_int_equal(layer_path_normalise("a/../../b", &out), DD_EHOSTILE);
    assert_int_equal(layer_path_normalise("a/..", &out), DD_EHOSTILE);
    assert_int_equal(layer_path_normalise("./", &out), DD_EINVAL);
    assert_int_equal(layer_path_normalise(".", &out), DD_EINVAL);
    assert_int_equal(layer_path_normalise("..foo/bar", &out), 0);
    assert_string_equal(out, "..foo/bar");
    free(out);
}

static void test_layer_link_resolve_cases(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(layer_link_resolve("etc/os-release", "../usr/lib/os-release", &out), 0);
    assert_string_equal(out, "usr/lib/os-release");
    free(out);
    assert_int_equal(layer_link_resolve("a/b/c", "/x/./y", &out), 0);
    assert_string_equal(out, "x/y");
    free(out);
    /* ".." past the root stays at the root, as in a chroot */
    assert_int_equal(layer_link_resolve("etc/x", "../../../../etc/y", &out), 0);
    assert_string_equal(out, "etc/y");
    free(out);
    assert_int_equal(layer_link_resolve("a", "..", &out), DD_EINVAL);
}

static void test_layer_walk_finds_os_and_dpkg(void **state)
{
    (void)state;
    struct tb t;
    tb_new(&t, TB_GZIP, 1 << 20);
    tb_dir(&t, "./etc/");
    tb_file(&t, "./etc/os-release", OS_RELEASE_DEBIAN12);
    tb_file(&t, "./usr/share/doc/readme", "not wanted");
    tb_file(&t, "./var/lib/dpkg/status",
            DPKG_STANZA("zlib1g", "1:1.2.13.dfsg-1") DPKG_STANZA("bash", "5.2.15-2+b2"));
    tb_finish(&t);
    char digest[72];
    tb_sha256(t.mem, t.used, digest);
    struct layer_result r;
    struct dd_error e = {0};
    assert_int_equal(walk_bytes(t.mem, t.used, digest, NULL, &r, &e), 0);
    assert_int_equal(r.compression, LAYER_COMP_GZIP);
    assert_int_equal(r.entries, 4);
    assert_int_equal(r.n_files, 2);
    assert_null(r.tar_error);
    const struct layer_file *osf = file_at(&r, "etc/os-release");
    assert_non_null(osf);
    assert_true(osf->facts.has_os);
    assert_string_equal(osf->facts.os.family, "debian");
    const struct layer_file *st = file_at(&r, "var/lib/dpkg/status");
    assert_non_null(st);
    assert_int_equal(st->facts.pkgs.n, 2);
    layer_result_cleanup(&r);
    tb_free(&t);
}

static void test_layer_walk_records_whiteouts_and_opaques(void **state)
{
    (void)state;
    struct tb t;
    tb_new(&t, TB_NONE, 1 << 20);
    tb_file(&t, "var/lib/dpkg/status.d/.wh..wh..opq", "");
    tb_file(&t, "etc/.wh.os-release", "");
    tb_file(&t, ".wh.opt", "");
    tb_file(&t, "x/.wh..wh.plnk", "");
    tb_finish(&t);
    struct layer_result r;
    struct dd_error e = {0};
    assert_int_equal(walk_bytes(t.mem, t.used, NULL, NULL, &r, &e), 0);
    assert_int_equal(r.compression, LAYER_COMP_NONE);
    assert_int_equal(r.n_opaques, 1);
    assert_string_equal(r.opaques[0], "var/lib/dpkg/status.d");
    assert_int_equal(r.n_whiteouts, 2);
    assert_string_equal(r.whiteouts[0], "etc/os-release");
    assert_string_equal(r.whiteouts[1], "opt");
    layer_result_cleanup(&r);
    tb_free(&t);
}

static void test_layer_walk_rejects_hostile_names_and_goes_on(void **state)
{
    (void)state;
    struct tb t;
    tb_new(&t, TB_GZIP, 1 << 20);
    tb_file(&t, "../../etc/passwd", "root:x:0:0");
    tb_file(&t, "/abs/path", "x");
    tb_file(&t, "etc/os-release", OS_RELEASE_DEBIAN12);
    tb_finish(&t);
    struct layer_result r;
    struct dd_error e = {0};
    assert_int_equal(walk_bytes(t.mem, t.used, NULL, NULL, &r, &e), 0);
    assert_int_equal(r.n_errors, 2);
    assert_non_null(strstr(r.errors[0].reason, "hostile"));
    assert_non_null(strstr(r.errors[1].reason, "absolute"));
    assert_non_null(file_at(&r, "etc/os-release"));
    assert_null(file_at(&r, "etc/passwd"));
    layer_result_cleanup(&r);
    tb_free(&t);
}

static void test_layer_walk_links(void **state)
{
    (void)state;
    struct tb t;
    tb_new(&t, TB_GZIP, 1 << 20);
    tb_file(&t, "usr/lib/os-release", OS_RELEASE_DEBIAN12);
    tb_symlink(&t, "etc/os-release", "../usr/lib/os-release");
    tb_file(&t, "var/lib/dpkg/status", DPKG_STANZA("bash", "5.2.15-2+b2"));
    tb_hardlink(&t, "var/lib/dpkg/status.d/bash", "var/lib/dpkg/status");
    tb_finish(&t);
    struct layer_result r;
    struct dd_error e = {0};
    assert_int_equal(walk_bytes(t.mem, t.used, NULL, NULL, &r, &e), 0);
    assert_int_equal(r.n_links, 1);
    assert_string_equal(r.links[0].path, "etc/os-release");
    assert_string_equal(r.links[0].target, "usr/lib/os-release");
    const struct layer_file *hl = file_at(&r, "var/lib/dpkg/status.d/bash");
    assert_non_null(hl);
    assert_int_equal(hl->facts.pkgs.n, 1);
    assert_string_equal(hl->facts.pkgs.v[0].file_path, "var/lib/dpkg/status.d/bash");
    layer_result_cleanup(&r);
    tb_free(&t);
}

static void test_layer_walk_second_pass_reads_hard_link_targets(void **state)
{
    (void)state;
    struct tb t;
    tb_new(&t, TB_NONE, 1 << 20);
    /* the content comes first under a path nobody wants, the wanted path is a hard link */
    tb_file(&t, "usr/share/backup/status", DPKG_STANZA("bash", "5.2.15-2+b2"));
    tb_hardlink(&t, "var/lib/dpkg/status", "usr/share/backup/status");
    tb_finish(&t);
    struct layer_result r, r2;
    struct dd_error e = {0};
    assert_int_equal(walk_bytes(t.mem, t.used, NULL, NULL, &r, &e), 0);
    assert_int_equal(r.n_files, 0);
    assert_int_equal(r.n_pending, 1);
    assert_string_equal(r.pending[0].path, "var/lib/dpkg/status");
    assert_string_equal(r.pending[0].target, "usr/share/backup/status");

    struct mem_source ms;
    struct blob_source src;
    struct layer_walk_opts o;
    layer_walk_opts_default(&o);
    o.extra = r.pending;
    o.n_extra = r.n_pending;
    mem_source_init(&ms, &src, t.mem, t.used, 0);
    assert_int_equal(layer_walk(&src, &o, &r2, &e), 0);
    const struct layer_file *f = file_at(&r2, "var/lib/dpkg/status");
    assert_non_null(f);
    assert_int_equal(f->facts.pkgs.n, 1);
    assert_string_equal(f->facts.pkgs.v[0].name, "bash");
    assert_int_equal(r2.n_pending, 0);
    layer_result_cleanup(&r);
    layer_result_cleanup(&r2);
    tb_free(&t);
}

/* A streaming analyzer that wants executables and counts their bytes and a marker. */
static bool exec_want(const char *path)
{
    (void)path;
    return false;
}

static bool exec_want_entry(const char *path, unsigned mode, uint64_t size)
{
    (void)path;
    return (mode & 0111) != 0 && size > 0;
}

static int exec_parse_stream(const char *path, uint64_t size, struct blob_source *src,
                             struct file_facts *out, struct dd_error *err)
{
    uint64_t total = 0;
    int markers = 0;
    for (;;) {
        const uint8_t *p;
        size_t n = 0;
        int rc = src->next(src->ctx, &p, &n, err);
        if (rc)
            return rc;
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++)
            markers += p[i] == '@';
        total += n;
    }
    if (total != size)
        return dd_error_set(err, DD_EPARSE, "size %llu != %llu", (unsigned long long)total,
                            (unsigned long long)size);
    struct pkg *pk;
    if (pkg_list_add(&out->pkgs, &pk))
        return DD_ENOMEM;
    pk->type = PKG_TYPE_GOLANG;
    pk->name = strdup(path);
    char v[32];
    snprintf(v, sizeof(v), "%d", markers);
    pk->version = strdup(v);
    return 0;
}

static const struct analyzer exec_analyzer = {
    .name = "exec-test",
    .version = 1,
    .want = exec_want,
    .want_entry = exec_want_entry,
    .parse_stream = exec_parse_stream,
};

static void test_layer_walk_streams_wanted_entries(void **state)
{
    (void)state;
    size_t n = 3 << 20; /* bigger than any one block libarchive hands out */
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        big[i] = i % 1000 == 0 ? '@' : 'x';
    big[n] = 0;
    struct tb t;
    tb_new(&t, TB_GZIP, 8 << 20);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "usr/bin/tool");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0755);
    archive_entry_set_size(e, (la_int64_t)n);
    archive_write_header(t.a, e);
    archive_write_data(t.a, big, n);
    archive_entry_free(e);
    tb_file(&t, "usr/share/doc/plain", "not executable @@@");
    tb_finish(&t);
    free(big);

    static const struct analyzer *const tab[] = {&exec_analyzer, NULL};
    struct mem_source ms;
    struct blob_source src;
    struct layer_walk_opts o;
    layer_walk_opts_default(&o);
    o.analyzers = tab;
    mem_source_init(&ms, &src, t.mem, t.used, 65536);
    struct layer_result r;
    struct dd_error err = {0};
    assert_int_equal(layer_walk(&src, &o, &r, &err), 0);
    assert_int_equal(r.n_files, 1);
    assert_string_equal(r.files[0].path, "usr/bin/tool");
    assert_int_equal(r.files[0].facts.pkgs.n, 1);
    assert_string_equal(r.files[0].facts.pkgs.v[0].version, "3146"); /* ceil(3 MiB / 1000) */
    assert_int_equal(r.n_errors, 0);
    layer_result_cleanup(&r);
    tb_free(&t);
}

static void test_layer_walk_digest_mismatch_fails(void **state)
{
    (void)state;
    struct tb t;
    tb_new(&t, TB_GZIP, 1 << 20);
    tb_file(&t, "etc/os-release", OS_RELEASE_DEBIAN12);
    tb_finish(&t);
    struct layer_result r;
    struct dd_error e = {0};
    const char *wrong = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    assert_int_equal(walk_bytes(t.mem, t.used, wrong, NULL, &r, &e), DD_EDIGEST);
    assert_non_null(strstr(e.msg, "digest mismatch"));
    tb_free(&t);
}

static void test_layer_walk_truncated_gzip_fails(void **state)
{
    (void)state;
    struct tb t;
    tb_new(&t, TB_GZIP, 1 << 20);
    char big[20000];
    for (size_t i = 0; i < sizeof(big) - 1; i++)
        big[i] = (char)('a' + (i * 7919) % 26);
    big[sizeof(big) - 1] = 0;
    tb_file(&t, "var/lib/dpkg/status", big);
    tb_file(&t, "etc/os-release", OS_RELEASE_DEBIAN12);
    tb_finish(&t);
    struct layer_result r;
    struct dd_error e = {0};
    int rc = walk_bytes(t.mem, t.used / 2, NULL, NULL, &r, &e);
    assert_int_equal(rc, DD_ETRUNC);
    assert_non_null(strstr(e.msg, "truncated"));
    tb_free(&t);
}

static void test_layer_walk_bomb_is_stopped(void **state)
{
    (void)state;
    struct tb t;
    size_t n = 8 << 20;
    char *zeros = calloc(1, n);
    tb_new(&t, TB_GZIP, 1 << 20);
    tb_entry(&t, "zeros", AE_IFREG, zeros, n, NULL, 0);
    tb_finish(&t);
    free(zeros);
    struct layer_limits lim;
    layer_limits_default(&lim);
    lim.ratio_after_bytes = 1 << 20;
    lim.max_ratio = 50;
    struct layer_result r;
    struct dd_error e = {0};
    assert_int_equal(walk_bytes(t.mem, t.used, NULL, &lim, &r, &e), DD_EBOMB);
    assert_non_null(strstr(e.msg, "ratio"));
    /* the total cap works too */
    layer_limits_default(&lim);
    lim.max_bytes = 1 << 20;
    dd_error_clear(&e);
    assert_int_equal(walk_bytes(t.mem, t.used, NULL, &lim, &r, &e), DD_EBOMB);
    assert_non_null(strstr(e.msg, "max_layer_bytes"));
    tb_free(&t);
}

static void test_layer_walk_entry_limit(void **state)
{
    (void)state;
    struct tb t;
    tb_new(&t, TB_NONE, 1 << 20);
    for (int i = 0; i < 50; i++) {
        char name[32];
        snprintf(name, sizeof(name), "f%d", i);
        tb_file(&t, name, "x");
    }
    tb_finish(&t);
    struct layer_limits lim;
    layer_limits_default(&lim);
    lim.max_entries = 10;
    struct layer_result r;
    struct dd_error e = {0};
    assert_int_equal(walk_bytes(t.mem, t.used, NULL, &lim, &r, &e), DD_ELIMIT);
    assert_non_null(strstr(e.msg, "max_layer_entries"));
    tb_free(&t);
}

static void test_layer_walk_broken_tar_is_best_effort(void **state)
{
    (void)state;
    struct tb t;
    char big[8192];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    tb_new(&t, TB_NONE, 1 << 20);
    tb_file(&t, "etc/os-release", OS_RELEASE_DEBIAN12);
    tb_file(&t, "usr/bin/big", big);
    tb_finish(&t);
    /* cut inside the second file's data, as a writer that never finished would */
    size_t cut = 512 * 3 + 2000;
    assert_true(cut < t.used);
    struct layer_result r;
    struct dd_error e = {0};
    assert_int_equal(walk_bytes(t.mem, cut, NULL, NULL, &r, &e), 0);
    assert_non_null(r.tar_error);
    assert_non_null(file_at(&r, "etc/os-release"));
    layer_result_cleanup(&r);
    /* and with no end-of-archive blocks at all (umoci 0.4.7 insert) */
    size_t no_eoa = t.used;
    while (no_eoa > 0 && t.mem[no_eoa - 1] == 0)
        no_eoa--;
    no_eoa = (no_eoa + 511) / 512 * 512;
    assert_int_equal(walk_bytes(t.mem, no_eoa, NULL, NULL, &r, &e), 0);
    assert_non_null(file_at(&r, "etc/os-release"));
    layer_result_cleanup(&r);
    tb_free(&t);
}

static void test_layer_walk_zstd_and_multimember_gzip(void **state)
{
    (void)state;
    struct tb t;
    tb_new(&t, TB_ZSTD, 1 << 20);
    tb_file(&t, "etc/os-release", OS_RELEASE_DEBIAN12);
    tb_finish(&t);
    struct layer_result r;
    struct dd_error e = {0};
    assert_int_equal(walk_bytes(t.mem, t.used, NULL, NULL, &r, &e), 0);
    assert_int_equal(r.compression, LAYER_COMP_ZSTD);
    assert_non_null(file_at(&r, "etc/os-release"));
    layer_result_cleanup(&r);
    tb_free(&t);

    /* gzip(tar part 1) + gzip(tar part 2) is one valid gzip stream of the whole tar */
    struct tb raw;
    tb_new(&raw, TB_NONE, 1 << 20);
    tb_file(&raw, "etc/os-release", OS_RELEASE_DEBIAN12);
    tb_file(&raw, "var/lib/dpkg/status", DPKG_STANZA("bash", "5.2.15-2+b2"));
    tb_finish(&raw);
    struct tb g1, g2;
    size_t half = 1024;
    struct archive *a1 = archive_write_new();
    (void)a1;
    archive_write_free(a1);
    /* compress each half with zlib's gzip framing via libarchive's raw writer */
    for (int k = 0; k < 2; k++) {
        struct tb *g = k == 0 ? &g1 : &g2;
        g->a = archive_write_new();
        archive_write_set_format_raw(g->a);
        archive_write_add_filter_gzip(g->a);
        g->cap = 1 << 20;
        g->mem = malloc(g->cap);
        g->used = 0;
        archive_write_open_memory(g->a, g->mem, g->cap, &g->used);
        struct archive_entry *en = archive_entry_new();
        archive_entry_set_filetype(en, AE_IFREG);
        archive_write_header(g->a, en);
        if (k == 0)
            archive_write_data(g->a, raw.mem, half);
        else
            archive_write_data(g->a, raw.mem + half, raw.used - half);
        archive_entry_free(en);
        tb_finish(g);
    }
    size_t total = g1.used + g2.used;
    unsigned char *both = malloc(total);
    memcpy(both, g1.mem, g1.used);
    memcpy(both + g1.used, g2.mem, g2.used);
    assert_int_equal(walk_bytes(both, total, NULL, NULL, &r, &e), 0);
    assert_non_null(file_at(&r, "var/lib/dpkg/status"));
    assert_null(r.tar_error);
    layer_result_cleanup(&r);
    free(both);
    tb_free(&g1);
    tb_free(&g2);
    tb_free(&raw);
}

static void test_layer_walk_not_a_tar(void **state)
{
    (void)state;
    static const unsigned char junk[2048] = "this is not a tar archive at all";
    struct layer_result r;
    struct dd_error e = {0};
    assert_int_equal(walk_bytes(junk, sizeof(junk), NULL, NULL, &r, &e), DD_EUNSUPPORTED);
    assert_non_null(strstr(e.msg, "not a tar"));
    /* an empty blob is an empty layer */
    dd_error_clear(&e);
    assert_int_equal(walk_bytes(junk, 0, NULL, NULL, &r, &e), 0);
    assert_int_equal(r.entries, 0);
    layer_result_cleanup(&r);
}

static void test_layer_walk_oversized_wanted_file_is_reported(void **state)
{
    (void)state;
    struct tb t;
    size_t n = 100 * 1024; /* the os-release analyzer caps at 64 KiB */
    char *big = malloc(n + 1);
    memset(big, '#', n);
    big[n] = 0;
    tb_new(&t, TB_GZIP, 1 << 20);
    tb_file(&t, "etc/os-release", big);
    tb_file(&t, "var/lib/dpkg/status", DPKG_STANZA("bash", "5.2.15-2+b2"));
    tb_finish(&t);
    free(big);
    struct layer_result r;
    struct dd_error e = {0};
    assert_int_equal(walk_bytes(t.mem, t.used, NULL, NULL, &r, &e), 0);
    assert_int_equal(r.n_errors, 1);
    assert_non_null(strstr(r.errors[0].reason, "limit"));
    assert_null(file_at(&r, "etc/os-release"));
    assert_non_null(file_at(&r, "var/lib/dpkg/status"));
    layer_result_cleanup(&r);
    tb_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layer_path_normalise_cases),
        cmocka_unit_test(test_layer_link_resolve_cases),
        cmocka_unit_test(test_layer_walk_finds_os_and_dpkg),
        cmocka_unit_test(test_layer_walk_records_whiteouts_and_opaques),
        cmocka_unit_test(test_layer_walk_rejects_hostile_names_and_goes_on),
        cmocka_unit_test(test_layer_walk_links),
        cmocka_unit_test(test_layer_walk_second_pass_reads_hard_link_targets),
        cmocka_unit_test(test_layer_walk_streams_wanted_entries),
        cmocka_unit_test(test_layer_walk_digest_mismatch_fails),
        cmocka_unit_test(test_layer_walk_truncated_gzip_fails),
        cmocka_unit_test(test_layer_walk_bomb_is_stopped),
        cmocka_unit_test(test_layer_walk_entry_limit),
        cmocka_unit_test(test_layer_walk_broken_tar_is_best_effort),
        cmocka_unit_test(test_layer_walk_zstd_and_multimember_gzip),
        cmocka_unit_test(test_layer_walk_not_a_tar),
        cmocka_unit_test(test_layer_walk_oversized_wanted_file_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
