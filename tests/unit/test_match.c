/* test_match.c - the matcher: ecosystems, queries, OSV range evaluation, merging, severity.
 *
 * Advisories are built in code, shaped like the real records in ../shared/data/osv-fixtures
 * (ranges and versions copied from them where a record is named). Expected outcomes are
 * worked out by hand from the OSV schema's evaluation rules and the ecosystems' version
 * orders (dpkg --compare-versions, rpm vercmp, PEP 440, SemVer, Maven).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"

#define S(x) ((char *)(x))
#define N(a) (sizeof(a) / sizeof((a)[0]))
#define EV(k, v)                                                                                   \
    {                                                                                              \
        OSV_EV_##k, S(v)                                                                           \
    }
#define EVENTS(...)                                                                                \
    (struct osv_event[])                                                                           \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }
#define RANGE(t, ...)                                                                              \
    {                                                                                              \
        OSV_RANGE_##t, EVENTS(__VA_ARGS__), N(EVENTS(__VA_ARGS__))                                 \
    }
#define RANGES(...)                                                                                \
    (struct osv_range[])                                                                           \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }
#define NR(...) N(RANGES(__VA_ARGS__))

static struct osv_affected entry(const char *eco, const char *name, struct osv_range *r, size_t nr,
                                 char **versions, size_t nv, const char *sev)
{
    struct osv_affected a;
    memset(&a, 0, sizeof(a));
    a.ecosystem = S(eco);
    a.name = S(name);
    a.ranges = r;
    a.n_ranges = nr;
    a.versions = versions;
    a.n_versions = nv;
    a.severity = S(sev);
    return a;
}

#define ENTRY(eco, name, ...) entry(eco, name, RANGES(__VA_ARGS__), NR(__VA_ARGS__), NULL, 0, NULL)

/* ---- a fake database ----------------------------------------------------------------- */

struct fake_db {
    const struct advisory *advs;
    size_t n;
    bool sloppy; /* return entries whose name merely starts with the query (a bad DB) */
    char asked[8][MATCH_ECO_MAX];
    size_t n_asked;
};

static int fake_lookup(void *src, const char *eco, const char *name, advdb_hit_cb cb, void *ctx,
                       struct dd_error *err)
{
    (void)err;
    struct fake_db *db = src;
    if (db->n_asked < 8)
        snprintf(db->asked[db->n_asked++], MATCH_ECO_MAX, "%s", eco);
    for (size_t i = 0; i < db->n; i++)
        for (size_t k = 0; k < db->advs[i].n_affected; k++) {
            const struct osv_affected *a = &db->advs[i].affected[k];
            bool hit = db->sloppy ? strncmp(a->name, name, strlen(name)) == 0
                                  : strcmp(a->name, name) == 0 && strcmp(a->ecosystem, eco) == 0;
            if (hit && cb(&db->advs[i], k, ctx))
                return 0;
        }
    return 0;
}

static struct pkg mkpkg(enum pkg_type t, const char *name, const char *version,
                        const char *src_name, const char *src_version)
{
    struct pkg p;
    memset(&p, 0, sizeof(p));
    p.type = t;
    p.name = S(name);
    p.version = S(version);
    p.src_name = S(src_name);
    p.src_version = S(src_version);
    p.epoch = -1;
    p.layer = 0;
    return p;
}

static struct os_info OS_DEBIAN12 = {S("debian"), S("12"), S("bookworm"), NULL};

static void run(struct fake_db *db, const struct pkg *p, const struct os_info *os,
                struct finding_list *out)
{
    struct dd_error err = {0};
    finding_list_init(out);
    assert_int_equal(match_pkg(p, 7, os, os != NULL, fake_lookup, db, out, &err), 0);
    finding_list_sort(out);
}

static const struct finding *find(const struct finding_list *l, const char *id)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].id, id) == 0)
            return &l->v[i];
    return NULL;
}

static bool has_alias(const struct finding *f, const char *id)
{
    for (size_t i = 0; i < f->n_aliases; i++)
        if (strcmp(f->aliases[i], id) == 0)
            return true;
    return false;
}

/* ---- ecosystems and queries ---------------------------------------------------------- */

