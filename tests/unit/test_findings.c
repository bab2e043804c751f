/* test_findings.c - finding list order, counts, --severity parsing, filters and the ignore
 * file (format in findings.c; expiry instants computed by hand: 2025-06-30 ends at
 * 1751328000 = 2025-07-01T00:00:00Z, `date -u -d 2025-07-01 +%s`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "findings.h"
#include "pkg.h"

static void add(struct finding_list *l, const char *id, const char *pkg, enum severity s,
                enum vuln_status st, const char *alias)
{
    struct finding *f;
    assert_int_equal(finding_list_add(l, &f), 0);
    f->id = dd_strdup(id);
    f->pkg_name = dd_strdup(pkg);
    f->matched_name = dd_strdup(pkg);
    f->installed_version = dd_strdup("1.0");
    f->severity = s;
    f->status = st;
    f->pkg_index = 0;
    if (st == VULN_STATUS_FIXED)
        f->fixed_version = dd_strdup("1.1");
    if (alias) {
        f->aliases = calloc(1, sizeof(char *));
        f->aliases[0] = dd_strdup(alias);
        f->n_aliases = 1;
    }
}

static void test_findings_sort_and_count(void **state)
{
    (void)state;
    struct finding_list l;
    finding_list_init(&l);
    add(&l, "CVE-3", "zlib", SEVERITY_LOW, VULN_STATUS_FIXED, NULL);
    add(&l, "CVE-1", "bash", SEVERITY_UNKNOWN, VULN_STATUS_AFFECTED, NULL);
    add(&l, "CVE-2", "zlib", SEVERITY_CRITICAL, VULN_STATUS_FIXED, NULL);
    add(&l, "CVE-4", "apt", SEVERITY_CRITICAL, VULN_STATUS_FIXED, NULL);
    add(&l, "CVE-0", "apt", SEVERITY_CRITICAL, VULN_STATUS_FIXED, NULL);
    finding_list_sort(&l);
    const char *want[] = {"CVE-0", "CVE-4", "CVE-2", "CVE-3", "CVE-1"};
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(l.v[i].id, want[i]);
    size_t c[SEVERITY_CRITICAL + 1];
    finding_list_count(&l, c);
    assert_int_equal(c[SEVERITY_CRITICAL], 3);
    assert_int_equal(c[SEVERITY_LOW], 1);
    assert_int_equal(c[SEVERITY_UNKNOWN], 1);
    assert_int_equal(c[SEVERITY_HIGH], 0);
    assert_int_equal(finding_list_add_error(&l, 3, "GHSA-x", "bad event"), 0);
    assert_int_equal(finding_list_add_error(&l, FINDING_NO_PKG, NULL, "no OS"), 0);
    assert_int_equal(l.n_errors, 2);
    assert_null(l.errors[1].advisory);
    finding_list_cleanup(&l);
    finding_list_cleanup(&l); /* idempotent */
}

/* The sort ranks packages once: findings of one package split into two runs, packages that
 * differ only by version or by index, and several severities must still come out in
 * (severity, name, version, index, id) order. */
static void test_findings_sort_split_runs_and_ties(void **state)
{
    (void)state;
    struct finding_list l;
    finding_list_init(&l);
    add(&l, "CVE-9", "libx", SEVERITY_HIGH, VULN_STATUS_FIXED, NULL);
    add(&l, "CVE-5", "libx", SEVERITY_MEDIUM, VULN_STATUS_FIXED, NULL);
    add(&l, "CVE-7", "abc", SEVERITY_HIGH, VULN_STATUS_FIXED, NULL);
    add(&l, "CVE-1", "libx", SEVERITY_HIGH, VULN_STATUS_FIXED, NULL); /* libx again, later */
    add(&l, "CVE-2", "libx", SEVERITY_HIGH, VULN_STATUS_FIXED, NULL);
    l.v[4].pkg_index = 3; /* same name and version, another package: after index 0 */
    add(&l, "CVE-0", "libx", SEVERITY_HIGH, VULN_STATUS_FIXED, NULL);
    free(l.v[5].installed_version);
    l.v[5].installed_version = dd_strdup("0.9"); /* older version sorts first */
    finding_list_sort(&l);
    const char *want[] = {"CVE-7", "CVE-0", "CVE-1", "CVE-9", "CVE-2", "CVE-5"};
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(l.v[i].id, want[i]);
    finding_list_cleanup(&l);
}

static void test_findings_severity_mask_parse(void **state)
{
    (void)state;
    unsigned m = 0;
    struct dd_error err = {0};
    assert_int_equal(severity_mask_parse("HIGH,CRITICAL", &m, &err), 0);
    assert_int_equal(m, (1u << SEVERITY_HIGH) | (1u << SEVERITY_CRITICAL));
    assert_int_equal(severity_mask_parse("unknown", &m, &err), 0);
    assert_int_equal(m, 1u << SEVERITY_UNKNOWN);
    m = 77;
    assert_int_equal(severity_mask_parse("HIGH,,LOW", &m, &err), DD_EPARSE);
    assert_int_equal(severity_mask_parse("HIGH,", &m, &err), DD_EPARSE);
    assert_int_equal(severity_mask_parse("", &m, &err), DD_EPARSE);
    dd_error_clear(&err);
    assert_int_equal(severity_mask_parse("HIGH,SEVERE", &m, &err), DD_EPARSE);
    assert_non_null(strstr(err.msg, "SEVERE"));
    assert_int_equal(severity_mask_parse("HIGHX", &m, &err), DD_EPARSE);
    assert_int_equal(m, 77); /* untouched */
}

