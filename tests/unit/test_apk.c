/* test_apk.c - lib/apk/db/installed parsing and the apk analyzer's want(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "apk.h"

#define FIX DD_SOURCE_DIR "/tests/fixtures/os/apk/"

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *buf = malloc(1 << 16);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    buf[*len] = 0;
    fclose(f);
    return buf;
}

static void expect_pkg(const struct pkg *p, const char *name, const char *version, const char *arch,
                       const char *src, const char *licence)
{
    assert_int_equal(p->type, PKG_TYPE_APK);
    assert_string_equal(p->name, name);
    assert_string_equal(p->version, version);
    assert_string_equal(p->arch, arch);
    assert_string_equal(p->src_name, src);
    assert_string_equal(p->src_version, version);
    if (licence)
        assert_string_equal(p->licence, licence);
    else
        assert_null(p->licence);
    assert_null(p->release);
    assert_int_equal(p->epoch, -1);
    assert_string_equal(p->file_path, "lib/apk/db/installed");
}

static void test_apk_parse_fixture(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = read_file(FIX "installed", &len);
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(apk_installed_parse("lib/apk/db/installed", data, len, &l, &err), 0);
    assert_int_equal(err.code, 0);
    /* The last block has no V: and is skipped. */
    assert_int_equal(l.n, 4);
    expect_pkg(&l.v[0], "musl", "1.2.4-r2", "x86_64", "musl", "MIT");
    expect_pkg(&l.v[1], "libcrypto3", "3.1.4-r1", "x86_64", "openssl", "Apache-2.0");
    expect_pkg(&l.v[2], "alpine-baselayout-data", "3.4.3-r1", "x86_64", "alpine-baselayout",
               "GPL-2.0-only");
    /* No o: line: the origin is the package itself. */
    expect_pkg(&l.v[3], "ca-certificates-bundle", "20230506-r0", "x86_64", "ca-certificates-bundle",
               "MPL-2.0 AND MIT");
    pkg_list_cleanup(&l);
    free(data);
}

static void test_apk_parse_crlf_no_trailing_newline(void **state)
{
    (void)state;
    const char *t = "P:zlib\r\nV:1.3-r2\r\n\r\n\r\nP:x\r\nV:1\r\nA:aarch64";
    struct pkg_list l;
    pkg_list_init(&l);
    assert_int_equal(apk_installed_parse(NULL, (const uint8_t *)t, strlen(t), &l, NULL), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].name, "zlib");
    assert_string_equal(l.v[0].version, "1.3-r2");
    assert_null(l.v[0].arch);
    assert_null(l.v[0].file_path);
    assert_string_equal(l.v[1].arch, "aarch64");
    pkg_list_cleanup(&l);
}

static void test_apk_parse_hostile(void **state)
{
    (void)state;
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};

    /* No "X:value" line at all. */
    const char *junk = "this is not\nan apk database\n";
    assert_int_equal(apk_installed_parse("p", (const uint8_t *)junk, strlen(junk), &l, &err),
                     DD_EPARSE);
    assert_int_equal(l.n, 0);
    assert_true(strstr(err.msg, "p:") == err.msg);

    /* Empty input and blank lines only: no packages, no error. */
    assert_int_equal(apk_installed_parse("p", (const uint8_t *)"", 0, &l, NULL), 0);
    assert_int_equal(apk_installed_parse("p", (const uint8_t *)"\n \n\n", 4, &l, NULL), 0);
    assert_int_equal(l.n, 0);

    /* Empty values, embedded NUL and control bytes drop the block. */
    const uint8_t nul[] = "P:a\0b\nV:1\n\nP:\nV:1\n\nP:c\nV:\x01\n\nP:ok\nV:2\n";
    assert_int_equal(apk_installed_parse("p", nul, sizeof(nul) - 1, &l, NULL), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].name, "ok");
    pkg_list_cleanup(&l);

    /* A value over the cap drops its block. */
    size_t n = APK_MAX_VALUE + 16;
    char *big = malloc(n + 32);
    assert_non_null(big);
    memcpy(big, "P:", 2);
    memset(big + 2, 'a', n);
    memcpy(big + 2 + n, "\nV:1\n", 5);
    assert_int_equal(apk_installed_parse("p", (const uint8_t *)big, n + 7, &l, NULL), 0);
    assert_int_equal(l.n, 0);
    free(big);
}

static void test_apk_parse_package_cap(void **state)
{
    (void)state;
    /* APK_MAX_PACKAGES + 1 tiny blocks: DD_ELIMIT, the first ones kept. */
    size_t blocks = APK_MAX_PACKAGES + 1;
    const char *unit = "P:a\nV:1\n\n";
    size_t ul = strlen(unit);
    uint8_t *data = malloc(blocks * ul);
    assert_non_null(data);
    for (size_t i = 0; i < blocks; i++)
        memcpy(data + i * ul, unit, ul);
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(apk_installed_parse("p", data, blocks * ul, &l, &err), DD_ELIMIT);
    assert_int_equal(l.n, APK_MAX_PACKAGES);
    pkg_list_cleanup(&l);
    free(data);
}

static void test_apk_analyzer_want(void **state)
{
    (void)state;
    assert_true(analyzer_apk.want("lib/apk/db/installed"));
    assert_false(analyzer_apk.want("lib/apk/db/installed.old"));
    assert_false(analyzer_apk.want("usr/lib/apk/db/installed"));
    assert_false(analyzer_apk.want("lib/apk/db/scripts.tar"));
    assert_false(analyzer_apk.want("lib/apk/db"));
    assert_int_equal(analyzer_apk.max_file_bytes, 16 * 1024 * 1024);

    struct file_facts ff;
    file_facts_init(&ff);
    const char *t = "P:busybox\nV:1.36.1-r5\n";
    assert_int_equal(
        analyzer_apk.parse("lib/apk/db/installed", (const uint8_t *)t, strlen(t), &ff, NULL), 0);
    assert_int_equal(ff.pkgs.n, 1);
    assert_string_equal(ff.pkgs.v[0].src_name, "busybox");
    assert_false(ff.has_os);
    file_facts_cleanup(&ff);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apk_parse_fixture),
        cmocka_unit_test(test_apk_parse_crlf_no_trailing_newline),
        cmocka_unit_test(test_apk_parse_hostile),
        cmocka_unit_test(test_apk_parse_package_cap),
        cmocka_unit_test(test_apk_analyzer_want),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
