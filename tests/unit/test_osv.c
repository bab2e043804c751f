/* test_osv.c - unit tests for common/osv.c (OSV record parser).
 *
 * Expected values are read off the hand-written fixtures in tests/fixtures/osv/tree (each
 * mirrors a shape seen in real feeds: USN upstream + cves_map severities, Ubuntu priority,
 * GHSA with CVSS_V3 next to CVSS_V4 and a package repeated across affected entries, Go
 * last_affected with a GIT-only entry and an empty severity array, PyPI versions-only,
 * Debian urgency, Alpine releases, AlmaLinux per-package severity, withdrawn) or written
 * inline. test_osv_parse_real_fixtures parses every JSON record of ../shared/data when it is
 * there (skipped otherwise).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "osv.h"

#define TREE DD_SOURCE_DIR "/tests/fixtures/osv/tree/"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    p[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return p;
}

static void parse_file(const char *rel, struct advisory *a)
{
    size_t len;
    char *p = slurp(rel, &len);
    struct dd_error err = {0};
    int rc = osv_parse((const uint8_t *)p, len, a, &err);
    if (rc != 0)
        print_error("%s: %s\n", rel, err.msg);
    assert_int_equal(rc, 0);
    free(p);
}

/* Parse inline JSON expecting failure; returns the message for checks. */
static int parse_bad(const char *json, struct dd_error *err)
{
    struct advisory a;
    memset(&a, 0x5a, sizeof(a));
    int rc = osv_parse((const uint8_t *)json, strlen(json), &a, err);
    assert_int_not_equal(rc, 0);
    assert_int_equal(err->code, rc);
    /* out untouched on failure */
    const unsigned char *b = (const unsigned char *)&a;
    for (size_t i = 0; i < sizeof(a); i++)
        assert_int_equal(b[i], 0x5a);
    return rc;
}

static void test_osv_parse_ghsa_fields(void **state)
{
    (void)state;
    struct advisory a;
    parse_file(TREE "ghsa/GHSA-aaaa-bbbb-cccc.json", &a);
    assert_string_equal(a.id, "GHSA-aaaa-bbbb-cccc");
    assert_string_equal(a.modified, "2099-03-01T10:00:00Z");
    assert_string_equal(a.published, "2099-02-28T10:00:00Z");
    assert_string_equal(a.summary, "Prototype pollution in examplelib");
    assert_null(a.withdrawn);
    assert_int_equal(a.n_aliases, 1);
    assert_string_equal(a.aliases[0], "CVE-2099-1000");
    assert_int_equal(a.n_upstream, 0);
    assert_int_equal(a.n_severity, 2);
    assert_string_equal(a.severity[0].type, "CVSS_V3");
    assert_string_equal(a.severity[1].type, "CVSS_V4");
    assert_string_equal(a.severity[1].score,
                        "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:L");
    assert_string_equal(a.db_severity, "HIGH");
    assert_int_equal(a.n_references, 2);
    assert_string_equal(a.references[1], "https://github.com/example/examplelib");
    /* the same package in two affected entries, then a third package */
    assert_int_equal(a.n_affected, 3);
    assert_string_equal(a.affected[0].ecosystem, "npm");
    assert_string_equal(a.affected[0].name, "examplelib");
    assert_string_equal(a.affected[1].name, "examplelib");
    assert_string_equal(a.affected[2].name, "examplelib-es");
    assert_null(a.affected[0].purl);
    assert_int_equal(a.affected[1].n_ranges, 1);
    assert_int_equal(a.affected[1].ranges[0].type, OSV_RANGE_SEMVER);
    assert_int_equal(a.affected[1].ranges[0].n_events, 2);
    assert_int_equal(a.affected[1].ranges[0].events[0].kind, OSV_EV_INTRODUCED);
    assert_string_equal(a.affected[1].ranges[0].events[0].value, "4.0.0");
    assert_int_equal(a.affected[1].ranges[0].events[1].kind, OSV_EV_FIXED);
    assert_string_equal(a.affected[1].ranges[0].events[1].value, "4.17.99");
    assert_null(a.affected[1].severity);
    advisory_cleanup(&a);
    advisory_cleanup(&a); /* idempotent on a cleaned struct */
}

