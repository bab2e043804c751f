/* test_lang_rust.c - Cargo.lock (lockfile v1-v4, a real one from cargo 1.95), cargo-auditable
 * .dep-v0 payloads, and the elf-binary analyzer's tail capture on a real binary made with
 * objcopy plus synthetic ELF files with lying headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "blob_source.h"
#include "lang_elf.h"
#include "lang_rust.h"
#include "lang_test_util.h"

#define FIX DD_SOURCE_DIR "/tests/fixtures/lang/rust/"

static void expect_crate(const struct pkg_list *l, size_t i, const char *name, const char *version,
                         const char *path)
{
    assert_true(i < l->n);
    assert_int_equal(l->v[i].type, PKG_TYPE_CARGO);
    assert_string_equal(l->v[i].name, name);
    assert_string_equal(l->v[i].version, version);
    assert_string_equal(l->v[i].file_path, path);
}

static int lock_str(const char *text, struct pkg_list *l, struct dd_error *err)
{
    return cargo_lock_parse("app/Cargo.lock", (const uint8_t *)text, strlen(text), l, err);
}

static int lock_file(const char *name, struct file_facts *f, struct dd_error *err)
{
    char path[512];
    snprintf(path, sizeof(path), FIX "%s", name);
    size_t len;
    uint8_t *d = tu_read_file(path, &len);
    int rc = analyzer_cargo_lock.parse("app/Cargo.lock", d, len, f, err);
    free(d);
    return rc;
}

/* ---- Cargo.lock ----------------------------------------------------------------------- */

static void test_lang_rust_lock_versions(void **state)
{
    (void)state;
    struct file_facts f;
    struct dd_error err = {0};

    file_facts_init(&f);
    assert_int_equal(lock_file("v1.lock", &f, &err), 0);
    assert_int_equal(f.pkgs.n, 3);
    expect_crate(&f.pkgs, 0, "legacy-app", "0.2.0", "app/Cargo.lock"); /* [root] */
    expect_crate(&f.pkgs, 1, "bitflags", "1.0.4", "app/Cargo.lock");
    expect_crate(&f.pkgs, 2, "libc", "0.2.43", "app/Cargo.lock");
    file_facts_cleanup(&f);

    file_facts_init(&f);
    assert_int_equal(lock_file("v2.lock", &f, &err), 0);
    assert_int_equal(f.pkgs.n, 3);
    expect_crate(&f.pkgs, 0, "cfg-if", "1.0.0", "app/Cargo.lock");
    expect_crate(&f.pkgs, 1, "log", "0.4.14", "app/Cargo.lock");
    expect_crate(&f.pkgs, 2, "server", "0.1.0", "app/Cargo.lock");
    file_facts_cleanup(&f);

    file_facts_init(&f);
    assert_int_equal(lock_file("v3.lock", &f, &err), 0);
    assert_int_equal(f.pkgs.n, 4); /* [[patch.unused]] is not a package of the build */
    expect_crate(&f.pkgs, 0, "itoa", "1.0.9", "app/Cargo.lock");
    expect_crate(&f.pkgs, 1, "regex", "1.5.4", "app/Cargo.lock");
    expect_crate(&f.pkgs, 2, "serde_json", "1.0.107", "app/Cargo.lock");
    expect_crate(&f.pkgs, 3, "web", "0.9.0", "app/Cargo.lock");
    file_facts_cleanup(&f);

    /* written by cargo 1.95 generate-lockfile: version = 4, workspace members only */
    file_facts_init(&f);
    assert_int_equal(lock_file("workspace.lock", &f, &err), 0);
    assert_int_equal(f.pkgs.n, 2);
    expect_crate(&f.pkgs, 0, "app", "0.3.1", "app/Cargo.lock");
    expect_crate(&f.pkgs, 1, "util", "1.4.0", "app/Cargo.lock");
    file_facts_cleanup(&f);
    assert_int_equal(err.code, 0);

    file_facts_init(&f);
    assert_int_equal(lock_file("v5.lock", &f, &err), DD_EUNSUPPORTED);
    assert_string_equal(err.msg, "Cargo.lock version 5 not supported");
    assert_int_equal(f.pkgs.n, 0);
    file_facts_cleanup(&f);
}