static void expect_ecos(const char *fam, const char *ver, const char *const *want, size_t nwant)
{
    struct os_info os = {S(fam), S(ver), NULL, NULL};
    char ecos[MATCH_MAX_ECOSYSTEMS][MATCH_ECO_MAX];
    size_t n = 0;
    struct dd_error err = {0};
    int rc = match_os_ecosystems(&os, ecos, MATCH_MAX_ECOSYSTEMS, &n, &err);
    if (nwant == 0) {
        assert_int_equal(rc, DD_EUNSUPPORTED);
        assert_non_null(strstr(err.msg, fam));
        return;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(ecos[i], want[i]);
}

static void test_match_os_ecosystems(void **state)
{
    (void)state;
    expect_ecos("debian", "12", (const char *[]){"Debian:12"}, 1);
    expect_ecos("debian", "12.5", (const char *[]){"Debian:12"}, 1);
    expect_ecos("ubuntu", "22.04",
                (const char *[]){"Ubuntu:22.04", "Ubuntu:22.04:LTS", "Ubuntu:Pro:22.04:LTS"}, 3);
    expect_ecos("alpine", "3.18.4", (const char *[]){"Alpine:v3.18"}, 1);
    expect_ecos("alpine", "3.9.6", (const char *[]){"Alpine:v3.9"}, 1);
    expect_ecos("almalinux", "9.3", (const char *[]){"AlmaLinux:9"}, 1);
    expect_ecos("rocky", "8.9", (const char *[]){"Rocky Linux:8"}, 1);
    expect_ecos("rhel", "9.2",
                (const char *[]){"Red Hat:enterprise_linux:9::baseos",
                                 "Red Hat:enterprise_linux:9::appstream"},
                2);
    expect_ecos("fedora", "39", NULL, 0);
    expect_ecos("debian", "trixie/sid", NULL, 0);
    expect_ecos("ubuntu", "22", NULL, 0);
    expect_ecos("alpine", "", NULL, 0);
}

static void test_match_query_uses_source_package_for_deb(void **state)
{
    (void)state;
    struct pkg p =
        mkpkg(PKG_TYPE_DEB, "libssl3", "3.0.11-1~deb12u2+b1", "openssl", "3.0.11-1~deb12u2");
    struct match_query q;
    struct dd_error err = {0};
    assert_int_equal(match_query_for_pkg(&p, &OS_DEBIAN12, true, &q, &err), 0);
    assert_string_equal(q.name, "openssl");
    assert_string_equal(q.version, "3.0.11-1~deb12u2");
    assert_int_equal(q.scheme, VERS_DPKG);
    assert_int_equal(q.n_ecosystems, 1);
    assert_string_equal(q.ecosystems[0], "Debian:12");
    /* no OS: nothing to query */
    assert_int_equal(match_query_for_pkg(&p, NULL, false, &q, &err), DD_EUNSUPPORTED);
}

static void test_match_query_rpm_and_apk_and_lang(void **state)
{
    (void)state;
    struct os_info alma = {S("almalinux"), S("8.6"), NULL, NULL};
    struct pkg p = mkpkg(PKG_TYPE_RPM, "openssl-libs", "1.1.1k", "openssl", NULL);
    p.release = S("7.el8_6");
    p.epoch = 1;
    struct match_query q;
    struct dd_error err = {0};
    assert_int_equal(match_query_for_pkg(&p, &alma, true, &q, &err), 0);
    assert_string_equal(q.name, "openssl-libs"); /* AlmaLinux names binary rpms */
    assert_string_equal(q.version, "1:1.1.1k-7.el8_6");
    assert_int_equal(q.scheme, VERS_RPM);
    p.epoch = -1;
    assert_int_equal(match_query_for_pkg(&p, &alma, true, &q, &err), 0);
    assert_string_equal(q.version, "1.1.1k-7.el8_6");

    struct os_info alpine = {S("alpine"), S("3.18.4"), NULL, NULL};
    struct pkg a = mkpkg(PKG_TYPE_APK, "musl-utils", "1.2.4-r1", "musl", "1.2.4-r1");
    assert_int_equal(match_query_for_pkg(&a, &alpine, true, &q, &err), 0);
    assert_string_equal(q.name, "musl");
    assert_string_equal(q.version, "1.2.4-r1");
    assert_string_equal(q.ecosystems[0], "Alpine:v3.18");

    struct pkg n = mkpkg(PKG_TYPE_NPM, "@babel/core", "7.22.0", NULL, NULL);
    assert_int_equal(match_query_for_pkg(&n, NULL, false, &q, &err), 0);
    assert_string_equal(q.ecosystems[0], "npm");
    assert_int_equal(q.scheme, VERS_SEMVER);
    struct pkg g = mkpkg(PKG_TYPE_GOLANG, "stdlib", "go1.21.3", NULL, NULL);
    assert_int_equal(match_query_for_pkg(&g, NULL, false, &q, &err), 0);
    assert_string_equal(q.ecosystems[0], "Go");
    assert_string_equal(q.version, "1.21.3");
    struct pkg m = mkpkg(PKG_TYPE_MAVEN, "log4j:log4j", "1.2.17", NULL, NULL);
    assert_int_equal(match_query_for_pkg(&m, NULL, false, &q, &err), 0);
    assert_string_equal(q.ecosystems[0], "Maven");
    struct pkg y = mkpkg(PKG_TYPE_PYPI, "requests", "2.28.1", NULL, NULL);
    assert_int_equal(match_query_for_pkg(&y, NULL, false, &q, &err), 0);
    assert_string_equal(q.ecosystems[0], "PyPI");
    assert_int_equal(q.scheme, VERS_PEP440);
}

/* ---- range evaluation ---------------------------------------------------------------- */

static void expect_eval(const struct osv_affected *a, enum version_scheme s, const char *v,
                        bool affected, const char *fixed)
{
    struct match_eval ev;
    struct dd_error err = {0};
    int rc = match_affected_eval(a, s, v, &ev, &err);
    if (rc)
        fail_msg("eval %s: %s", v, err.msg);
    if (ev.affected != affected)
        fail_msg("version %s: affected=%d, want %d", v, ev.affected, affected);
    if (fixed == NULL && ev.fixed != NULL)
        fail_msg("version %s: fixed %s, want none", v, ev.fixed);
    if (fixed != NULL && (ev.fixed == NULL || strcmp(ev.fixed, fixed) != 0))
        fail_msg("version %s: fixed %s, want %s", v, ev.fixed ? ev.fixed : "(none)", fixed);
}

static void test_match_range_introduced_zero_fixed(void **state)
{
    (void)state;
    /* DLA-3008-1: Debian:9 openssl, introduced 0, fixed 1.1.0l-1~deb9u6 */
    struct osv_affected a = ENTRY(
        "Debian:9", "openssl", RANGE(ECOSYSTEM, EV(INTRODUCED, "0"), EV(FIXED, "1.1.0l-1~deb9u6")));
    expect_eval(&a, VERS_DPKG, "1.1.0f-3+deb9u2", true, "1.1.0l-1~deb9u6");
    expect_eval(&a, VERS_DPKG, "1.1.0l-1~deb9u5", true, "1.1.0l-1~deb9u6");
    expect_eval(&a, VERS_DPKG, "1.1.0l-1~deb9u6", false, NULL);
    expect_eval(&a, VERS_DPKG, "1.1.0l-1", false, NULL); /* ~ sorts before the bare revision */
    expect_eval(&a, VERS_DPKG, "1:1.0", false, NULL);    /* epoch 1 beats everything */
}

static void test_match_range_multiple_ranges(void **state)
{
    (void)state;
    /* GHSA-xvch-5gv4-984h: minimist [1.0.0, 1.2.6) and [0, 0.2.4) */
    struct osv_affected a =
        ENTRY("npm", "minimist", RANGE(ECOSYSTEM, EV(INTRODUCED, "1.0.0"), EV(FIXED, "1.2.6")),
              RANGE(ECOSYSTEM, EV(INTRODUCED, "0"), EV(FIXED, "0.2.4")));
    expect_eval(&a, VERS_SEMVER, "1.2.0", true, "1.2.6");
    expect_eval(&a, VERS_SEMVER, "0.2.3", true, "0.2.4");
    expect_eval(&a, VERS_SEMVER, "0.2.4", false, NULL);
    expect_eval(&a, VERS_SEMVER, "0.9.0", false, NULL);
    expect_eval(&a, VERS_SEMVER, "1.2.6", false, NULL);
    expect_eval(&a, VERS_SEMVER, "1.0.0-rc.1", false, NULL); /* pre-release sorts before 1.0.0 */
    /* two pairs in ONE range, listed out of order (the walk must sort) */
    struct osv_affected b = ENTRY("npm", "qs",
                                  RANGE(ECOSYSTEM, EV(FIXED, "6.9.7"), EV(INTRODUCED, "6.10.0"),
                                        EV(FIXED, "6.10.3"), EV(INTRODUCED, "6.9.0")));
    expect_eval(&b, VERS_SEMVER, "6.9.6", true, "6.9.7");
    expect_eval(&b, VERS_SEMVER, "6.9.7", false, NULL);
    expect_eval(&b, VERS_SEMVER, "6.9.99", false, NULL);
    expect_eval(&b, VERS_SEMVER, "6.10.2", true, "6.10.3");
    expect_eval(&b, VERS_SEMVER, "6.8.0", false, NULL);
}

static void test_match_range_last_affected_and_open_ended(void **state)
{
    (void)state;
    /* GHSA-2qrg-x229-3v8q: log4j:log4j introduced 1.2, last_affected 1.2.17 */
    struct osv_affected a =
        ENTRY("Maven", "log4j:log4j",
              RANGE(ECOSYSTEM, EV(INTRODUCED, "1.2"), EV(LAST_AFFECTED, "1.2.17")));
    expect_eval(&a, VERS_MAVEN, "1.2.17", true, NULL);
    expect_eval(&a, VERS_MAVEN, "1.2.0", true, NULL); /* Maven: 1.2 == 1.2.0 */
    expect_eval(&a, VERS_MAVEN, "1.2.18", false, NULL);
    expect_eval(&a, VERS_MAVEN, "1.1", false, NULL);
    /* GHSA-fp5r-v3w9-4333: introduced 1.2.0 with no end */
    struct osv_affected b =
        ENTRY("Maven", "log4j:log4j", RANGE(ECOSYSTEM, EV(INTRODUCED, "1.2.0")));
    expect_eval(&b, VERS_MAVEN, "1.2.17", true, NULL);
    expect_eval(&b, VERS_MAVEN, "99", true, NULL);
    expect_eval(&b, VERS_MAVEN, "1.1.9", false, NULL);
    /* last_affected then a later fix (fixed above v still reported when both present) */
    struct osv_affected c =
        ENTRY("PyPI", "x", RANGE(ECOSYSTEM, EV(INTRODUCED, "0"), EV(LAST_AFFECTED, "1.0")),
              RANGE(ECOSYSTEM, EV(INTRODUCED, "2.0"), EV(FIXED, "2.1")));
    expect_eval(&c, VERS_PEP440, "1.0", true, NULL);
    expect_eval(&c, VERS_PEP440, "1.0.post1", false, NULL);
    expect_eval(&c, VERS_PEP440, "2.0.1", true, "2.1");
}

static void test_match_range_limit(void **state)
{
    (void)state;
    struct osv_affected a =
        ENTRY("crates.io", "x", RANGE(SEMVER, EV(INTRODUCED, "0"), EV(LIMIT, "2.0.0")));
    expect_eval(&a, VERS_SEMVER, "1.9.9", true, NULL);
    expect_eval(&a, VERS_SEMVER, "2.0.0", false, NULL);
    expect_eval(&a, VERS_SEMVER, "3.0.0", false, NULL);
    struct osv_affected b =
        ENTRY("crates.io", "x", RANGE(SEMVER, EV(INTRODUCED, "1.0.0"), EV(LIMIT, "*")));
    expect_eval(&b, VERS_SEMVER, "9.0.0", true, NULL);
    /* two limits: below either one is enough */
    struct osv_affected c =
        ENTRY("crates.io", "x",
              RANGE(SEMVER, EV(LIMIT, "1.5.0"), EV(INTRODUCED, "0"), EV(LIMIT, "3.0.0")));
    expect_eval(&c, VERS_SEMVER, "2.0.0", true, NULL);
    expect_eval(&c, VERS_SEMVER, "3.0.0", false, NULL);
}

static void test_match_range_versions_only_and_git(void **state)
{
    (void)state;
    char *vers[] = {S("1.2.17"), S("1.2.16")};
    /* GHSA-2qrg-x229-3v8q's second entry: versions only */
    struct osv_affected a = entry("Maven", "org.zenframework.z8.dependencies.commons:log4j-1.2.17",
                                  NULL, 0, vers, 2, NULL);
    expect_eval(&a, VERS_MAVEN, "1.2.17", true, NULL);
    expect_eval(&a, VERS_MAVEN, "1.2.18", false, NULL);
    /* PyPI: versions compared under PEP 440 (1.0 == 1.0.0) */
    char *pv[] = {S("1.0")};
    struct osv_affected b = entry("PyPI", "x", NULL, 0, pv, 1, NULL);
    expect_eval(&b, VERS_PEP440, "1.0.0", true, NULL);
    /* GIT ranges are ignored, even with versions that would not parse */
    struct osv_affected c =
        ENTRY("PyPI", "x", RANGE(GIT, EV(INTRODUCED, "0"), EV(FIXED, "8f8a5c0e7b")));
    expect_eval(&c, VERS_PEP440, "1.0", false, NULL);
    /* GIT plus a version list: the list decides */
    struct osv_affected d =
        entry("PyPI", "x", RANGES(RANGE(GIT, EV(INTRODUCED, "0"), EV(FIXED, "deadbeef"))), 1, pv, 1,
              NULL);
    expect_eval(&d, VERS_PEP440, "1.0", true, NULL);
    expect_eval(&d, VERS_PEP440, "1.1", false, NULL);
}

static void test_match_range_edge_cases(void **state)
{
    (void)state;
    /* introduced == fixed: empty range */
    struct osv_affected a =
        ENTRY("npm", "x", RANGE(ECOSYSTEM, EV(INTRODUCED, "1.0.0"), EV(FIXED, "1.0.0")));
    expect_eval(&a, VERS_SEMVER, "1.0.0", false, NULL);
    /* several fixed events: the smallest above v */
    struct osv_affected b = ENTRY(
        "npm", "x", RANGE(ECOSYSTEM, EV(INTRODUCED, "0"), EV(FIXED, "2.0.0"), EV(FIXED, "1.5.0")));
    expect_eval(&b, VERS_SEMVER, "1.0.0", true, "1.5.0");
    /* no events at all: not affected */
    struct osv_affected c =
        entry("npm", "x", RANGES({OSV_RANGE_ECOSYSTEM, NULL, 0}), 1, NULL, 0, NULL);
    expect_eval(&c, VERS_SEMVER, "1.0.0", false, NULL);
    /* overlapping ranges: smallest fix of the affecting ones */
    struct osv_affected d =
        ENTRY("npm", "x", RANGE(ECOSYSTEM, EV(INTRODUCED, "0"), EV(FIXED, "3.0.0")),
              RANGE(ECOSYSTEM, EV(INTRODUCED, "1.0.0"), EV(FIXED, "2.0.0")));
    expect_eval(&d, VERS_SEMVER, "1.1.0", true, "2.0.0");
    /* Alpine: introduced is an upstream version without -r (ALPINE-CVE-2025-26519) */
    struct osv_affected e = ENTRY(
        "Alpine:v3.18", "musl", RANGE(ECOSYSTEM, EV(INTRODUCED, "0.9.13"), EV(FIXED, "1.2.4-r3")));
    expect_eval(&e, VERS_APK, "1.2.4-r2", true, "1.2.4-r3");
    expect_eval(&e, VERS_APK, "1.2.4-r3", false, NULL);
    expect_eval(&e, VERS_APK, "0.9.12-r0", false, NULL);
}

static void test_match_range_unparsable_event_is_an_error(void **state)
{
    (void)state;
    struct osv_affected a =
        ENTRY("npm", "x", RANGE(ECOSYSTEM, EV(INTRODUCED, "0"), EV(FIXED, "not a version")));
    struct match_eval ev = {true, S("sentinel")};
    struct dd_error err = {0};
    assert_int_equal(match_affected_eval(&a, VERS_SEMVER, "1.0.0", &ev, &err), DD_EPARSE);
    assert_non_null(strstr(err.msg, "not a version"));
    assert_non_null(strstr(err.msg, "fixed"));
    assert_true(ev.affected); /* untouched */
}

/* ---- whole-package matching ---------------------------------------------------------- */

static struct osv_severity SEV_V3_CRIT[] = {
    {S("CVSS_V3"), S("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")}}; /* 9.8 */

static void test_match_debian_binary_from_source(void **state)
{
    (void)state;
    struct advisory advs[2];
    memset(advs, 0, sizeof(advs));
    struct osv_affected a12 =
        ENTRY("Debian:12", "openssl",
              RANGE(ECOSYSTEM, EV(INTRODUCED, "0"), EV(FIXED, "3.0.13-1~deb12u1")));
    struct osv_affected a11 =
        ENTRY("Debian:11", "openssl",
              RANGE(ECOSYSTEM, EV(INTRODUCED, "0"), EV(FIXED, "1.1.1w-0+deb11u1")));
    char *up[] = {S("CVE-2023-5678")};
    advs[0].id = S("DEBIAN-CVE-2023-5678");
    advs[0].upstream = up;
    advs[0].n_upstream = 1;
    advs[0].affected = &a12;
    advs[0].n_affected = 1;
    advs[0].severity = SEV_V3_CRIT;
    advs[0].n_severity = 1;
    /* near miss: another Debian release only */
    advs[1].id = S("DEBIAN-CVE-2099-0001");
    advs[1].affected = &a11;
    advs[1].n_affected = 1;
    struct fake_db db = {advs, 2, false, {{0}}, 0};
    struct pkg p =
        mkpkg(PKG_TYPE_DEB, "libssl3", "3.0.11-1~deb12u2+b1", "openssl", "3.0.11-1~deb12u2");
    struct finding_list l;
    run(&db, &p, &OS_DEBIAN12, &l);
    assert_int_equal(db.n_asked, 1);
    assert_string_equal(db.asked[0], "Debian:12");
    assert_int_equal(l.n, 1);
    const struct finding *f = &l.v[0];
    assert_string_equal(f->id, "CVE-2023-5678");
    assert_true(has_alias(f, "DEBIAN-CVE-2023-5678"));
    assert_string_equal(f->pkg_name, "libssl3");
    assert_string_equal(f->matched_name, "openssl");
    assert_string_equal(f->installed_version, "3.0.11-1~deb12u2+b1");
    assert_string_equal(f->matched_version, "3.0.11-1~deb12u2");
    assert_string_equal(f->fixed_version, "3.0.13-1~deb12u1");
    assert_int_equal(f->status, VULN_STATUS_FIXED);
    assert_int_equal(f->pkg_index, 7);
    assert_int_equal(f->severity, SEVERITY_CRITICAL);
    assert_string_equal(f->severity_source, "cvss");
    assert_true(f->has_cvss);
    assert_string_equal(f->cvss_version, "3.1");
    assert_true(f->cvss_score > 9.79 && f->cvss_score < 9.81);
    assert_string_equal(f->ecosystem, "Debian:12");
    finding_list_cleanup(&l);

    /* the binary package name is never looked up */
    struct pkg b =
        mkpkg(PKG_TYPE_DEB, "openssl-bin", "3.0.11-1~deb12u2", "other-src", "3.0.11-1~deb12u2");
    run(&db, &b, &OS_DEBIAN12, &l);
    assert_int_equal(l.n, 0);
    finding_list_cleanup(&l);
}

static void test_match_near_miss_name_substring(void **state)
{
    (void)state;
    struct advisory adv;
    memset(&adv, 0, sizeof(adv));
    struct osv_affected a[2] = {
        ENTRY("npm", "lodash.merge", RANGE(ECOSYSTEM, EV(INTRODUCED, "0"), EV(FIXED, "4.6.2"))),
        ENTRY("npm", "lodash-es", RANGE(ECOSYSTEM, EV(INTRODUCED, "0"), EV(FIXED, "4.17.21")))};
    adv.id = S("GHSA-h726-x36v-rx45");
    adv.affected = a;
    adv.n_affected = 2;
    /* a DB that returns prefix matches: the matcher must still refuse them */
    struct fake_db db = {&adv, 1, true, {{0}}, 0};
    struct pkg p = mkpkg(PKG_TYPE_NPM, "lodash", "4.17.15", NULL, NULL);
    struct finding_list l;
    run(&db, &p, NULL, &l);
    assert_int_equal(l.n, 0);
    assert_int_equal(l.n_errors, 0);
    finding_list_cleanup(&l);
    /* and an entry for another ecosystem with the same name */
    struct osv_affected pypi = ENTRY("PyPI", "lodash", RANGE(ECOSYSTEM, EV(INTRODUCED, "0")));
    adv.affected = &pypi;
    adv.n_affected = 1;
    run(&db, &p, NULL, &l);
    assert_int_equal(l.n, 0);
    finding_list_cleanup(&l);
}

static void test_match_alias_merge(void **state)
{
    (void)state;
    struct advisory advs[4];
    memset(advs, 0, sizeof(advs));
    struct osv_affected dsa =
        ENTRY("Debian:12", "openssl",
              RANGE(ECOSYSTEM, EV(INTRODUCED, "0"), EV(FIXED, "3.0.13-1~deb12u1")));
    struct osv_affected dcve =
        ENTRY("Debian:12", "openssl",
              RANGE(ECOSYSTEM, EV(INTRODUCED, "0"), EV(FIXED, "3.0.13-1~deb12u1")));
    /* a bulletin with two CVEs (like DLA-3623-1): one finding per CVE */
    char *up_dsa[] = {S("CVE-2024-0001"), S("CVE-2024-0002"), S("DEBIAN-CVE-2024-0001"),
                      S("DEBIAN-CVE-2024-0002")};
    advs[0].id = S("DSA-5999-1");
    advs[0].upstream = up_dsa;
    advs[0].n_upstream = 4;
    advs[0].affected = &dsa;
    advs[0].n_affected = 1;
    advs[0].summary = S("openssl - security update");
    char *up_c[] = {S("CVE-2024-0001")};
    advs[1].id = S("DEBIAN-CVE-2024-0001");
    advs[1].upstream = up_c;
    advs[1].n_upstream = 1;
    advs[1].affected = &dcve;
    advs[1].n_affected = 1;
    advs[1].details = S("A flaw in openssl.\nMore text.");
    struct fake_db db = {advs, 2, false, {{0}}, 0};
    struct pkg p = mkpkg(PKG_TYPE_DEB, "libssl3", "3.0.11-1~deb12u2", "openssl", NULL);
    struct finding_list l;
    run(&db, &p, &OS_DEBIAN12, &l);
    assert_int_equal(l.n, 2);
    const struct finding *f1 = find(&l, "CVE-2024-0001");
    const struct finding *f2 = find(&l, "CVE-2024-0002");
    assert_non_null(f1);
    assert_non_null(f2);
    assert_true(has_alias(f1, "DSA-5999-1"));
    assert_true(has_alias(f1, "DEBIAN-CVE-2024-0001"));
    assert_false(has_alias(f1, "CVE-2024-0001"));
    assert_true(has_alias(f2, "DSA-5999-1"));
    assert_false(has_alias(f2, "DEBIAN-CVE-2024-0001")); /* only the bulletin names 0002 */
    /* the per-CVE record ranks first: its title */
    assert_string_equal(f1->title, "A flaw in openssl.");
    assert_string_equal(f2->title, "openssl - security update");
    finding_list_cleanup(&l);

    /* Go: GO- record aliasing the GHSA, GHSA naming the CVE; and a GHSA with no CVE that a GO
     * record aliases: one finding each */
    struct osv_affected g1 =
        ENTRY("Go", "golang.org/x/net", RANGE(SEMVER, EV(INTRODUCED, "0"), EV(FIXED, "0.17.0")));
    struct osv_affected g2 =
        ENTRY("Go", "golang.org/x/net", RANGE(SEMVER, EV(INTRODUCED, "0"), EV(FIXED, "0.17.0")));
    struct osv_affected g3 =
        ENTRY("Go", "golang.org/x/net", RANGE(SEMVER, EV(INTRODUCED, "0"), EV(FIXED, "0.13.0")));
    struct osv_affected g4 =
        ENTRY("Go", "golang.org/x/net", RANGE(SEMVER, EV(INTRODUCED, "0"), EV(FIXED, "0.13.0")));
    char *al_go[] = {S("CVE-2023-39325"), S("GHSA-4374-p667-p6c8")};
    char *al_gh[] = {S("CVE-2023-39325")};
    char *al_go2[] = {S("GHSA-zzzz-zzzz-zzzz")};
    memset(advs, 0, sizeof(advs));
    advs[0] = (struct advisory){.id = S("GO-2023-2102"),
                                .aliases = al_go,
                                .n_aliases = 2,
                                .affected = &g1,
                                .n_affected = 1};
    advs[1] = (struct advisory){.id = S("GHSA-4374-p667-p6c8"),
                                .aliases = al_gh,
                                .n_aliases = 1,
                                .affected = &g2,
                                .n_affected = 1,
                                .db_severity = S("HIGH")};
    advs[2] = (struct advisory){.id = S("GO-2099-0001"),
                                .aliases = al_go2,
                                .n_aliases = 1,
                                .affected = &g3,
                                .n_affected = 1};
    advs[3] = (struct advisory){
        .id = S("GHSA-zzzz-zzzz-zzzz"), .affected = &g4, .n_affected = 1, .db_severity = S("LOW")};
    db = (struct fake_db){advs, 4, false, {{0}}, 0};
    struct pkg gp = mkpkg(PKG_TYPE_GOLANG, "golang.org/x/net", "v0.7.0", NULL, NULL);
    run(&db, &gp, NULL, &l);
    assert_int_equal(l.n, 2);
    const struct finding *c = find(&l, "CVE-2023-39325");
    assert_non_null(c);
    assert_true(has_alias(c, "GO-2023-2102"));
    assert_true(has_alias(c, "GHSA-4374-p667-p6c8"));
    assert_int_equal(c->severity, SEVERITY_HIGH);
    assert_string_equal(c->severity_source, "ghsa");
    assert_string_equal(c->fixed_version, "0.17.0");
    const struct finding *z = find(&l, "GHSA-zzzz-zzzz-zzzz");
    assert_non_null(z);
    assert_true(has_alias(z, "GO-2099-0001"));
    assert_int_equal(z->severity, SEVERITY_LOW);
    /* sorted: HIGH first */
    assert_string_equal(l.v[0].id, "CVE-2023-39325");
    finding_list_cleanup(&l);
}

/* Enough records that the matcher's maps leave their small inline form: 20 per-CVE records
 * plus a bulletin naming all 20 CVEs, and a chain of 12 CVE-less records each aliasing the
 * one before (all one finding). References repeated across merged records appear once. */
static void test_match_merge_many_records(void **state)
{
    (void)state;
    enum { NCVE = 20, NCHAIN = 12 };
    struct advisory advs[NCVE + 1 + NCHAIN];
    struct osv_affected aff =
        ENTRY("Debian:12", "openssl", RANGE(ECOSYSTEM, EV(INTRODUCED, "0"), EV(FIXED, "3.1-1")));
    char ids[NCVE + NCHAIN][2][48];
    char *up[NCVE + NCHAIN][1];
    char *refs[NCVE][2];
    char *bulletin_up[NCVE];
    char *bulletin_refs[] = {S("https://www.debian.org/security/dsa-6000"),
                             S("https://www.debian.org/security/dsa-6000")};
    memset(advs, 0, sizeof(advs));
    for (int i = 0; i < NCVE; i++) {
        snprintf(ids[i][0], sizeof(ids[i][0]), "DEBIAN-CVE-2024-%04d", 1000 + i);
        snprintf(ids[i][1], sizeof(ids[i][1]), "CVE-2024-%04d", 1000 + i);
        up[i][0] = ids[i][1];
        bulletin_up[i] = ids[i][1];
        refs[i][0] = bulletin_refs[0]; /* also listed by the bulletin */
        refs[i][1] = ids[i][1];        /* any distinct string will do */
        advs[i] = (struct advisory){.id = ids[i][0],
                                    .upstream = up[i],
                                    .n_upstream = 1,
                                    .references = refs[i],
                                    .n_references = 2,
                                    .affected = &aff,
                                    .n_affected = 1};
    }
    advs[NCVE] = (struct advisory){.id = S("DSA-6000-1"),
                                   .upstream = bulletin_up,
                                   .n_upstream = NCVE,
                                   .references = bulletin_refs,
                                   .n_references = 1,
                                   .affected = &aff,
                                   .n_affected = 1};
    for (int k = 0; k < NCHAIN; k++) {
        int i = NCVE + k;
        snprintf(ids[i][0], sizeof(ids[i][0]), "DEBIAN-TEMP-%02d", k);
        up[i][0] = k > 0 ? ids[i - 1][0] : NULL;
        advs[i + 1] = (struct advisory){.id = ids[i][0],
                                        .upstream = k > 0 ? up[i] : NULL,
                                        .n_upstream = k > 0 ? 1 : 0,
                                        .affected = &aff,
                                        .n_affected = 1};
    }
    struct fake_db db = {advs, N(advs), false, {{0}}, 0};
    struct pkg p = mkpkg(PKG_TYPE_DEB, "libssl3", "3.0-1", "openssl", NULL);
    struct finding_list l;
    run(&db, &p, &OS_DEBIAN12, &l);
    assert_int_equal(l.n, NCVE + 1);
    for (int i = 0; i < NCVE; i++) {
        const struct finding *f = find(&l, ids[i][1]);
        assert_non_null(f);
        assert_int_equal(f->n_aliases, 2);
        assert_true(has_alias(f, ids[i][0]));
        assert_true(has_alias(f, "DSA-6000-1"));
        assert_int_equal(f->n_references, 2); /* the bulletin URL once, then its own */
        assert_string_equal(f->references[0], "https://www.debian.org/security/dsa-6000");
        assert_string_equal(f->references[1], ids[i][1]);
    }
    const struct finding *chain = find(&l, "DEBIAN-TEMP-00");
    assert_non_null(chain);
    assert_int_equal(chain->n_aliases, NCHAIN - 1);
    assert_true(has_alias(chain, "DEBIAN-TEMP-11"));
    finding_list_cleanup(&l);
}

static void test_match_merge_keeps_highest_fix(void **state)
{
    (void)state;
    struct advisory advs[2];
    memset(advs, 0, sizeof(advs));
    struct osv_affected a =
        ENTRY("npm", "x", RANGE(ECOSYSTEM, EV(INTRODUCED, "0"), EV(FIXED, "1.2.0")));
    struct osv_affected b =
        ENTRY("npm", "x", RANGE(ECOSYSTEM, EV(INTRODUCED, "0"), EV(FIXED, "1.3.0")));
    struct osv_affected c = ENTRY("npm", "x", RANGE(ECOSYSTEM, EV(INTRODUCED, "0")));
    char *al[] = {S("CVE-2024-1111")};
    advs[0] = (struct advisory){.id = S("GHSA-aaaa-aaaa-aaaa"),
                                .aliases = al,
                                .n_aliases = 1,
                                .affected = &a,
                                .n_affected = 1};
    advs[1] = (struct advisory){
        .id = S("OTHER-1"), .aliases = al, .n_aliases = 1, .affected = &b, .n_affected = 1};
    struct fake_db db = {advs, 2, false, {{0}}, 0};
    struct pkg p = mkpkg(PKG_TYPE_NPM, "x", "1.0.0", NULL, NULL);
    struct finding_list l;
    run(&db, &p, NULL, &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].fixed_version, "1.3.0");
    finding_list_cleanup(&l);
    /* one record with a fix, one without: still fixed */
    advs[1].affected = &c;
    run(&db, &p, NULL, &l);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].status, VULN_STATUS_FIXED);
    assert_string_equal(l.v[0].fixed_version, "1.2.0");
    finding_list_cleanup(&l);
    /* no fix anywhere: affected */
    advs[0].affected = &c;
    run(&db, &p, NULL, &l);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].status, VULN_STATUS_AFFECTED);
    assert_null(l.v[0].fixed_version);
    finding_list_cleanup(&l);
}