static void test_osv_parse_usn_upstream_and_cves_map_priority(void **state)
{
    (void)state;
    struct advisory a;
    parse_file(TREE "ubuntu/USN-9001-1.json", &a);
    assert_int_equal(a.n_aliases, 0);
    assert_int_equal(a.n_upstream, 2);
    assert_string_equal(a.upstream[0], "CVE-2099-0001");
    assert_string_equal(a.upstream[1], "UBUNTU-CVE-2099-0002");
    assert_int_equal(a.n_severity, 0);
    assert_int_equal(a.n_affected, 2);
    assert_string_equal(a.affected[0].ecosystem, "Ubuntu:22.04:LTS");
    assert_string_equal(a.affected[0].purl,
                        "pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.99?arch=source&distro=jammy");
    /* highest Ubuntu priority among the CVEs the USN lists: low, medium -> medium */
    assert_string_equal(a.affected[0].severity, "medium");
    assert_int_equal(a.affected[0].n_versions, 2);
    assert_string_equal(a.affected[0].versions[1], "3.0.2-0ubuntu1.1");
    assert_string_equal(a.affected[1].ecosystem, "Ubuntu:Pro:16.04:LTS");
    assert_null(a.affected[1].severity);
    assert_int_equal(a.affected[1].n_versions, 0);
    advisory_cleanup(&a);
}

static void test_osv_parse_ubuntu_priority(void **state)
{
    (void)state;
    struct advisory a;
    parse_file(TREE "ubuntu/UBUNTU-CVE-2099-0003.json", &a);
    assert_string_equal(a.affected[0].severity, "high");
    assert_string_equal(a.affected[0].ranges[0].events[1].value, "1:1.2.11.dfsg-2ubuntu1.99");
    advisory_cleanup(&a);
}

static void test_osv_parse_last_affected_git_only_empty_severity(void **state)
{
    (void)state;
    struct advisory a;
    parse_file(TREE "ghsa/GO-2099-0001.json", &a);
    assert_int_equal(a.n_severity, 0);
    assert_null(a.db_severity);
    assert_int_equal(a.n_aliases, 2);
    /* the GIT-only entry without a package is dropped */
    assert_int_equal(a.n_affected, 1);
    assert_string_equal(a.affected[0].name, "example.com/mod");
    assert_int_equal(a.affected[0].ranges[0].events[1].kind, OSV_EV_LAST_AFFECTED);
    assert_string_equal(a.affected[0].ranges[0].events[1].value, "0.7.0");
    advisory_cleanup(&a);
}

static void test_osv_parse_versions_only_with_git_range(void **state)
{
    (void)state;
    struct advisory a;
    parse_file(TREE "ghsa/PYSEC-2099-1.json", &a);
    assert_int_equal(a.affected[0].n_ranges, 1);
    assert_int_equal(a.affected[0].ranges[0].type, OSV_RANGE_GIT);
    assert_int_equal(a.affected[0].n_versions, 3);
    assert_string_equal(a.affected[0].versions[2], "1.1rc1");
    assert_string_equal(a.affected[0].name, "Foo_Bar.baz"); /* as written */
    advisory_cleanup(&a);
}

static void test_osv_parse_debian_urgency_alpine_withdrawn(void **state)
{
    (void)state;
    struct advisory a;
    parse_file(TREE "distro/DSA-9002-1.json", &a);
    assert_string_equal(a.affected[0].ecosystem, "Debian:12");
    assert_string_equal(a.affected[0].severity, "high");
    advisory_cleanup(&a);
    parse_file(TREE "distro/ALPINE-CVE-2099-5000.json", &a);
    assert_int_equal(a.n_affected, 2);
    assert_string_equal(a.affected[1].ecosystem, "Alpine:v3.19");
    assert_string_equal(a.affected[0].ranges[0].events[0].value, "0.9.13");
    assert_null(a.affected[0].severity);
    advisory_cleanup(&a);
    parse_file(TREE "distro/WITHDRAWN-2099-1.json", &a);
    assert_string_equal(a.withdrawn, "2099-08-01T00:00:00Z");
    advisory_cleanup(&a);
}