static void test_lang_rust_lock_toml_forms(void **state)
{
    (void)state;
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    const char *text = "\xef\xbb\xbfversion = 3 # trailing comment\r\n"
                       "\r\n"
                       "[[ package ]]\r\n"
                       "name = 'lit'\r\n"
                       "version = \"1.0.0\\u002B\\U0001F600\" # an escaped plus and an emoji\n"
                       "source = \"registry+https://example.com/index\"\n"
                       "dependencies = [\n"
                       "  \"a ]\", # a comment inside\n"
                       "  [\"nested\", {x = 1}],\n"
                       "]\n"
                       "extra = { k = \"v\", n = [1, 2] }\n"
                       "flag = true\n";
    assert_int_equal(lock_str(text, &l, &err), 0);
    assert_int_equal(l.n, 1);
    expect_crate(&l, 0, "lit", "1.0.0+\xf0\x9f\x98\x80", "app/Cargo.lock");
    pkg_list_cleanup(&l);
}

static void test_lang_rust_lock_hostile(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *msg;
        size_t n_pkgs;
    } cases[] = {
        {"[[package]]\nname = \"a\n", "line 2: malformed value", 0},
        {"[[package]]\nname = \"a\"\nversion = \"1\"\ndependencies = [\n \"x\",\n",
         "line 4: malformed value", 1},
        {"[[package]]\nname = \"a\"\n\n[[package]]\nname = \"b\"\nversion = \"2\"\n",
         "line 1: package without version", 1},
        {"[[package]]\nversion = \"1\"\n", "line 1: package without name", 0},
        {"[[package]]\nname = \"a\"\nname = \"b\"\nversion = \"1\"\n", "line 3: malformed value",
         1},
        {"[[package]]\nname = \"a\\u0000b\"\nversion = \"1\"\n", "line 2: malformed value", 0},
        {"[[package]]\nname = \"a\\q\"\nversion = \"1\"\n", "line 2: malformed value", 0},
        {"[[package]]\nname = \"\\uD800\"\nversion = \"1\"\n", "line 2: malformed value", 0},
        {"[[package]]\nname = \"\"\"a\"\"\"\nversion = \"1\"\n", "line 2: malformed value", 0},
        {"[[package]\nname = \"a\"\nversion = \"1\"\n", "line 1: malformed table header", 0},
        {"[[package]]\nname \"a\"\nversion = \"1\"\n", "line 2: expected key = value", 0},
        {"[[package]]\nname = 7\nversion = \"1\"\n", "line 2: malformed value", 0},
        {"[[package]]\nname = [\"a\"]\nversion = \"1\"\n", "line 2: malformed value", 0},
        {"[[package]]\nname = \"a\" junk\nversion = \"1\"\n", "line 2: malformed value", 0},
        {"x = { a = 1\n}\n[[package]]\nname = \"a\"\nversion = \"1\"\n", "line 1: malformed value",
         1},
        {"version = 99999999999\n", "line 1: malformed value", 0},
        {"version = 0\n", "Cargo.lock version 0 not supported", 0},
        {"\x01\x02\x03", "line 1: expected key = value", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct pkg_list l;
        pkg_list_init(&l);
        struct dd_error err = {0};
        int rc = lock_str(cases[i].text, &l, &err);
        if (rc == 0 || strcmp(err.msg, cases[i].msg) != 0 || l.n != cases[i].n_pkgs)
            fail_msg("case %zu: rc %d msg '%s' pkgs %zu", i, rc, err.msg, l.n);
        pkg_list_cleanup(&l);
    }
}

