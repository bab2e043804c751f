/* test_os_release.c - os-release and legacy release files, plus the OS analyzers' want(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "os_release.h"

#define FIX DD_SOURCE_DIR "/tests/fixtures/os/release/"

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

static void expect_os(const struct os_info *os, const char *family, const char *version,
                      const char *codename, const char *name)
{
    assert_string_equal(os->family, family);
    if (version)
        assert_string_equal(os->version, version);
    else
        assert_null(os->version);
    if (codename)
        assert_string_equal(os->codename, codename);
    else
        assert_null(os->codename);
    if (name)
        assert_string_equal(os->name, name);
    else
        assert_null(os->name);
}

static void parse_file(const char *path, struct os_info *os)
{
    size_t len;
    uint8_t *data = read_file(path, &len);
    struct dd_error err = {0};
    assert_int_equal(os_release_parse(data, len, os, &err), 0);
    assert_int_equal(err.code, 0);
    free(data);
}

static void test_os_release_parse_debian12(void **state)
{
    (void)state;
    struct os_info os = {0};
    parse_file(FIX "debian12.os-release", &os);
    expect_os(&os, "debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)");
    os_info_cleanup(&os);
}

static void test_os_release_parse_ubuntu(void **state)
{
    (void)state;
    struct os_info os = {0};
    parse_file(FIX "ubuntu2204.os-release", &os);
    expect_os(&os, "ubuntu", "22.04", "jammy", "Ubuntu 22.04.3 LTS");
    os_info_cleanup(&os);
}

static void test_os_release_parse_alpine_and_alma(void **state)
{
    (void)state;
    struct os_info os = {0};
    parse_file(FIX "alpine318.os-release", &os);
    expect_os(&os, "alpine", "3.18.4", NULL, "Alpine Linux v3.18");
    os_info_cleanup(&os);
    parse_file(FIX "almalinux93.os-release", &os);
    expect_os(&os, "almalinux", "9.3", NULL, "AlmaLinux 9.3 (Shamrock Pink Squirrel)");
    os_info_cleanup(&os);
}

static void test_os_release_parse_quoting_and_comments(void **state)
{
    (void)state;
    const char *text = "# a comment\n"
                       "\n"
                       "   \t\n"
                       "ID='Ubuntu'\r\n"
                       "PRETTY_NAME=\"say \\\"hi\\\" \\\\ \\$HOME \\n\"\n"
                       "VERSION_ID=2\\ 4  \n"
                       "UBUNTU_CODENAME=noble\n"
                       "NOT A LINE\n"
                       "=novalue\n"
                       "BROKEN=\"unterminated\n";
    struct os_info os = {0};
    struct dd_error err = {0};
    assert_int_equal(os_release_parse((const uint8_t *)text, strlen(text), &os, &err), 0);
    /* ID lowercased; UBUNTU_CODENAME used when VERSION_CODENAME is absent; in double quotes
     * only \" \\ \$ \` are escapes, "\n" stays a backslash and an n. */
    expect_os(&os, "ubuntu", "2 4", "noble", "say \"hi\" \\ $HOME \\n");
    os_info_cleanup(&os);
}

static void test_os_release_parse_missing_id_defaults_to_linux(void **state)
{
    (void)state;
    const char *text = "NAME=Thing\nVERSION_ID=1\n";
    struct os_info os = {0};
    assert_int_equal(os_release_parse((const uint8_t *)text, strlen(text), &os, NULL), 0);
    expect_os(&os, "linux", "1", NULL, NULL);
    os_info_cleanup(&os);
}