static void test_match_withdrawn_and_repeated_entries(void **state)
{
    (void)state;
    struct advisory advs[2];
    memset(advs, 0, sizeof(advs));
    /* GHSA-9wv6-86v2-598j shape: one package repeated across entries */
    struct osv_affected rep[3] = {
        ENTRY("npm", "path-to-regexp", RANGE(ECOSYSTEM, EV(INTRODUCED, "0"), EV(FIXED, "0.1.10"))),
        ENTRY("npm", "path-to-regexp",
              RANGE(ECOSYSTEM, EV(INTRODUCED, "0.2.0"), EV(FIXED, "1.9.0"))),
        ENTRY("npm", "path-to-regexp",
              RANGE(ECOSYSTEM, EV(INTRODUCED, "2.0.0"), EV(FIXED, "3.3.0")))};
    char *al[] = {S("CVE-2024-45296")};
    advs[0] = (struct advisory){.id = S("GHSA-9wv6-86v2-598j"),
                                .aliases = al,
                                .n_aliases = 1,
                                .affected = rep,
                                .n_affected = 3};
    struct osv_affected w = ENTRY("npm", "path-to-regexp", RANGE(ECOSYSTEM, EV(INTRODUCED, "0")));
    advs[1] = (struct advisory){.id = S("GHSA-wwww-wwww-wwww"),
                                .withdrawn = S("2024-01-01T00:00:00Z"),
                                .affected = &w,
                                .n_affected = 1};
    struct fake_db db = {advs, 2, false, {{0}}, 0};
    struct pkg p = mkpkg(PKG_TYPE_NPM, "path-to-regexp", "0.1.7", NULL, NULL);
    struct finding_list l;
    run(&db, &p, NULL, &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].id, "CVE-2024-45296");
    assert_string_equal(l.v[0].fixed_version, "0.1.10");
    finding_list_cleanup(&l);
    struct pkg q = mkpkg(PKG_TYPE_NPM, "path-to-regexp", "1.8.0", NULL, NULL);
    run(&db, &q, NULL, &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].fixed_version, "1.9.0");
    finding_list_cleanup(&l);
}