static void test_lang_rust_lock_limits(void **state)
{
    (void)state;
    /* deep array nesting stops at the depth cap */
    size_t depth = 10000;
    char *deep = malloc(depth * 2 + 64);
    assert_non_null(deep);
    char *p = deep;
    p += sprintf(p, "x = ");
    for (size_t i = 0; i < depth; i++)
        *p++ = '[';
    for (size_t i = 0; i < depth; i++)
        *p++ = ']';
    strcpy(p, "\n[[package]]\nname = \"a\"\nversion = \"1\"\n");
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(lock_str(deep, &l, &err), DD_ELIMIT);
    assert_string_equal(err.msg, "line 1: malformed value");
    pkg_list_cleanup(&l);
    free(deep);

    /* a name longer than the string cap */
    size_t n = 10000;
    char *huge = malloc(n + 64);
    assert_non_null(huge);
    p = huge + sprintf(huge, "[[package]]\nname = \"");
    memset(p, 'a', n);
    strcpy(p + n, "\"\nversion = \"1\"\n");
    pkg_list_init(&l);
    memset(&err, 0, sizeof(err));
    assert_int_equal(lock_str(huge, &l, &err), DD_EPARSE);
    assert_int_equal(l.n, 0);
    pkg_list_cleanup(&l);
    free(huge);
}

static void test_lang_rust_lock_want(void **state)
{
    (void)state;
    assert_true(analyzer_cargo_lock.want("Cargo.lock"));
    assert_true(analyzer_cargo_lock.want("src/app/Cargo.lock"));
    assert_false(analyzer_cargo_lock.want("src/app/Cargo.lock.bak"));
    assert_false(analyzer_cargo_lock.want("src/app/cargo.lock"));
    assert_false(analyzer_cargo_lock.want("src/app/XCargo.lock"));
}

/* ---- cargo-auditable payloads --------------------------------------------------------- */

static void expect_demo_crates(const struct pkg_list *l, const char *path)
{
    /* dep-v0.json: cc is kind "build" and is not in the binary */
    assert_int_equal(l->n, 4);
    expect_crate(l, 0, "adler", "1.0.2", path);
    expect_crate(l, 1, "auditable-demo", "0.1.0", path);
    expect_crate(l, 2, "miniz_oxide", "0.7.1", path);
    expect_crate(l, 3, "serde", "1.0.188", path);
}

static void test_lang_rust_auditable_payload(void **state)
{
    (void)state;
    size_t len;
    uint8_t *z = tu_read_file(FIX "dep-v0.zlib", &len);
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(cargo_auditable_parse("bin", z, len, &l, &err), 0);
    expect_demo_crates(&l, "bin");
    pkg_list_cleanup(&l);

    /* truncated stream, corrupt stream, wrong wrapper */
    pkg_list_init(&l);
    memset(&err, 0, sizeof(err));
    assert_int_equal(cargo_auditable_parse("bin", z, len / 2, &l, &err), DD_ETRUNC);
    z[len / 2] ^= 0x55;
    z[len / 2 + 1] ^= 0x55;
    int rc = cargo_auditable_parse("bin", z, len, &l, NULL);
    assert_true(rc == DD_EPARSE || rc == DD_ETRUNC);
    z[0] = 0x1f;
    memset(&err, 0, sizeof(err));
    assert_int_equal(cargo_auditable_parse("bin", z, len, &l, &err), DD_EPARSE);
    assert_int_equal(strncmp(err.msg, ".dep-v0: ", 9), 0);
    assert_int_equal(l.n, 0);
    pkg_list_cleanup(&l);
    free(z);

    /* 9 KiB inflating to 9 MiB: stopped at the 8 MiB cap */
    z = tu_read_file(FIX "zbomb.zlib", &len);
    pkg_list_init(&l);
    memset(&err, 0, sizeof(err));
    assert_int_equal(cargo_auditable_parse("bin", z, len, &l, &err), DD_EBOMB);
    assert_string_equal(err.msg, ".dep-v0 inflates past 8388608 bytes");
    pkg_list_cleanup(&l);
    free(z);
}