static void test_osv_parse_per_package_cvss(void **state)
{
    (void)state;
    struct advisory a;
    parse_file(TREE "almalinux9/ALSA-2099:0001.json", &a);
    assert_int_equal(a.affected[0].n_pkg_severity, 1);
    assert_string_equal(a.affected[0].pkg_severity[0].type, "CVSS_V3");
    assert_int_equal(a.affected[1].n_pkg_severity, 0);
    advisory_cleanup(&a);
}

static void test_osv_parse_nulls_are_absent(void **state)
{
    (void)state;
    struct advisory a;
    const char *j = "{\"id\":\"X-1\",\"modified\":\"2099-01-01T00:00:00Z\",\"summary\":null,"
                    "\"aliases\":null,\"severity\":null,\"affected\":null,"
                    "\"database_specific\":{\"severity\":7}}";
    assert_int_equal(osv_parse((const uint8_t *)j, strlen(j), &a, NULL), 0);
    assert_null(a.summary);
    assert_int_equal(a.n_aliases, 0);
    assert_int_equal(a.n_affected, 0);
    assert_null(a.db_severity); /* vendor block with a non-string: ignored */
    advisory_cleanup(&a);
}

static void test_osv_parse_drops_repeated_references(void **state)
{
    (void)state;
    struct advisory a;
    const char *j = "{\"id\":\"X-2\",\"modified\":\"2099-01-01T00:00:00Z\",\"references\":["
                    "{\"type\":\"WEB\",\"url\":\"https://a.example/1\"},"
                    "{\"type\":\"ADVISORY\",\"url\":\"https://b.example/2\"},"
                    "{\"type\":\"ADVISORY\",\"url\":\"https://a.example/1\"},"
                    "{\"type\":\"FIX\",\"url\":\"https://c.example/3\"},"
                    "{\"type\":\"WEB\",\"url\":\"https://b.example/2\"}]}";
    assert_int_equal(osv_parse((const uint8_t *)j, strlen(j), &a, NULL), 0);
    assert_int_equal(a.n_references, 3); /* first of each, in record order */
    assert_string_equal(a.references[0], "https://a.example/1");
    assert_string_equal(a.references[1], "https://b.example/2");
    assert_string_equal(a.references[2], "https://c.example/3");
    advisory_cleanup(&a);
}

static void test_osv_parse_drops_rustsec_informational_entries(void **state)
{
    (void)state;
    struct advisory a;
    /* RUSTSEC-2025-0056's shape: "adler crate is unmaintained" */
    const char *j = "{\"id\":\"RUSTSEC-2025-0056\",\"modified\":\"2025-09-05T00:00:00Z\","
                    "\"affected\":[{\"package\":{\"ecosystem\":\"crates.io\",\"name\":\"adler\"},"
                    "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0.0.0-0\"}]}],"
                    "\"database_specific\":{\"categories\":[],\"cvss\":null,"
                    "\"informational\":\"unmaintained\"}},"
                    "{\"package\":{\"ecosystem\":\"crates.io\",\"name\":\"other\"},"
                    "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},"
                    "{\"fixed\":\"1.0.1\"}]}],\"database_specific\":{\"informational\":null}}]}";
    assert_int_equal(osv_parse((const uint8_t *)j, strlen(j), &a, NULL), 0);
    assert_int_equal(a.n_affected, 1); /* the informational entry is gone, the other stays */
    assert_string_equal(a.affected[0].name, "other");
    advisory_cleanup(&a);
}

static void test_osv_parse_wrong_type_names_record_and_path(void **state)
{
    (void)state;
    size_t len;
    char *p = slurp(TREE "bad/GHSA-bad-type.json", &len);
    struct advisory a;
    struct dd_error err = {0};
    assert_int_equal(osv_parse((const uint8_t *)p, len, &a, &err), DD_EPARSE);
    assert_string_equal(err.msg,
                        "GHSA-xxxx-bad0-type: affected[0].ranges[0].events[1]: 'fixed' must be a "
                        "string");
    free(p);
}