static void test_match_unparsable_installed_version_is_an_error(void **state)
{
    (void)state;
    struct osv_affected a = ENTRY("npm", "x", RANGE(ECOSYSTEM, EV(INTRODUCED, "0")));
    struct advisory adv = {.id = S("GHSA-1"), .affected = &a, .n_affected = 1};
    struct fake_db db = {&adv, 1, false, {{0}}, 0};
    struct pkg p = mkpkg(PKG_TYPE_NPM, "x", "not-a-version", NULL, NULL);
    struct finding_list l;
    run(&db, &p, NULL, &l);
    assert_int_equal(l.n, 0);
    assert_int_equal(l.n_errors, 1);
    assert_int_equal(l.errors[0].pkg_index, 7);
    assert_non_null(strstr(l.errors[0].msg, "not-a-version"));
    assert_int_equal(db.n_asked, 0); /* never looked up */
    finding_list_cleanup(&l);
    /* a record whose event does not parse: an error naming the record; others still match */
    struct osv_affected bad =
        ENTRY("npm", "x", RANGE(ECOSYSTEM, EV(INTRODUCED, "0"), EV(FIXED, "x.y")));
    struct advisory two[2] = {{.id = S("GHSA-bad"), .affected = &bad, .n_affected = 1},
                              {.id = S("GHSA-good"), .affected = &a, .n_affected = 1}};
    db = (struct fake_db){two, 2, false, {{0}}, 0};
    struct pkg ok = mkpkg(PKG_TYPE_NPM, "x", "1.0.0", NULL, NULL);
    run(&db, &ok, NULL, &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].id, "GHSA-good");
    assert_int_equal(l.n_errors, 1);
    assert_string_equal(l.errors[0].advisory, "GHSA-bad");
    finding_list_cleanup(&l);
}