static void test_lang_rust_auditable_json_hostile(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        int rc;
        size_t n_pkgs;
    } cases[] = {
        {"[]", DD_EPARSE, 0},
        {"{\"packages\":{}}", DD_EPARSE, 0},
        {"{\"packages\":[]}", 0, 0},
        {"{\"packages\":[1,\"x\",{\"name\":\"a\"},{\"name\":\"b\",\"version\":\"1.0.0\"}]}",
         DD_EPARSE, 1},
        {"{\"packages\":[{\"name\":\"a b\",\"version\":\"1\"}]}", DD_EPARSE, 0},
        {"{\"packages\":[{\"name\":\"a\",\"version\":\"1\",\"kind\":7}]}", DD_EPARSE, 0},
        {"{\"packages\":[{\"name\":\"a\",\"version\":\"1\",\"kind\":\"dev\"}]}", 0, 0},
        {"{\"packages\":[],\"packages\":[]}", DD_EPARSE, 0},
        {"{\"packages\":[{\"name\":\"\\u0000\",\"version\":\"1\"}]}", DD_EPARSE, 0},
        {"{\"packages\":[{\"name\":\"a\",\"version\":\"\xff\"}]}", DD_EPARSE, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct pkg_list l;
        pkg_list_init(&l);
        struct dd_error err = {0};
        int rc = cargo_auditable_json_parse("bin", (const uint8_t *)cases[i].json,
                                            strlen(cases[i].json), &l, &err);
        if (rc != cases[i].rc || l.n != cases[i].n_pkgs)
            fail_msg("case %zu: rc %d (%s) pkgs %zu", i, rc, err.msg, l.n);
        pkg_list_cleanup(&l);
    }
}

/* ---- the ELF tail pass ---------------------------------------------------------------- */

static int run_stream(const uint8_t *d, size_t len, uint64_t size, size_t chunk,
                      struct pkg_list *out, struct dd_error *err)
{
    struct mem_source ms;
    struct blob_source src;
    mem_source_init(&ms, &src, d, len, chunk);
    return lang_elf_parse_stream("usr/bin/demo", size, &src, out, err);
}

static void test_lang_rust_auditable_binary(void **state)
{
    (void)state;
    size_t len;
    uint8_t *d = tu_read_file(FIX "auditable.bin", &len);
    static const size_t chunks[] = {0, 1, 333, 65536};
    for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
        struct pkg_list l;
        pkg_list_init(&l);
        struct dd_error err = {0};
        assert_int_equal(run_stream(d, len, len, chunks[c], &l, &err), 0);
        expect_demo_crates(&l, "usr/bin/demo");
        pkg_list_cleanup(&l);
    }
    /* the size unknown to the walker (0): same result */
    struct pkg_list l;
    pkg_list_init(&l);
    assert_int_equal(run_stream(d, len, 0, 4096, &l, NULL), 0);
    assert_int_equal(l.n, 4);
    pkg_list_cleanup(&l);
    free(d);

    d = tu_read_file(FIX "plain.bin", &len);
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(run_stream(d, len, len, 4096, &l, &err), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(err.code, 0);
    pkg_list_cleanup(&l);
    free(d);
}

