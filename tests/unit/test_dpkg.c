/* test_dpkg.c - dpkg status / status.d parsing and the dpkg analyzer's want().
 *
 * tests/fixtures/os/dpkg/status holds six stanzas copied from a Debian 12 status file, with
 * tzdata edited to "deinstall ok config-files" and libgcc-s1 to "hold ok installed". The
 * expected values below were read from
 *   dpkg-query --admindir=<dir with that status> -W -f '${Package} ${Version} ${Architecture}
 *     ${source:Package} ${source:Version} ${db:Status-Abbrev}\n'
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "dpkg.h"

#define FIX DD_SOURCE_DIR "/tests/fixtures/os/dpkg/"

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
                       const char *src, const char *src_version, const char *path)
{
    assert_int_equal(p->type, PKG_TYPE_DEB);
    assert_string_equal(p->name, name);
    assert_string_equal(p->version, version);
    assert_string_equal(p->arch, arch);
    assert_string_equal(p->src_name, src);
    assert_string_equal(p->src_version, src_version);
    assert_string_equal(p->file_path, path);
    assert_null(p->licence);
    assert_null(p->release);
    assert_int_equal(p->epoch, -1);
}

static void test_dpkg_parse_status_fixture(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = read_file(FIX "status", &len);
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    const char *path = "var/lib/dpkg/status";
    assert_int_equal(dpkg_status_parse(path, data, len, &l, &err), 0);
    assert_int_equal(err.code, 0);
    assert_int_equal(l.n, 5); /* tzdata (rc) excluded */
    expect_pkg(&l.v[0], "base-files", "12.4+deb12u11", "amd64", "base-files", "12.4+deb12u11",
               path);
    expect_pkg(&l.v[1], "bash", "5.2.15-2+b8", "amd64", "bash", "5.2.15-2", path);
    expect_pkg(&l.v[2], "bsdutils", "1:2.38.1-5+deb12u3", "amd64", "util-linux", "2.38.1-5+deb12u3",
               path);
    expect_pkg(&l.v[3], "libc6", "2.36-9+deb12u14", "amd64", "glibc", "2.36-9+deb12u14", path);
    expect_pkg(&l.v[4], "libgcc-s1", "12.2.0-14+deb12u1", "amd64", "gcc-12", "12.2.0-14+deb12u1",
               path);
    for (size_t i = 0; i < l.n; i++)
        assert_string_not_equal(l.v[i].name, "tzdata");
    pkg_list_cleanup(&l);
    free(data);
}

static void test_dpkg_parse_distroless_status_d(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = read_file(FIX "status.d/libssl3", &len);
    struct pkg_list l;
    pkg_list_init(&l);
    const char *path = "var/lib/dpkg/status.d/libssl3";
    assert_int_equal(dpkg_status_parse(path, data, len, &l, NULL), 0);
    assert_int_equal(l.n, 1); /* no Status field: installed */
    expect_pkg(&l.v[0], "libssl3", "3.0.11-1~deb12u2", "amd64", "openssl", "3.0.11-1~deb12u2",
               path);
    pkg_list_cleanup(&l);
    free(data);

    /* The md5sums file next to it yields nothing, whatever it holds. */
    data = read_file(FIX "status.d/libssl3.md5sums", &len);
    assert_int_equal(
        dpkg_status_parse("var/lib/dpkg/status.d/libssl3.md5sums", data, len, &l, NULL), 0);
    assert_int_equal(l.n, 0);
    free(data);
}

static void test_dpkg_parse_fields_case_and_status_words(void **state)
{
    (void)state;
    const char *t = "PACKAGE: a\nstatus: install ok installed\nversion: 1.0\n"
                    "source:   srca   (  2.0 )  \n\n"
                    "Package: b\nStatus: purge ok not-installed\nVersion: 1\n\n"
                    "Package: c\nStatus: install reinstreq half-installed\nVersion: 1\n\n"
                    "Package: d\nStatus: install ok installed extra\nVersion: 1\n\n"
                    "Package: e\nStatus:\nVersion: 1\n\n"
                    "Package: f\nStatus: deinstall ok installed\nVersion: 2:1.0\n"
                    "Description: x\n Package: not-a-field\n \n"
                    "\t.\n";
    struct pkg_list l;
    pkg_list_init(&l);
    assert_int_equal(dpkg_status_parse("s", (const uint8_t *)t, strlen(t), &l, NULL), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].name, "a");
    assert_string_equal(l.v[0].src_name, "srca");
    assert_string_equal(l.v[0].src_version, "2.0");
    assert_null(l.v[0].arch);
    /* want "deinstall" but still installed: kept, epoch stays in the version. */
    assert_string_equal(l.v[1].name, "f");
    assert_string_equal(l.v[1].version, "2:1.0");
    pkg_list_cleanup(&l);
}