static void test_os_release_parse_rejects_garbage(void **state)
{
    (void)state;
    struct os_info os = {0};
    struct dd_error err = {0};
    const uint8_t bin[] = {0xff, 0xfe, 0x00, 'I', 'D', '=', 'x', '\n'};
    /* Text stops at the NUL: nothing usable before it. */
    assert_int_equal(os_release_parse(bin, sizeof(bin), &os, &err), DD_EPARSE);
    assert_null(os.family);
    assert_int_equal(os_release_parse((const uint8_t *)"", 0, &os, NULL), DD_EPARSE);

    /* Over the size cap. */
    size_t big = OS_RELEASE_MAX_BYTES + 1;
    uint8_t *data = malloc(big);
    assert_non_null(data);
    memset(data, 'A', big);
    dd_error_clear(&err);
    assert_int_equal(os_release_parse(data, big, &os, &err), DD_ETOOBIG);
    assert_null(os.family);

    /* A line over the line cap is skipped, the next one still counts. */
    memset(data, 'A', OS_RELEASE_MAX_LINE + 10);
    memcpy(data, "ID=", 3);
    data[OS_RELEASE_MAX_LINE + 10] = '\n';
    memcpy(data + OS_RELEASE_MAX_LINE + 11, "ID=fedora\n", 10);
    assert_int_equal(os_release_parse(data, OS_RELEASE_MAX_LINE + 21, &os, NULL), 0);
    assert_string_equal(os.family, "fedora");
    os_info_cleanup(&os);
    free(data);
}

static void test_os_release_parse_legacy_files(void **state)
{
    (void)state;
    struct os_info os = {0};
    size_t len;
    uint8_t *d;

    d = read_file(FIX "alpine-release", &len);
    assert_int_equal(os_release_parse_alpine(d, len, &os, NULL), 0);
    expect_os(&os, "alpine", "3.18.4", NULL, NULL);
    os_info_cleanup(&os);
    free(d);

    d = read_file(FIX "debian_version", &len);
    assert_int_equal(os_release_parse_debian_version(d, len, &os, NULL), 0);
    expect_os(&os, "debian", "12.5", NULL, NULL);
    os_info_cleanup(&os);
    free(d);

    d = read_file(FIX "debian_version.sid", &len);
    assert_int_equal(os_release_parse_debian_version(d, len, &os, NULL), 0);
    expect_os(&os, "debian", NULL, "bookworm", NULL);
    os_info_cleanup(&os);
    free(d);

    d = read_file(FIX "almalinux-release", &len);
    assert_int_equal(os_release_parse_redhat(d, len, NULL, &os, NULL), 0);
    expect_os(&os, "almalinux", "9.3", "Shamrock Pink Squirrel",
              "AlmaLinux release 9.3 (Shamrock Pink Squirrel)");
    os_info_cleanup(&os);
    free(d);

    d = read_file(FIX "centos-release", &len);
    assert_int_equal(os_release_parse_redhat(d, len, "rhel", &os, NULL), 0);
    expect_os(&os, "centos", "7.9.2009", "Core", "CentOS Linux release 7.9.2009 (Core)");
    os_info_cleanup(&os);
    free(d);

    d = read_file(FIX "redhat-release", &len);
    assert_int_equal(os_release_parse_redhat(d, len, NULL, &os, NULL), 0);
    expect_os(&os, "rhel", "8.9", "Ootpa", "Red Hat Enterprise Linux release 8.9 (Ootpa)");
    os_info_cleanup(&os);
    free(d);
}