/* A real rustc-built binary (346 KiB: the tail starts past the 64 KiB head). */
static void test_lang_rust_real_rust_binary(void **state)
{
    (void)state;
    size_t len;
    uint8_t *d = tu_read_file(FIX "rust-auditable.bin", &len);
    static const size_t chunks[] = {4096, 65536, 100003};
    for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
        struct pkg_list l;
        pkg_list_init(&l);
        struct dd_error err = {0};
        assert_int_equal(run_stream(d, len, len, chunks[c], &l, &err), 0);
        expect_demo_crates(&l, "usr/bin/demo");
        pkg_list_cleanup(&l);
    }
    /* a walker claiming 17 MiB more: the tail is not captured, and since std's /rustc/
     * paths are in .rodata, that is reported */
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(run_stream(d, len, len + (17u << 20), 65536, &l, &err), DD_ETOOBIG);
    assert_string_equal(err.msg, "ELF tail too large for cargo-auditable scan");
    pkg_list_cleanup(&l);
    free(d);
    /* the same lie about a C binary: silently nothing */
    d = tu_read_file(FIX "plain.bin", &len);
    pkg_list_init(&l);
    memset(&err, 0, sizeof(err));
    assert_int_equal(run_stream(d, len, len + (17u << 20), 65536, &l, &err), 0);
    assert_int_equal(err.code, 0);
    pkg_list_cleanup(&l);
    free(d);
}

static void w16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void w32(uint8_t *p, uint32_t v)
{
    w16(p, (uint16_t)v);
    w16(p + 2, (uint16_t)(v >> 16));
}

static void w64(uint8_t *p, uint64_t v)
{
    w32(p, (uint32_t)v);
    w32(p + 4, (uint32_t)(v >> 32));
}

/* A little-endian ELF64: one PT_LOAD over [0, load), then the payload (.dep-v0), .shstrtab
 * and three section headers (null, .shstrtab, .dep-v0). */
struct synth {
    uint8_t *d;
    size_t len;
    size_t shoff;
};

static struct synth synth_elf(size_t load, const uint8_t *payload, size_t plen)
{
    static const char strtab[] = "\0.shstrtab\0.dep-v0"; /* 19 bytes with the final NUL */
    size_t str_off = load + plen;
    size_t shoff = (str_off + sizeof(strtab) + 7) & ~(size_t)7;
    struct synth s = {calloc(1, shoff + 3 * 64), shoff + 3 * 64, shoff};
    assert_non_null(s.d);
    uint8_t *d = s.d;
    memcpy(d,
           "\x7f"
           "ELF\x02\x01\x01",
           7);
    w16(d + 16, 2);
    w16(d + 18, 62);
    w32(d + 20, 1);
    w64(d + 32, 64);
    w64(d + 40, shoff);
    w16(d + 52, 64);
    w16(d + 54, 56);
    w16(d + 56, 1);
    w16(d + 58, 64);
    w16(d + 60, 3);
    w16(d + 62, 1);
    w32(d + 64, 1);
    w32(d + 68, 5);
    w64(d + 64 + 32, load);
    w64(d + 64 + 40, load);
    memcpy(d + load, payload, plen);
    memcpy(d + str_off, strtab, sizeof(strtab));
    uint8_t *sh = d + shoff + 64;
    w32(sh, 1);
    w32(sh + 4, 3);
    w64(sh + 24, str_off);
    w64(sh + 32, sizeof(strtab));
    sh += 64;
    w32(sh, 11);
    w32(sh + 4, 1);
    w64(sh + 24, load);
    w64(sh + 32, plen);
    return s;
}

static void test_lang_rust_tail_beyond_head(void **state)
{
    (void)state;
    size_t zlen;
    uint8_t *z = tu_read_file(FIX "dep-v0.zlib", &zlen);
    struct synth s = synth_elf(200 * 1024, z, zlen);
    static const size_t chunks[] = {1, 4096, 65536 + 3};
    for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
        struct pkg_list l;
        pkg_list_init(&l);
        struct dd_error err = {0};
        assert_int_equal(run_stream(s.d, s.len, s.len, chunks[c], &l, &err), 0);
        expect_demo_crates(&l, "usr/bin/demo");
        pkg_list_cleanup(&l);
    }
    free(s.d);
    free(z);
}