static void test_findings_filter_severity_and_unfixed(void **state)
{
    (void)state;
    struct finding_list l;
    finding_list_init(&l);
    add(&l, "CVE-1", "a", SEVERITY_CRITICAL, VULN_STATUS_FIXED, NULL);
    add(&l, "CVE-2", "b", SEVERITY_HIGH, VULN_STATUS_AFFECTED, NULL);
    add(&l, "CVE-3", "c", SEVERITY_LOW, VULN_STATUS_FIXED, NULL);
    add(&l, "CVE-4", "d", SEVERITY_HIGH, VULN_STATUS_WILL_NOT_FIX, NULL);
    struct finding_filter f = {.severity_mask = (1u << SEVERITY_HIGH) | (1u << SEVERITY_CRITICAL)};
    assert_int_equal(finding_list_filter(&l, &f, NULL, 0), 1);
    assert_int_equal(l.n, 3);
    struct finding_filter u = {.ignore_unfixed = true};
    assert_int_equal(finding_list_filter(&l, &u, NULL, 0), 2);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].id, "CVE-1");
    finding_list_cleanup(&l);
}

static int parse(const char *text, struct ignore_list *l, struct dd_error *err)
{
    ignore_list_init(l);
    return ignore_list_parse(text, strlen(text), l, err);
}

static void test_findings_ignore_parse_format(void **state)
{
    (void)state;
    struct ignore_list l;
    struct dd_error err = {0};
    const char *text =
        "\xEF\xBB\xBF# header comment\r\n"
        "\n"
        "CVE-2022-1292\n"
        "  CVE-2023-0286\texp:2025-06-30  pkg:openssl   # waiting for the base image\r\n"
        "ALSA-2023:0340 # r\xC3\xA9sum\xC3\xA9\n"
        "   # indented comment\n"
        "GHSA-xvch-5gv4-984h exp:2024-02-29";
    assert_int_equal(parse(text, &l, &err), 0);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.v[0].id, "CVE-2022-1292");
    assert_int_equal(l.v[0].expires_s, -1);
    assert_null(l.v[0].reason);
    assert_null(l.v[0].pkg);
    assert_int_equal(l.v[0].line, 3);
    assert_string_equal(l.v[1].id, "CVE-2023-0286");
    assert_int_equal(l.v[1].expires_s, 1751328000); /* 2025-07-01T00:00:00Z */
    assert_string_equal(l.v[1].expires, "2025-06-30");
    assert_string_equal(l.v[1].pkg, "openssl");
    assert_string_equal(l.v[1].reason, "waiting for the base image");
    assert_string_equal(l.v[2].id, "ALSA-2023:0340");
    assert_string_equal(l.v[2].reason, "r\xC3\xA9sum\xC3\xA9");
    assert_int_equal(l.v[3].expires_s, 1709251200); /* leap day: ends 2024-03-01T00:00:00Z */
    ignore_list_cleanup(&l);
    /* empty file */
    assert_int_equal(parse("", &l, &err), 0);
    assert_int_equal(l.n, 0);
    ignore_list_cleanup(&l);
}

static void expect_bad(const char *text, size_t len, const char *msg_part)
{
    struct ignore_list l;
    ignore_list_init(&l);
    l.n = 12345; /* sentinel: must stay untouched */
    struct dd_error err = {0};
    int rc = ignore_list_parse(text, len, &l, &err);
    if (rc == 0)
        fail_msg("accepted: %.*s", (int)len, text);
    assert_int_equal(l.n, 12345);
    if (msg_part && !strstr(err.msg, msg_part))
        fail_msg("message '%s' lacks '%s'", err.msg, msg_part);
}

#define BAD(s, part) expect_bad(s, strlen(s), part)