static void test_match_ubuntu_queries_every_form(void **state)
{
    (void)state;
    /* USN-5503-1: gnupg2 in Ubuntu:22.04:LTS, fixed 2.2.27-3ubuntu2.1 */
    struct osv_affected a =
        ENTRY("Ubuntu:22.04:LTS", "gnupg2",
              RANGE(ECOSYSTEM, EV(INTRODUCED, "0"), EV(FIXED, "2.2.27-3ubuntu2.1")));
    char *up[] = {S("UBUNTU-CVE-2022-34903")};
    struct advisory adv = {
        .id = S("USN-5503-1"), .upstream = up, .n_upstream = 1, .affected = &a, .n_affected = 1};
    struct fake_db db = {&adv, 1, false, {{0}}, 0};
    struct os_info os = {S("ubuntu"), S("22.04"), S("jammy"), NULL};
    struct pkg p = mkpkg(PKG_TYPE_DEB, "gpgv", "2.2.27-3ubuntu2", "gnupg2", "2.2.27-3ubuntu2");
    struct finding_list l;
    run(&db, &p, &os, &l);
    assert_int_equal(db.n_asked, 3);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].id, "CVE-2022-34903");
    assert_true(has_alias(&l.v[0], "USN-5503-1"));
    assert_true(has_alias(&l.v[0], "UBUNTU-CVE-2022-34903"));
    assert_string_equal(l.v[0].fixed_version, "2.2.27-3ubuntu2.1");
    finding_list_cleanup(&l);
}