static void test_lang_rust_lying_section_headers(void **state)
{
    (void)state;
    size_t zlen;
    uint8_t *z = tu_read_file(FIX "dep-v0.zlib", &zlen);
    struct pkg_list l;
    struct dd_error err;

    /* e_shoff past the end */
    struct synth s = synth_elf(8192, z, zlen);
    w64(s.d + 40, s.len + 4096);
    pkg_list_init(&l);
    memset(&err, 0, sizeof(err));
    assert_int_equal(run_stream(s.d, s.len, s.len, 4096, &l, &err), DD_EPARSE);
    assert_string_equal(err.msg, "section header table past the end of the file");
    pkg_list_cleanup(&l);
    free(s.d);

    /* .dep-v0 with a size that wraps the address space */
    s = synth_elf(8192, z, zlen);
    w64(s.d + s.shoff + 2 * 64 + 32, UINT64_MAX - 16);
    pkg_list_init(&l);
    memset(&err, 0, sizeof(err));
    assert_int_equal(run_stream(s.d, s.len, s.len, 4096, &l, &err), DD_EPARSE);
    assert_non_null(strstr(err.msg, ".dep-v0 (offset 8192"));
    assert_int_equal(l.n, 0);
    pkg_list_cleanup(&l);
    free(s.d);

    /* a section name offset far outside .shstrtab: no such section, no read */
    s = synth_elf(8192, z, zlen);
    w32(s.d + s.shoff + 2 * 64, 0xfffffff0u);
    pkg_list_init(&l);
    assert_int_equal(run_stream(s.d, s.len, s.len, 4096, &l, NULL), 0);
    assert_int_equal(l.n, 0);
    pkg_list_cleanup(&l);
    free(s.d);

    /* e_shstrndx out of range, e_shnum huge */
    s = synth_elf(8192, z, zlen);
    w16(s.d + 62, 9);
    pkg_list_init(&l);
    memset(&err, 0, sizeof(err));
    assert_int_equal(run_stream(s.d, s.len, s.len, 4096, &l, &err), DD_EPARSE);
    assert_string_equal(err.msg, "section name table index 9 out of range");
    pkg_list_cleanup(&l);
    w16(s.d + 62, 1);
    w16(s.d + 60, 60000);
    pkg_list_init(&l);
    memset(&err, 0, sizeof(err));
    assert_int_equal(run_stream(s.d, s.len, s.len, 4096, &l, &err), DD_EPARSE);
    pkg_list_cleanup(&l);
    free(s.d);

    /* the walker says the file is 17 MiB past the last PT_LOAD: the tail is not captured;
     * an error only when the loaded bytes look like Rust ("/rustc/" std paths), here once
     * inside the head, once across a chunk boundary after it */
    static const struct {
        size_t load, marker_at, chunk;
        int rc;
    } big[] = {
        {8192, 0, 4096, 0},
        {8192, 5000, 4096, DD_ETOOBIG},
        {200 * 1024, 131072 - 3, 65536, DD_ETOOBIG},
        {200 * 1024, 131072 - 3, 1, DD_ETOOBIG},
        {200 * 1024, 150000, 7, DD_ETOOBIG},
        {200 * 1024, 200 * 1024 - 3, 4096, 0}, /* cut by the end of the PT_LOAD */
    };
    for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
        s = synth_elf(big[i].load, z, zlen);
        if (big[i].marker_at)
            memcpy(s.d + big[i].marker_at, "/rustc/", 7);
        pkg_list_init(&l);
        memset(&err, 0, sizeof(err));
        int rc = run_stream(s.d, s.len, big[i].load + (17u << 20), big[i].chunk, &l, &err);
        if (rc != big[i].rc)
            fail_msg("big tail case %zu: rc %d (%s)", i, rc, err.msg);
        if (rc)
            assert_string_equal(err.msg, "ELF tail too large for cargo-auditable scan");
        assert_int_equal(l.n, 0);
        pkg_list_cleanup(&l);
        free(s.d);
    }
    free(z);

    /* size unknown to the walker: the overflow shows only while capturing */
    size_t plen = (size_t)17 << 20;
    uint8_t *pad = calloc(1, plen);
    assert_non_null(pad);
    s = synth_elf(8192, pad, plen);
    free(pad);
    pkg_list_init(&l);
    assert_int_equal(run_stream(s.d, s.len, 0, 65536, &l, NULL), 0); /* not Rust: silent */
    memcpy(s.d + 6000, "/rustc/", 7);
    memset(&err, 0, sizeof(err));
    assert_int_equal(run_stream(s.d, s.len, 0, 65536, &l, &err), DD_ETOOBIG);
    assert_int_equal(l.n, 0);
    pkg_list_cleanup(&l);
    free(s.d);

    /* a zlib bomb in .dep-v0 */
    z = tu_read_file(FIX "zbomb.zlib", &zlen);
    s = synth_elf(8192, z, zlen);
    pkg_list_init(&l);
    memset(&err, 0, sizeof(err));
    assert_int_equal(run_stream(s.d, s.len, s.len, 4096, &l, &err), DD_EBOMB);
    pkg_list_cleanup(&l);
    free(s.d);
    free(z);
}