static void test_osv_parse_rejects_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        const char *msg_part;
    } cases[] = {
        {"", "JSON error"},
        {"[]", "not a JSON object"},
        {"{\"modified\":\"t\"}", "missing or non-string 'id'"},
        {"{\"id\":5,\"modified\":\"t\"}", "missing or non-string 'id'"},
        {"{\"id\":\"A-1\",\"modified\":7}", "A-1: 'modified' must be a string"},
        {"{\"id\":\"A-1\",\"modified\":\"t\",\"summary\":[]}", "A-1: 'summary' must be a string"},
        {"{\"id\":\"A-1\",\"modified\":\"t\",\"aliases\":\"CVE-1\"}",
         "A-1: 'aliases' must be an array"},
        {"{\"id\":\"A-1\",\"modified\":\"t\",\"aliases\":[1]}", "A-1: aliases[0]"},
        {"{\"id\":\"A-1\",\"modified\":\"t\",\"affected\":{}}", "'affected' must be an array"},
        {"{\"id\":\"A-1\",\"modified\":\"t\",\"affected\":[5]}", "affected[0]: entry must be"},
        {"{\"id\":\"A-1\",\"modified\":\"t\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\"}}]}",
         "A-1: affected[0].package: missing 'name'"},
        {"{\"id\":\"A-1\",\"modified\":\"t\",\"affected\":[{\"package\":\"npm/x\"}]}",
         "'package' must be an object"},
        {"{\"id\":\"A-1\",\"modified\":\"t\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\","
         "\"name\":\"x\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\","
         "\"fixed\":\"1\"}]}]}]}",
         "events[0]: event must be an object with exactly one key"},
        {"{\"id\":\"A-1\",\"modified\":\"t\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\","
         "\"name\":\"x\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"broken\":\"0\"}]}]}]}",
         "unknown event 'broken'"},
        {"{\"id\":\"A-1\",\"modified\":\"t\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\","
         "\"name\":\"x\"},\"ranges\":[{\"type\":\"SEMVER\"}]}]}",
         "affected[0].ranges[0]: 'events' is missing or empty"},
        {"{\"id\":\"A-1\",\"modified\":\"t\",\"severity\":[{\"type\":\"CVSS_V3\"}]}",
         "A-1: severity[0]: missing 'score'"},
        {"{\"id\":\"A-1\",\"modified\":\"t\",\"references\":[{\"url\":3}]}",
         "references[0]: 'url' must be a string"},
        {"{\"id\":\"A-1\",\"id\":\"A-2\",\"modified\":\"t\"}", "duplicate"},
        {"{\"id\":\"A-1\",\"modified\":\"t\",\"affected\":[", "JSON error"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct dd_error err = {0};
        parse_bad(cases[i].json, &err);
        if (strstr(err.msg, cases[i].msg_part) == NULL) {
            print_error("case %zu: '%s' does not contain '%s'\n", i, err.msg, cases[i].msg_part);
            fail();
        }
    }
}

static void test_osv_parse_rejects_invalid_utf8(void **state)
{
    (void)state;
    size_t len;
    char *p = slurp(TREE "bad/BAD-UTF8-1.json", &len);
    struct advisory a;
    struct dd_error err = {0};
    assert_int_equal(osv_parse((const uint8_t *)p, len, &a, &err), DD_EPARSE);
    assert_non_null(strstr(err.msg, "invalid UTF-8"));
    free(p);
    /* an overlong encoding of '/' and a lone continuation byte */
    struct dd_error e2 = {0};
    parse_bad("{\"id\":\"A-\xc0\xaf\",\"modified\":\"t\"}", &e2);
    assert_non_null(strstr(e2.msg, "invalid UTF-8"));
    struct dd_error e3 = {0};
    parse_bad("{\"id\":\"A-1\",\"modified\":\"\x80\"}", &e3);
    assert_non_null(strstr(e3.msg, "invalid UTF-8"));
}

static char *huge_array_record(const char *key, size_t n, const char *elem)
{
    size_t cap = n * (strlen(elem) + 1) + 256;
    char *j = malloc(cap);
    assert_non_null(j);
    size_t o = (size_t)snprintf(j, cap, "{\"id\":\"HUGE-1\",\"modified\":\"t\",\"%s\":[", key);
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(j + o, cap - o, "%s%s", i ? "," : "", elem);
    snprintf(j + o, cap - o, "]}");
    return j;
}