/* ---- severity ------------------------------------------------------------------------ */

static void test_match_severity_precedence(void **state)
{
    (void)state;
    struct match_severity s;
    struct osv_severity v3v4[] = {
        {S("CVSS_V4"), S("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N")},
        {S("CVSS_V3"), S("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")}};
    struct advisory adv = {.id = S("X-1"), .severity = v3v4, .n_severity = 2};
    /* no vendor severity: CVSS v3 preferred over v4 */
    match_severity_of(&adv, NULL, &s);
    assert_int_equal(s.level, SEVERITY_CRITICAL);
    assert_string_equal(s.source, "cvss");
    assert_false(s.vendor);
    assert_int_equal(s.cvss.major, 3);
    /* v4 alone: 6.9 (FIRST calculator) -> MEDIUM */
    adv.n_severity = 1;
    match_severity_of(&adv, NULL, &s);
    assert_int_equal(s.cvss.major, 4);
    assert_int_equal(s.level, SEVERITY_MEDIUM);
    adv.n_severity = 2;
    /* GHSA database severity beats CVSS */
    adv.id = S("GHSA-aaaa-bbbb-cccc");
    adv.db_severity = S("MODERATE");
    match_severity_of(&adv, NULL, &s);
    assert_int_equal(s.level, SEVERITY_MEDIUM);
    assert_string_equal(s.source, "ghsa");
    assert_true(s.has_cvss); /* the vector is kept */
    /* an entry severity (Ubuntu priority) beats both */
    struct osv_affected e = entry("Ubuntu:22.04:LTS", "openssl", NULL, 0, NULL, 0, "low");
    match_severity_of(&adv, &e, &s);
    assert_int_equal(s.level, SEVERITY_LOW);
    assert_string_equal(s.source, "ubuntu");
    /* "untriaged" falls through */
    e.severity = S("untriaged");
    match_severity_of(&adv, &e, &s);
    assert_string_equal(s.source, "ghsa");
    /* Debian urgency */
    e = entry("Debian:12", "openssl", NULL, 0, NULL, 0, "unimportant");
    match_severity_of(&adv, &e, &s);
    assert_int_equal(s.level, SEVERITY_LOW);
    assert_string_equal(s.source, "debian");
    /* severity[] of type Ubuntu */
    struct osv_severity ub[] = {{S("Ubuntu"), S("high")}};
    struct advisory u = {.id = S("UBUNTU-CVE-2024-1"), .severity = ub, .n_severity = 1};
    match_severity_of(&u, NULL, &s);
    assert_int_equal(s.level, SEVERITY_HIGH);
    assert_string_equal(s.source, "ubuntu");
    assert_false(s.has_cvss);
    /* AlmaLinux bulletin title */
    struct advisory alma = {.id = S("ALSA-2023:0340"),
                            .summary = S("Moderate: bash security update")};
    struct osv_affected ae = entry("AlmaLinux:9", "bash", NULL, 0, NULL, 0, NULL);
    match_severity_of(&alma, &ae, &s);
    assert_int_equal(s.level, SEVERITY_MEDIUM);
    assert_string_equal(s.source, "almalinux");
    /* the same title in an npm record means nothing */
    struct osv_affected ne = entry("npm", "bash", NULL, 0, NULL, 0, NULL);
    match_severity_of(&alma, &ne, &s);
    assert_int_equal(s.level, SEVERITY_UNKNOWN);
    assert_null(s.source);
    /* a broken vector is ignored, not fatal */
    struct osv_severity bad[] = {{S("CVSS_V3"), S("CVSS:3.1/AV:N/garbage")}};
    struct advisory b = {.id = S("X-2"), .severity = bad, .n_severity = 1};
    match_severity_of(&b, NULL, &s);
    assert_int_equal(s.level, SEVERITY_UNKNOWN);
    assert_false(s.has_cvss);
}