/* Any class and byte order: header, PT_LOAD [0, load) (+ PT_NOTE with a Go build ID note at
 * 512 when go_blob is set, the blob copied to 4096), then .dep-v0 payload, .shstrtab and the
 * section headers. */
static void wr(uint8_t *p, uint64_t v, unsigned n, bool be)
{
    for (unsigned i = 0; i < n; i++)
        p[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

static struct synth synth_elf_ex(bool is64, bool be, size_t load, const uint8_t *payload,
                                 size_t plen, const uint8_t *go_blob, size_t go_len)
{
    static const char strtab[] = "\0.shstrtab\0.dep-v0";
    unsigned ph = is64 ? 56 : 32, shs = is64 ? 64 : 40, eh = is64 ? 64 : 52, w = is64 ? 8 : 4;
    size_t str_off = load + plen;
    size_t shoff = (str_off + sizeof(strtab) + 7) & ~(size_t)7;
    struct synth s = {calloc(1, shoff + 3 * shs), shoff + 3 * shs, shoff};
    assert_non_null(s.d);
    uint8_t *d = s.d;
    memcpy(d,
           "\x7f"
           "ELF",
           4);
    d[4] = is64 ? 2 : 1;
    d[5] = be ? 2 : 1;
    d[6] = 1;
    unsigned phnum = go_blob ? 2 : 1;
    wr(d + 16, 2, 2, be);
    wr(d + 18, is64 ? 62 : 3, 2, be);
    wr(d + 20, 1, 4, be);
    wr(d + (is64 ? 32 : 28), eh, w, be);    /* e_phoff */
    wr(d + (is64 ? 40 : 32), shoff, w, be); /* e_shoff */
    wr(d + (is64 ? 52 : 40), eh, 2, be);    /* e_ehsize */
    wr(d + (is64 ? 54 : 42), ph, 2, be);    /* e_phentsize */
    wr(d + (is64 ? 56 : 44), phnum, 2, be); /* e_phnum */
    wr(d + (is64 ? 58 : 46), shs, 2, be);   /* e_shentsize */
    wr(d + (is64 ? 60 : 48), 3, 2, be);     /* e_shnum */
    wr(d + (is64 ? 62 : 50), 1, 2, be);     /* e_shstrndx */
    for (unsigned i = 0; i < phnum; i++) {
        uint8_t *p = d + eh + i * ph;
        uint64_t type = i == 0 ? 1 : 4, off = i == 0 ? 0 : 512, sz = i == 0 ? load : 20;
        wr(p, type, 4, be);
        wr(p + (is64 ? 8 : 4), off, w, be);  /* p_offset */
        wr(p + (is64 ? 32 : 16), sz, w, be); /* p_filesz */
        wr(p + (is64 ? 40 : 20), sz, w, be); /* p_memsz */
    }
    if (go_blob) {
        wr(d + 512, 4, 4, be);
        wr(d + 516, 4, 4, be);
        wr(d + 520, 4, 4, be);
        memcpy(d + 524, "Go\0\0abcd", 8);
        memcpy(d + 4096, go_blob, go_len);
    }
    memcpy(d + load, payload, plen);
    memcpy(d + str_off, strtab, sizeof(strtab));
    uint8_t *sh = d + shoff + shs;
    wr(sh, 1, 4, be);
    wr(sh + 4, 3, 4, be);
    wr(sh + (is64 ? 24 : 16), str_off, w, be);
    wr(sh + (is64 ? 32 : 20), sizeof(strtab), w, be);
    sh += shs;
    wr(sh, 11, 4, be);
    wr(sh + 4, 1, 4, be);
    wr(sh + (is64 ? 24 : 16), load, w, be);
    wr(sh + (is64 ? 32 : 20), plen, w, be);
    return s;
}

static void test_lang_rust_elf_classes_and_byte_orders(void **state)
{
    (void)state;
    size_t zlen, glen;
    uint8_t *z = tu_read_file(FIX "dep-v0.zlib", &zlen);
    uint8_t *g = tu_read_file(DD_SOURCE_DIR "/tests/fixtures/lang/go/inline.blob", &glen);
    static const bool variants[][2] = {{false, false}, {false, true}, {true, true}, {true, false}};
    for (size_t v = 0; v < 4; v++) {
        bool is64 = variants[v][0], be = variants[v][1];
        struct synth s = synth_elf_ex(is64, be, 100 * 1024, z, zlen, NULL, 0);
        struct pkg_list l;
        pkg_list_init(&l);
        struct dd_error err = {0};
        assert_int_equal(run_stream(s.d, s.len, s.len, 8192, &l, &err), 0);
        expect_demo_crates(&l, "usr/bin/demo");
        pkg_list_cleanup(&l);
        free(s.d);

        /* the same layout as a Go binary: the note makes it Go, no tail is read */
        s = synth_elf_ex(is64, be, 100 * 1024, z, zlen, g, glen);
        pkg_list_init(&l);
        assert_int_equal(run_stream(s.d, s.len, s.len, 8192, &l, &err), 0);
        assert_int_equal(l.n, 4);
        assert_int_equal(l.v[0].type, PKG_TYPE_GOLANG);
        assert_string_equal(l.v[0].name, "stdlib");
        assert_string_equal(l.v[0].version, "v1.21.5");
        pkg_list_cleanup(&l);
        free(s.d);
    }
    free(g);
    free(z);
}

static void test_lang_rust_truncated_binary(void **state)
{
    (void)state;
    size_t len;
    uint8_t *d = tu_read_file(FIX "auditable.bin", &len);
    /* every cut: no crash, never a package from half a section table */
    for (size_t cut = 0; cut < len; cut += 97) {
        struct pkg_list l;
        pkg_list_init(&l);
        struct dd_error err = {0};
        (void)run_stream(d, cut, len, 512, &l, &err);
        assert_int_equal(l.n, 0);
        pkg_list_cleanup(&l);
    }
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lang_rust_lock_versions),
        cmocka_unit_test(test_lang_rust_lock_toml_forms),
        cmocka_unit_test(test_lang_rust_lock_hostile),
        cmocka_unit_test(test_lang_rust_lock_limits),
        cmocka_unit_test(test_lang_rust_lock_want),
        cmocka_unit_test(test_lang_rust_auditable_payload),
        cmocka_unit_test(test_lang_rust_auditable_json_hostile),
        cmocka_unit_test(test_lang_rust_auditable_binary),
        cmocka_unit_test(test_lang_rust_real_rust_binary),
        cmocka_unit_test(test_lang_rust_tail_beyond_head),
        cmocka_unit_test(test_lang_rust_lying_section_headers),
        cmocka_unit_test(test_lang_rust_elf_classes_and_byte_orders),
        cmocka_unit_test(test_lang_rust_truncated_binary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