static void test_dpkg_parse_hostile(void **state)
{
    (void)state;
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};

    const char *junk = "no fields here\nat all\n";
    assert_int_equal(dpkg_status_parse("s", (const uint8_t *)junk, strlen(junk), &l, &err),
                     DD_EPARSE);
    assert_int_equal(err.code, DD_EPARSE);
    assert_int_equal(l.n, 0);

    assert_int_equal(dpkg_status_parse("s", (const uint8_t *)"", 0, &l, NULL), 0);
    assert_int_equal(dpkg_status_parse("s", (const uint8_t *)"\n\n  \n", 5, &l, NULL), 0);

    /* Missing Package or Version, empty values, NUL bytes: stanza skipped, rest kept. */
    const uint8_t t[] = "Version: 1\n\nPackage: nover\n\nPackage: x\0y\nVersion: 1\n\n"
                        ": empty name\nPackage: ok\nVersion: 3\n";
    assert_int_equal(dpkg_status_parse("s", t, sizeof(t) - 1, &l, NULL), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].name, "ok");
    pkg_list_cleanup(&l);

    /* Stanza cap. */
    size_t stanzas = DPKG_MAX_STANZAS + 1;
    const char *unit = "Package: a\nVersion: 1\n\n";
    size_t ul = strlen(unit);
    uint8_t *data = malloc(stanzas * ul);
    assert_non_null(data);
    for (size_t i = 0; i < stanzas; i++)
        memcpy(data + i * ul, unit, ul);
    dd_error_clear(&err);
    assert_int_equal(dpkg_status_parse("s", data, stanzas * ul, &l, &err), DD_ELIMIT);
    assert_int_equal(l.n, DPKG_MAX_STANZAS);
    pkg_list_cleanup(&l);
    free(data);
}

static void test_dpkg_analyzer_want(void **state)
{
    (void)state;
    const char *yes[] = {"var/lib/dpkg/status", "var/lib/dpkg/status.d/libssl3",
                         "var/lib/dpkg/status.d/base", "var/lib/dpkg/status.d/x.md5"};
    const char *no[] = {"var/lib/dpkg/status-old", "var/lib/dpkg/status.d/x/y",
                        "var/lib/dpkg/status.d/",  "var/lib/dpkg/status.d/libssl3.md5sums",
                        "var/lib/dpkg/available",  "usr/var/lib/dpkg/status",
                        "var/lib/dpkg/status.d",   "var/lib/dpkg/info/bash.list"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        assert_true(analyzer_dpkg.want(yes[i]));
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        assert_false(analyzer_dpkg.want(no[i]));
    assert_int_equal(analyzer_dpkg.max_file_bytes, 32 * 1024 * 1024);
    assert_int_equal(analyzer_dpkg.version, 1);

    struct file_facts ff;
    file_facts_init(&ff);
    const char *t = "Package: zlib1g\nVersion: 1:1.2.13.dfsg-1\nSource: zlib\n";
    assert_int_equal(analyzer_dpkg.parse("var/lib/dpkg/status.d/zlib1g", (const uint8_t *)t,
                                         strlen(t), &ff, NULL),
                     0);
    assert_int_equal(ff.pkgs.n, 1);
    assert_string_equal(ff.pkgs.v[0].src_version, "1:1.2.13.dfsg-1");
    file_facts_cleanup(&ff);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dpkg_parse_status_fixture),
        cmocka_unit_test(test_dpkg_parse_distroless_status_d),
        cmocka_unit_test(test_dpkg_parse_fields_case_and_status_words),
        cmocka_unit_test(test_dpkg_parse_hostile),
        cmocka_unit_test(test_dpkg_analyzer_want),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