static void test_os_release_parse_legacy_rejects_bad(void **state)
{
    (void)state;
    struct os_info os = {0};
    struct dd_error err = {0};
    assert_int_equal(os_release_parse_alpine((const uint8_t *)"\n\n", 2, &os, &err), DD_EPARSE);
    assert_int_equal(os_release_parse_alpine((const uint8_t *)"edge;rm", 7, &os, NULL), DD_EPARSE);
    assert_int_equal(os_release_parse_debian_version((const uint8_t *)"x y", 3, &os, NULL),
                     DD_EPARSE);
    assert_int_equal(os_release_parse_redhat((const uint8_t *)"Rocky Linux 9", 13, NULL, &os, NULL),
                     DD_EPARSE);
    assert_int_equal(
        os_release_parse_redhat((const uint8_t *)"Foo release (x)", 15, NULL, &os, NULL),
        DD_EPARSE);
    assert_null(os.family);
    /* Regression (fuzz): the error message quoted the line as a C string and read past an
     * input that is not NUL-terminated. Exact-size heap copy so ASan sees any over-read. */
    uint8_t *exact = malloc(5);
    assert_non_null(exact);
    memcpy(exact, "12.5\n", 5);
    dd_error_clear(&err);
    assert_int_equal(os_release_parse_redhat(exact, 5, NULL, &os, &err), DD_EPARSE);
    assert_string_equal(err.msg, "redhat-release: no \"release\" in \"12.5\"");
    free(exact);
    /* Unknown distribution name: the hint decides the family. */
    const char *t = "Mystery release 1.0\n";
    assert_int_equal(os_release_parse_redhat((const uint8_t *)t, strlen(t), "rocky", &os, NULL), 0);
    expect_os(&os, "rocky", "1.0", NULL, "Mystery release 1.0");
    os_info_cleanup(&os);
}

static void test_os_release_analyzer_want(void **state)
{
    (void)state;
    const char *yes[] = {"etc/os-release",     "usr/lib/os-release",    "etc/alpine-release",
                         "etc/debian_version", "etc/redhat-release",    "etc/centos-release",
                         "etc/rocky-release",  "etc/almalinux-release", "etc/fedora-release"};
    const char *no[] = {"etc/os-release.bak", "os-release",       "etc/lsb-release",
                        "usr/etc/os-release", "etc/os-release/x", "",
                        "etc/system-release", "/etc/os-release",  "etc/debian_version2"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        assert_true(analyzer_os_release.want(yes[i]));
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        assert_false(analyzer_os_release.want(no[i]));
    assert_int_equal(analyzer_os_release.max_file_bytes, 64 * 1024);
    assert_int_equal(analyzer_os_release.version, 1);
}

static void test_os_release_analyzer_parse_by_path(void **state)
{
    (void)state;
    struct file_facts ff;
    file_facts_init(&ff);
    const char *t = "Rocky Linux release 9.3 (Blue Onyx)\n";
    struct dd_error err = {0};
    assert_int_equal(
        analyzer_os_release.parse("etc/rocky-release", (const uint8_t *)t, strlen(t), &ff, &err),
        0);
    assert_true(ff.has_os);
    expect_os(&ff.os, "rocky", "9.3", "Blue Onyx", "Rocky Linux release 9.3 (Blue Onyx)");
    file_facts_cleanup(&ff);

    file_facts_init(&ff);
    t = "ID=debian\n";
    assert_int_equal(
        analyzer_os_release.parse("usr/lib/os-release", (const uint8_t *)t, strlen(t), &ff, NULL),
        0);
    assert_string_equal(ff.os.family, "debian");
    file_facts_cleanup(&ff);

    file_facts_init(&ff);
    assert_int_equal(
        analyzer_os_release.parse("etc/debian_version", (const uint8_t *)"", 0, &ff, &err),
        DD_EPARSE);
    assert_false(ff.has_os);
    file_facts_cleanup(&ff);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_os_release_parse_debian12),
        cmocka_unit_test(test_os_release_parse_ubuntu),
        cmocka_unit_test(test_os_release_parse_alpine_and_alma),
        cmocka_unit_test(test_os_release_parse_quoting_and_comments),
        cmocka_unit_test(test_os_release_parse_missing_id_defaults_to_linux),
        cmocka_unit_test(test_os_release_parse_rejects_garbage),
        cmocka_unit_test(test_os_release_parse_legacy_files),
        cmocka_unit_test(test_os_release_parse_legacy_rejects_bad),
        cmocka_unit_test(test_os_release_analyzer_want),
        cmocka_unit_test(test_os_release_analyzer_parse_by_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