static void test_findings_ignore_parse_rejects(void **state)
{
    (void)state;
    BAD("CVE-1 exp:2024-02-30\n", "line 1: bad expiry date");
    BAD("CVE-1 exp:2023-02-29\n", "bad expiry");
    BAD("ok\nCVE-1 exp:2024-13-01\n", "line 2");
    BAD("CVE-1 exp:24-01-01\n", "bad expiry");
    BAD("CVE-1 exp:2024-1-01\n", "bad expiry");
    BAD("CVE-1 exp:\n", "unknown option");
    BAD("CVE-1 exp:2024-01-01 exp:2024-01-02\n", "more than one exp:");
    BAD("CVE-1 pkg:a pkg:b\n", "more than one pkg:");
    BAD("CVE-1 until:2024-01-01\n", "unknown option 'until:2024-01-01'");
    BAD("CVE-1 CVE-2\n", "unknown option");
    BAD("CVE<1>\n", "not allowed");
    BAD("CVE-1 # bad \xC3\x28 utf8\n", "UTF-8");
    BAD("CVE-1 # overlong \xC0\xAF\n", "UTF-8");
    BAD("CVE-1 # surrogate \xED\xA0\x80\n", "UTF-8");
    BAD("CVE-1 # truncated \xE2\x82\n", "UTF-8");
    expect_bad("CVE-1\0\n", 7, "NUL");
    char id[IGNORE_MAX_ID + 3];
    memset(id, 'A', sizeof(id) - 2);
    id[sizeof(id) - 2] = '\n';
    id[sizeof(id) - 1] = '\0';
    BAD(id, "longer than");
    /* a line over the cap */
    char *big = malloc(IGNORE_MAX_LINE + 16);
    memset(big, ' ', IGNORE_MAX_LINE + 10);
    memcpy(big, "CVE-1 #", 7);
    big[IGNORE_MAX_LINE + 10] = '\0';
    BAD(big, "longer than");
    free(big);
    /* too many rules */
    size_t n = (size_t)IGNORE_MAX_RULES + 1;
    char *many = malloc(n * 3 + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(many + i * 3, "X1\n", 3);
    many[n * 3] = '\0';
    BAD(many, "more than");
    free(many);
    /* whole file over the cap */
    struct ignore_list l;
    struct dd_error err = {0};
    assert_int_equal(ignore_list_parse("x", IGNORE_MAX_FILE_BYTES + 1, &l, &err), DD_ETOOBIG);
}

static void test_findings_ignore_match_and_expiry(void **state)
{
    (void)state;
    struct ignore_list rules;
    struct dd_error err = {0};
    assert_int_equal(parse("cve-2023-0286 exp:2025-06-30\n"
                           "GHSA-aaaa-bbbb-cccc pkg:libssl3\n"
                           "CVE-2099-1 pkg:openssl\n",
                           &rules, &err),
                     0);
    struct finding_list l;
    finding_list_init(&l);
    add(&l, "CVE-2023-0286", "libssl3", SEVERITY_HIGH, VULN_STATUS_FIXED, NULL);
    add(&l, "CVE-2024-9", "libssl3", SEVERITY_HIGH, VULN_STATUS_FIXED, "GHSA-aaaa-bbbb-cccc");
    add(&l, "CVE-2024-9", "curl", SEVERITY_HIGH, VULN_STATUS_FIXED, "GHSA-aaaa-bbbb-cccc");
    add(&l, "CVE-2099-1", "libssl3", SEVERITY_LOW, VULN_STATUS_FIXED, NULL);
    /* case-insensitive ID, before expiry */
    assert_non_null(ignore_list_match(&rules, &l.v[0], NULL, 1751327999));
    /* the first second after the expiry day */
    assert_null(ignore_list_match(&rules, &l.v[0], NULL, 1751328000));
    /* alias + package */
    assert_non_null(ignore_list_match(&rules, &l.v[1], NULL, 0));
    assert_null(ignore_list_match(&rules, &l.v[2], NULL, 0));
    /* pkg: by source name */
    assert_null(ignore_list_match(&rules, &l.v[3], NULL, 0));
    assert_non_null(ignore_list_match(&rules, &l.v[3], "openssl", 0));
    const char *src[] = {"openssl"};
    struct finding_filter f = {.ignores = &rules, .now_s = 1751328000};
    assert_int_equal(finding_list_filter(&l, &f, src, 1), 2);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].id, "CVE-2023-0286"); /* expired rule: kept */
    assert_string_equal(l.v[1].pkg_name, "curl");
    finding_list_cleanup(&l);
    ignore_list_cleanup(&rules);
}

static void test_findings_ignore_load(void **state)
{
    (void)state;
    struct ignore_list l;
    struct dd_error err = {0};
    ignore_list_init(&l);
    assert_int_equal(ignore_list_load("/nonexistent/.drydockignore", &l, &err), DD_ENOTFOUND);
    char path[] = "/tmp/dd-test-ignore-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("CVE-1\nCVE-2 exp:2024-02-31\n", f);
    fclose(f);
    dd_error_clear(&err);
    assert_int_equal(ignore_list_load(path, &l, &err), DD_EPARSE);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "line 2"));
    f = fopen(path, "w");
    fputs("CVE-1\n", f);
    fclose(f);
    assert_int_equal(ignore_list_load(path, &l, &err), 0);
    assert_int_equal(l.n, 1);
    ignore_list_cleanup(&l);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_findings_sort_and_count),
        cmocka_unit_test(test_findings_sort_split_runs_and_ties),
        cmocka_unit_test(test_findings_severity_mask_parse),
        cmocka_unit_test(test_findings_filter_severity_and_unfixed),
        cmocka_unit_test(test_findings_ignore_parse_format),
        cmocka_unit_test(test_findings_ignore_parse_rejects),
        cmocka_unit_test(test_findings_ignore_match_and_expiry),
        cmocka_unit_test(test_findings_ignore_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