static void test_osv_parse_caps_huge_arrays(void **state)
{
    (void)state;
    char *j = huge_array_record("aliases", OSV_MAX_ALIASES + 1, "\"CVE-1\"");
    struct dd_error err = {0};
    assert_int_equal(parse_bad(j, &err), DD_ETOOBIG);
    assert_non_null(strstr(err.msg, "HUGE-1: 'aliases' has 1025 elements (cap 1024)"));
    free(j);
    j = huge_array_record("aliases", OSV_MAX_ALIASES, "\"CVE-1\"");
    struct advisory a;
    assert_int_equal(osv_parse((const uint8_t *)j, strlen(j), &a, NULL), 0);
    assert_int_equal(a.n_aliases, OSV_MAX_ALIASES);
    advisory_cleanup(&a);
    free(j);
    j = huge_array_record("affected", OSV_MAX_AFFECTED + 1, "{}");
    struct dd_error e2 = {0};
    assert_int_equal(parse_bad(j, &e2), DD_ETOOBIG);
    free(j);
}

static void test_osv_parse_caps_record_size(void **state)
{
    (void)state;
    size_t n = (size_t)OSV_MAX_RECORD_BYTES + 1;
    uint8_t *big = malloc(n);
    assert_non_null(big);
    memset(big, ' ', n);
    struct advisory a;
    struct dd_error err = {0};
    assert_int_equal(osv_parse(big, n, &a, &err), DD_ETOOBIG);
    free(big);
    assert_int_equal(osv_parse(NULL, 5, &a, &err), DD_EINVAL);
}

static void parse_tree(const char *dir, int *ok, int *bad)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            parse_tree(path, ok, bad);
            continue;
        }
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 5, ".json") != 0)
            continue;
        size_t len;
        char *p = slurp(path, &len);
        struct advisory a;
        struct dd_error err = {0};
        if (osv_parse((const uint8_t *)p, len, &a, &err) == 0) {
            (*ok)++;
            assert_non_null(a.id);
            advisory_cleanup(&a);
        } else {
            print_error("%s: %s\n", path, err.msg);
            (*bad)++;
        }
        free(p);
    }
    closedir(d);
}

static void test_osv_parse_real_fixtures(void **state)
{
    (void)state;
    const char *dir = DD_SOURCE_DIR "/../shared/data/osv-fixtures/osv";
    struct stat st;
    if (stat(dir, &st) != 0) {
        print_message("skip: %s not present\n", dir);
        skip();
    }
    int ok = 0, bad = 0;
    parse_tree(dir, &ok, &bad);
    assert_int_equal(bad, 0);
    assert_int_equal(ok, 84); /* 84 JSON records in the set (the 12 PyPA files are YAML) */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_osv_parse_ghsa_fields),
        cmocka_unit_test(test_osv_parse_usn_upstream_and_cves_map_priority),
        cmocka_unit_test(test_osv_parse_ubuntu_priority),
        cmocka_unit_test(test_osv_parse_last_affected_git_only_empty_severity),
        cmocka_unit_test(test_osv_parse_versions_only_with_git_range),
        cmocka_unit_test(test_osv_parse_debian_urgency_alpine_withdrawn),
        cmocka_unit_test(test_osv_parse_per_package_cvss),
        cmocka_unit_test(test_osv_parse_nulls_are_absent),
        cmocka_unit_test(test_osv_parse_drops_repeated_references),
        cmocka_unit_test(test_osv_parse_drops_rustsec_informational_entries),
        cmocka_unit_test(test_osv_parse_wrong_type_names_record_and_path),
        cmocka_unit_test(test_osv_parse_rejects_malformed),
        cmocka_unit_test(test_osv_parse_rejects_invalid_utf8),
        cmocka_unit_test(test_osv_parse_caps_huge_arrays),
        cmocka_unit_test(test_osv_parse_caps_record_size),
        cmocka_unit_test(test_osv_parse_real_fixtures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