static void test_match_cve_of(void **state)
{
    (void)state;
    char out[32];
    assert_true(match_cve_of("CVE-2022-1292", out));
    assert_string_equal(out, "CVE-2022-1292");
    assert_true(match_cve_of("DEBIAN-CVE-2022-1292", out));
    assert_string_equal(out, "CVE-2022-1292");
    assert_true(match_cve_of("UBUNTU-CVE-2021-3156", out));
    assert_string_equal(out, "CVE-2021-3156");
    assert_true(match_cve_of("ALPINE-CVE-2025-26519", out));
    assert_false(match_cve_of("GHSA-4374-p667-p6c8", out));
    assert_false(match_cve_of("CVE-22-1", out));
    assert_false(match_cve_of("CVE-2022-12a4", out));
    assert_false(match_cve_of("debian-CVE-2022-1292", out));
    assert_false(match_cve_of("CVE-2022-123", out));
    assert_false(match_cve_of(NULL, out));
}

/* ---- from OSV JSON (osv_parse) -------------------------------------------------------- */

static void load_fixture(const char *name, struct advisory *out)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/tests/fixtures/scan/unit/%s", DD_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t buf[1 << 16];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    struct dd_error err = {0};
    if (osv_parse(buf, n, out, &err) != 0)
        fail_msg("%s: %s", name, err.msg);
}

static void test_match_osv_fixtures(void **state)
{
    (void)state;
    struct advisory advs[4];
    memset(advs, 0, sizeof(advs));
    load_fixture("USN-5488-1.json", &advs[0]);
    load_fixture("ALSA-2099-0001.json", &advs[1]);
    load_fixture("GHSA-35jh-r3h4-6jhm.json", &advs[2]);
    load_fixture("GHSA-near-miss-lodash-merge.json", &advs[3]);
    struct fake_db db = {advs, 4, false, {{0}}, 0};
    struct finding_list l;

    /* Ubuntu 22.04: libssl3 from source openssl, severity from the USN's cves_map */
    struct os_info jammy = {S("ubuntu"), S("22.04"), S("jammy"), NULL};
    struct pkg u =
        mkpkg(PKG_TYPE_DEB, "libssl3", "3.0.2-0ubuntu1.4", "openssl", "3.0.2-0ubuntu1.4");
    run(&db, &u, &jammy, &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].id, "CVE-2022-2068");
    assert_true(has_alias(&l.v[0], "USN-5488-1"));
    assert_true(has_alias(&l.v[0], "UBUNTU-CVE-2022-2068"));
    assert_string_equal(l.v[0].fixed_version, "3.0.2-0ubuntu1.5");
    assert_int_equal(l.v[0].severity, SEVERITY_MEDIUM);
    assert_string_equal(l.v[0].severity_source, "ubuntu");
    assert_string_equal(l.v[0].ecosystem, "Ubuntu:22.04:LTS");
    finding_list_cleanup(&l);
    /* the fixed version itself, and another release's fix, do not match */
    struct pkg u2 = mkpkg(PKG_TYPE_DEB, "libssl3", "3.0.2-0ubuntu1.5", "openssl", NULL);
    run(&db, &u2, &jammy, &l);
    assert_int_equal(l.n, 0);
    finding_list_cleanup(&l);
    struct os_info kinetic = {S("ubuntu"), S("22.10"), NULL, NULL};
    run(&db, &u, &kinetic, &l);
    assert_int_equal(l.n, 0);
    finding_list_cleanup(&l);

    /* AlmaLinux 9: binary rpm names, epoch-qualified fixed version, title severity */
    struct os_info alma = {S("almalinux"), S("9.3"), NULL, NULL};
    struct pkg r = mkpkg(PKG_TYPE_RPM, "openssl-libs", "3.0.7", "openssl", NULL);
    r.release = S("18.el9");
    r.epoch = 1;
    run(&db, &r, &alma, &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].id, "ALSA-2099:0001");
    assert_string_equal(l.v[0].installed_version, "1:3.0.7-18.el9");
    assert_string_equal(l.v[0].fixed_version, "1:3.0.7-24.el9");
    assert_int_equal(l.v[0].severity, SEVERITY_HIGH);
    assert_string_equal(l.v[0].severity_source, "almalinux");
    finding_list_cleanup(&l);
    r.release = S("24.el9");
    run(&db, &r, &alma, &l);
    assert_int_equal(l.n, 0);
    finding_list_cleanup(&l);
    /* a source-named rpm that no entry names: nothing (AlmaLinux names binaries) */
    struct pkg r2 = mkpkg(PKG_TYPE_RPM, "openssl-fips-provider", "3.0.7", "openssl", NULL);
    r2.release = S("1.el9");
    run(&db, &r2, &alma, &l);
    assert_int_equal(l.n, 0);
    finding_list_cleanup(&l);

    /* npm lodash 4.17.15: GHSA severity; lodash.merge is a near miss even for a sloppy DB */
    db.sloppy = true;
    struct pkg n = mkpkg(PKG_TYPE_NPM, "lodash", "4.17.15", NULL, NULL);
    run(&db, &n, NULL, &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].id, "CVE-2021-23337");
    assert_true(has_alias(&l.v[0], "GHSA-35jh-r3h4-6jhm"));
    assert_int_equal(l.v[0].severity, SEVERITY_HIGH);
    assert_string_equal(l.v[0].severity_source, "ghsa");
    assert_true(l.v[0].has_cvss);
    assert_true(l.v[0].cvss_score > 7.19 && l.v[0].cvss_score < 7.21); /* PR:H: 7.2 */
    assert_string_equal(l.v[0].fixed_version, "4.17.21");
    finding_list_cleanup(&l);

    for (size_t i = 0; i < 4; i++)
        advisory_cleanup(&advs[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_os_ecosystems),
        cmocka_unit_test(test_match_query_uses_source_package_for_deb),
        cmocka_unit_test(test_match_query_rpm_and_apk_and_lang),
        cmocka_unit_test(test_match_range_introduced_zero_fixed),
        cmocka_unit_test(test_match_range_multiple_ranges),
        cmocka_unit_test(test_match_range_last_affected_and_open_ended),
        cmocka_unit_test(test_match_range_limit),
        cmocka_unit_test(test_match_range_versions_only_and_git),
        cmocka_unit_test(test_match_range_edge_cases),
        cmocka_unit_test(test_match_range_unparsable_event_is_an_error),
        cmocka_unit_test(test_match_debian_binary_from_source),
        cmocka_unit_test(test_match_near_miss_name_substring),
        cmocka_unit_test(test_match_alias_merge),
        cmocka_unit_test(test_match_merge_many_records),
        cmocka_unit_test(test_match_merge_keeps_highest_fix),
        cmocka_unit_test(test_match_withdrawn_and_repeated_entries),
        cmocka_unit_test(test_match_unparsable_installed_version_is_an_error),
        cmocka_unit_test(test_match_ubuntu_queries_every_form),
        cmocka_unit_test(test_match_severity_precedence),
        cmocka_unit_test(test_match_cve_of),
        cmocka_unit_test(test_match_osv_fixtures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
