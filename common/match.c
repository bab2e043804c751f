/* match.c - match installed packages against OSV advisories.
 *
 * Purpose: for each package of an inventory, find the advisories whose affected entries name
 * it in the right ecosystem, decide with the ecosystem's own version rules whether the
 * installed version is affected, and turn the matching records into findings.
 *
 * What is looked up (evidence: ../shared/data/osv-fixtures):
 *   - Debian and Ubuntu records name SOURCE packages and source versions (DLA-3008-1
 *     "openssl" with purl "?arch=source"; Ubuntu CVE-2018-0737 "openssl" with
 *     ecosystem_specific.binaries libssl1.1, ...), so a deb is looked up by its dpkg Source
 *     (src_name) and compared by its source version (src_version).
 *   - Alpine records name the origin (ALPINE-CVE-2025-26519 "musl", purl "?arch=source"):
 *     apk by origin (src_name), compared by the package version (origin and subpackages share
 *     it).
 *   - AlmaLinux records name BINARY rpms, one affected entry each (ALSA-2026:38503: openssl,
 *     openssl-libs, openssl-devel, ...), versions "[epoch:]version-release"
 *     ("1:1.1.1k-17.el8_6"): rpm by binary name, version "[epoch:]version-release".
 *   - Ecosystems: "Debian:12"; Ubuntu uses "Ubuntu:22.04:LTS" and "Ubuntu:Pro:16.04:LTS"
 *     (non-LTS releases "Ubuntu:23.10"); "Alpine:v3.18"; "AlmaLinux:9"; "Rocky Linux:9".
 *     Red Hat's OSV names ("Red Hat:enterprise_linux:9::baseos" / "::appstream") are not in
 *     the fixtures: queried as OSV documents them, unverified here.
 *   Names are compared exactly (advdb normalises PyPI); never by CPE or substring.
 *
 * Range evaluation: the OSV schema's algorithm. Per ECOSYSTEM/SEMVER range: events sorted by
 * version ("0" first; equal versions: introduced, fixed, last_affected, limit), then walked:
 * introduced <= v sets affected, fixed <= v clears it, last_affected < v clears it; limits
 * (when present) require v < some limit. GIT and unknown range types are ignored. An entry
 * also affects every version in its versions[] (equal as strings or under the scheme). The
 * fixed version is the smallest fixed event above v in the ranges that affect v; an entry
 * affecting v only through versions[] reports no fix. An event that does not parse makes the
 * entry unjudgeable: an error naming the record, never a guess. Withdrawn records are
 * skipped.
 *
 * Merging: records describing one vulnerability of one package become one finding. Each
 * record's CVE IDs (its ID, aliases and upstream, with DEBIAN-/UBUNTU-/ALPINE- prefixes
 * removed) are its keys: one finding per CVE (a DLA listing 40 CVEs gives 40 findings). A
 * record naming no CVE joins the finding whose IDs it shares, else stands alone under its own
 * ID. Per finding: status fixed if any record has a fix (the highest fixed version: it
 * satisfies every record), severity from the first record by rank with a vendor severity,
 * else the first with CVSS. Rank: records from the package's ecosystem (distro data for OS
 * packages - the only data looked up for them), per-CVE records (CVE-, DEBIAN-CVE-, GHSA-)
 * before bulletins (DSA, USN, ALSA), then ID.
 *
 * Severity: vendor first - the entry's severity (Ubuntu priority, Debian urgency), a
 * severity[] item of type "Ubuntu", database_specific.severity (GHSA), the "Important: ..."
 * summary prefix of Red Hat-family bulletins - UNKNOWN labels ("untriaged") fall through; else
 * CVSS: v3.x first (what NVD, GHSA and the distributions score with, so findings stay
 * comparable across sources and with other scanners), then v4.0, then v2; the base score is
 * banded as cvss.h says.
 *
 * Does not: match by CPE, guess versions, report will_not_fix (no OSV field carries it in
 * the data seen; the status exists for sources that will).
 */
#include "match.h"

#include <assert.h>
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEYS_PER_HIT 4096
#define MAX_IDS_PER_HIT  4096
#define MAX_REFS         32
#define MAX_HITS_PER_PKG 100000
#define MAX_EVENTS       100000
#define TITLE_MAX        240

/* ---- ecosystems ---------------------------------------------------------------------- */

/* Leading "N" or "N.M" of a version; 0 or DD_EUNSUPPORTED. */
static int version_parts(const char *v, unsigned *major, unsigned *minor, bool *has_minor)
{
    unsigned a = 0, b = 0;
    const char *p = v;
    if (!isdigit((unsigned char)*p))
        return DD_EUNSUPPORTED;
    for (; isdigit((unsigned char)*p); p++) {
        a = a * 10 + (unsigned)(*p - '0');
        if (a > 100000)
            return DD_EUNSUPPORTED;
    }
    *has_minor = false;
    if (*p == '.' && isdigit((unsigned char)p[1])) {
        for (p++; isdigit((unsigned char)*p); p++) {
            b = b * 10 + (unsigned)(*p - '0');
            if (b > 100000)
                return DD_EUNSUPPORTED;
        }
        *has_minor = true;
    }
    *major = a;
    *minor = b;
    return 0;
}

int match_os_ecosystems(const struct os_info *os, char out[][MATCH_ECO_MAX], size_t max, size_t *n,
                        struct dd_error *err)
{
    unsigned major, minor;
    bool has_minor;
    size_t k = 0;
    const char *fam = os ? os->family : NULL;
    const char *ver = os ? os->version : NULL;
    if (!fam || !ver || max < 4)
        return dd_error_set(err, DD_EUNSUPPORTED, "OS %s %s: no advisory ecosystem",
                            fam ? fam : "?", ver ? ver : "?");
    if (version_parts(ver, &major, &minor, &has_minor) != 0)
        goto unsupported;
    if (strcmp(fam, "debian") == 0) {
        snprintf(out[k++], MATCH_ECO_MAX, "Debian:%u", major);
    } else if (strcmp(fam, "ubuntu") == 0) {
        if (!has_minor)
            goto unsupported;
        snprintf(out[k++], MATCH_ECO_MAX, "Ubuntu:%u.%02u", major, minor);
        snprintf(out[k++], MATCH_ECO_MAX, "Ubuntu:%u.%02u:LTS", major, minor);
        snprintf(out[k++], MATCH_ECO_MAX, "Ubuntu:Pro:%u.%02u:LTS", major, minor);
    } else if (strcmp(fam, "alpine") == 0) {
        if (!has_minor)
            goto unsupported;
        snprintf(out[k++], MATCH_ECO_MAX, "Alpine:v%u.%u", major, minor);
    } else if (strcmp(fam, "almalinux") == 0) {
        snprintf(out[k++], MATCH_ECO_MAX, "AlmaLinux:%u", major);
    } else if (strcmp(fam, "rocky") == 0) {
        snprintf(out[k++], MATCH_ECO_MAX, "Rocky Linux:%u", major);
    } else if (strcmp(fam, "rhel") == 0) {
        snprintf(out[k++], MATCH_ECO_MAX, "Red Hat:enterprise_linux:%u::baseos", major);
        snprintf(out[k++], MATCH_ECO_MAX, "Red Hat:enterprise_linux:%u::appstream", major);
    } else {
        goto unsupported;
    }
    *n = k;
    return 0;
unsupported:
    return dd_error_set(err, DD_EUNSUPPORTED, "OS %s %s: no advisory ecosystem", fam, ver);
}

static const char *lang_ecosystem(enum pkg_type t)
{
    switch (t) {
    case PKG_TYPE_NPM:
        return "npm";
    case PKG_TYPE_PYPI:
        return "PyPI";
    case PKG_TYPE_GOLANG:
        return "Go";
    case PKG_TYPE_MAVEN:
        return "Maven";
    case PKG_TYPE_GEM:
        return "RubyGems";
    case PKG_TYPE_CARGO:
        return "crates.io";
    case PKG_TYPE_COMPOSER:
        return "Packagist";
    case PKG_TYPE_NUGET:
        return "NuGet";
    default:
        return NULL;
    }
}

int match_query_for_pkg(const struct pkg *p, const struct os_info *os, bool has_os,
                        struct match_query *out, struct dd_error *err)
{
    struct match_query q;
    memset(&q, 0, sizeof(q));
    if (!p || !p->name || !p->version || !out)
        return dd_error_set(err, DD_EINVAL, "package without name or version");
    const char *ver = p->version;
    int n;
    switch (p->type) {
    case PKG_TYPE_DEB:
    case PKG_TYPE_APK:
    case PKG_TYPE_RPM: {
        if (!has_os)
            return dd_error_set(err, DD_EUNSUPPORTED, "%s package %s: OS not detected",
                                pkg_type_name(p->type), p->name);
        int rc = match_os_ecosystems(os, q.ecosystems, MATCH_MAX_ECOSYSTEMS, &q.n_ecosystems, err);
        if (rc)
            return rc;
        q.scheme = p->type == PKG_TYPE_DEB   ? VERS_DPKG
                   : p->type == PKG_TYPE_APK ? VERS_APK
                                             : VERS_RPM;
        q.name = p->type == PKG_TYPE_RPM ? p->name : (p->src_name ? p->src_name : p->name);
        if (p->type == PKG_TYPE_DEB && p->src_version)
            ver = p->src_version;
        if (p->type == PKG_TYPE_RPM) {
            char ep[16] = "";
            if (p->epoch > 0)
                snprintf(ep, sizeof(ep), "%d:", p->epoch);
            n = snprintf(q.version, sizeof(q.version), "%s%s%s%s", ep, p->version,
                         p->release ? "-" : "", p->release ? p->release : "");
            goto check_len;
        }
        break;
    }
    default: {
        const char *eco = lang_ecosystem(p->type);
        if (!eco)
            return dd_error_set(err, DD_EUNSUPPORTED, "package %s: unknown type", p->name);
        snprintf(q.ecosystems[0], MATCH_ECO_MAX, "%s", eco);
        q.n_ecosystems = 1;
        int rc = version_scheme_for_ecosystem(eco, &q.scheme);
        if (rc)
            return dd_error_set(err, rc, "ecosystem %s: no version scheme", eco);
        q.name = p->name;
        /* the Go toolchain as a module: OSV "stdlib" versions carry no "go" prefix */
        if (p->type == PKG_TYPE_GOLANG && strcmp(p->name, "stdlib") == 0 &&
            strncmp(ver, "go", 2) == 0)
            ver += 2;
        break;
    }
    }
    n = snprintf(q.version, sizeof(q.version), "%s", ver);
check_len:
    if (n < 0 || (size_t)n >= sizeof(q.version))
        return dd_error_set(err, DD_ETOOBIG, "package %s: version longer than %d bytes", p->name,
                            VERSION_MAX_LEN - 1);
    *out = q;
    return 0;
}

/* ---- range evaluation ---------------------------------------------------------------- */

struct ev {
    enum osv_event_kind kind;
    const char *value;
    bool zero; /* introduced "0" */
    bool inf;  /* limit "*" */
    size_t pos;
};

struct sort_ctx {
    enum version_scheme s;
    int failed;
};

static int kind_order(enum osv_event_kind k)
{
    switch (k) {
    case OSV_EV_INTRODUCED:
        return 0;
    case OSV_EV_FIXED:
        return 1;
    case OSV_EV_LAST_AFFECTED:
        return 2;
    default:
        return 3;
    }
}

static int ev_cmp(const struct ev *a, const struct ev *b, struct sort_ctx *c)
{
    int r;
    if (a->zero || b->zero || a->inf || b->inf) {
        int ra = a->zero ? -1 : a->inf ? 1 : 0;
        int rb = b->zero ? -1 : b->inf ? 1 : 0;
        r = ra - rb;
    } else if (version_compare(c->s, a->value, b->value, &r, NULL) != 0) {
        c->failed = 1;
        r = 0;
    }
    if (r == 0)
        r = kind_order(a->kind) - kind_order(b->kind);
    if (r == 0)
        r = a->pos < b->pos ? -1 : a->pos > b->pos;
    return r;
}

/* Merge sort (stable, O(n log n) compares whatever the input). */
static void ev_sort(struct ev *v, struct ev *tmp, size_t n, struct sort_ctx *c)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    ev_sort(v, tmp, h, c);
    ev_sort(v + h, tmp, n - h, c);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = ev_cmp(&v[j], &v[i], c) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof(*v));
}

static const char *kind_name(enum osv_event_kind k)
{
    switch (k) {
    case OSV_EV_INTRODUCED:
        return "introduced";
    case OSV_EV_FIXED:
        return "fixed";
    case OSV_EV_LAST_AFFECTED:
        return "last_affected";
    default:
        return "limit";
    }
}

/* Name the event of r whose version does not parse under s (the slow path of a failed
 * compare: the fast path never validates separately). */
static int range_bad_event(const struct osv_range *r, size_t ri, enum version_scheme s,
                           const char *version, struct dd_error *err)
{
    for (size_t i = 0; i < r->n_events; i++) {
        const struct osv_event *e = &r->events[i];
        if ((e->kind == OSV_EV_INTRODUCED && strcmp(e->value, "0") == 0) ||
            (e->kind == OSV_EV_LIMIT && strcmp(e->value, "*") == 0))
            continue;
        struct dd_error verr = {0};
        if (version_validate(s, e->value, &verr) != 0)
            return dd_error_set(err, DD_EPARSE,
                                "ranges[%zu].events[%zu]: %s '%s' does not parse (%s)", ri, i,
                                kind_name(e->kind), e->value, verr.msg);
    }
    return dd_error_set(err, DD_EPARSE, "installed version '%s' does not compare", version);
}

#define RANGE_STACK_EVENTS 16

/* One range: *affected and the smallest fixed event above version. Every event version is
 * parsed only by the compares that need it: typical ranges have two events, and parsing
 * was most of matching time. */
static int range_eval(const struct osv_range *r, size_t ri, enum version_scheme s,
                      const char *version, bool *affected, const char **fixed, struct dd_error *err)
{
    struct ev stack_ev[RANGE_STACK_EVENTS], stack_tmp[RANGE_STACK_EVENTS];
    struct ev *ev = stack_ev, *tmp = stack_tmp;
    int rc = 0;
    *affected = false;
    *fixed = NULL;
    if (r->n_events == 0)
        return 0;
    if (r->n_events > MAX_EVENTS)
        return dd_error_set(err, DD_ETOOBIG, "ranges[%zu]: %zu events (cap %d)", ri, r->n_events,
                            MAX_EVENTS);
    if (r->n_events > RANGE_STACK_EVENTS) {
        ev = calloc(r->n_events, sizeof(*ev));
        tmp = calloc(r->n_events, sizeof(*tmp));
        if (!ev || !tmp) {
            rc = dd_error_set(err, DD_ENOMEM, "out of memory");
            goto out;
        }
    }
    bool has_limit = false;
    for (size_t i = 0; i < r->n_events; i++) {
        const struct osv_event *e = &r->events[i];
        ev[i].kind = e->kind;
        ev[i].value = e->value;
        ev[i].pos = i;
        if (e->value == NULL) {
            rc = dd_error_set(err, DD_EPARSE, "ranges[%zu].events[%zu]: no version", ri, i);
            goto out;
        }
        ev[i].zero = e->kind == OSV_EV_INTRODUCED && strcmp(e->value, "0") == 0;
        ev[i].inf = e->kind == OSV_EV_LIMIT && strcmp(e->value, "*") == 0;
        has_limit = has_limit || e->kind == OSV_EV_LIMIT;
    }
    struct sort_ctx sc = {s, 0};
    ev_sort(ev, tmp, r->n_events, &sc);
    if (sc.failed) {
        rc = range_bad_event(r, ri, s, version, err);
        goto out;
    }
    bool vulnerable = false, before_limit = !has_limit;
    for (size_t i = 0; i < r->n_events; i++) {
        const struct ev *e = &ev[i];
        int c = 0;
        if (e->inf) {
            before_limit = true;
            continue;
        }
        if (!e->zero && version_compare(s, version, e->value, &c, NULL) != 0) {
            rc = range_bad_event(r, ri, s, version, err);
            goto out;
        }
        switch (e->kind) {
        case OSV_EV_INTRODUCED:
            if (e->zero || c >= 0)
                vulnerable = true;
            break;
        case OSV_EV_FIXED:
            if (c >= 0)
                vulnerable = false;
            else if (*fixed == NULL)
                *fixed = e->value; /* events are sorted: the first above v is the smallest */
            break;
        case OSV_EV_LAST_AFFECTED:
            if (c > 0)
                vulnerable = false;
            break;
        case OSV_EV_LIMIT:
            if (c < 0)
                before_limit = true;
            break;
        }
    }
    *affected = vulnerable && before_limit;
    if (!*affected)
        *fixed = NULL;
out:
    if (ev != stack_ev) {
        free(ev);
        free(tmp);
    }
    return rc;
}

int match_affected_eval(const struct osv_affected *a, enum version_scheme s, const char *version,
                        struct match_eval *out, struct dd_error *err)
{
    struct match_eval res = {false, NULL};
    if (!a || !version || !out)
        return dd_error_set(err, DD_EINVAL, "match_affected_eval: NULL argument");
    for (size_t i = 0; i < a->n_ranges; i++) {
        const struct osv_range *r = &a->ranges[i];
        if (r->type != OSV_RANGE_ECOSYSTEM && r->type != OSV_RANGE_SEMVER)
            continue;
        bool aff;
        const char *fixed;
        int rc = range_eval(r, i, s, version, &aff, &fixed, err);
        if (rc)
            return rc;
        if (!aff)
            continue;
        if (!res.affected) {
            res.affected = true;
            res.fixed = fixed;
        } else if (fixed) {
            int c = 0;
            if (res.fixed == NULL || (version_compare(s, fixed, res.fixed, &c, NULL) == 0 && c < 0))
                res.fixed = fixed;
        }
    }
    if (!res.affected) {
        for (size_t i = 0; i < a->n_versions; i++) {
            const char *v = a->versions[i];
            int c;
            if (v && (strcmp(v, version) == 0 ||
                      (version_compare(s, v, version, &c, NULL) == 0 && c == 0))) {
                res.affected = true;
                break;
            }
        }
    }
    *out = res;
    return 0;
}

/* ---- severity ------------------------------------------------------------------------ */

static bool eco_is(const char *eco, const char *base)
{
    size_t n = strlen(base);
    return eco && strncmp(eco, base, n) == 0 && (eco[n] == '\0' || eco[n] == ':');
}

static const char *vendor_source(const char *eco)
{
    if (eco_is(eco, "Ubuntu"))
        return "ubuntu";
    if (eco_is(eco, "Debian"))
        return "debian";
    if (eco_is(eco, "Alpine"))
        return "alpine";
    if (eco_is(eco, "AlmaLinux"))
        return "almalinux";
    if (eco_is(eco, "Rocky Linux"))
        return "rocky";
    if (eco_is(eco, "Red Hat"))
        return "redhat";
    return "advisory";
}

static bool id_is_ghsa(const struct advisory *adv)
{
    if (adv->id && strncmp(adv->id, "GHSA-", 5) == 0)
        return true;
    for (size_t i = 0; i < adv->n_aliases; i++)
        if (adv->aliases[i] && strncmp(adv->aliases[i], "GHSA-", 5) == 0)
            return true;
    return false;
}

/* "Important: openssl security update" -> HIGH (Red Hat family bulletin titles). */
static bool summary_severity(const char *s, enum severity *out)
{
    static const struct {
        const char *prefix;
        enum severity level;
    } tab[] = {{"Critical:", SEVERITY_CRITICAL},
               {"Important:", SEVERITY_HIGH},
               {"Moderate:", SEVERITY_MEDIUM},
               {"Low:", SEVERITY_LOW}};
    if (!s)
        return false;
    for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
        if (strncmp(s, tab[i].prefix, strlen(tab[i].prefix)) == 0) {
            *out = tab[i].level;
            return true;
        }
    return false;
}

static bool label(const char *s, enum severity *out)
{
    enum severity l;
    if (!s || severity_parse(s, &l) != 0 || l == SEVERITY_UNKNOWN)
        return false;
    *out = l;
    return true;
}

/* The preferred parsable CVSS vector of a severity[] list: v3.x, else v4.0, else v2. */
static void pick_cvss(const struct osv_severity *v, size_t n, struct match_severity *out)
{
    int best = 99;
    for (size_t i = 0; i < n; i++) {
        const struct osv_severity *sv = &v[i];
        int rank;
        if (!sv->type || !sv->score)
            continue;
        if (strcmp(sv->type, "CVSS_V3") == 0)
            rank = 0;
        else if (strcmp(sv->type, "CVSS_V4") == 0)
            rank = 1;
        else if (strcmp(sv->type, "CVSS_V2") == 0)
            rank = 2;
        else
            continue;
        struct cvss c;
        if (rank < best && cvss_parse(sv->score, &c, NULL) == 0) {
            best = rank;
            out->cvss = c;
            out->has_cvss = true;
        }
    }
}

void match_severity_of(const struct advisory *adv, const struct osv_affected *entry,
                       struct match_severity *out)
{
    memset(out, 0, sizeof(*out));
    out->level = SEVERITY_UNKNOWN;
    if (!adv)
        return;
    /* per-package vectors (affected[].severity) are more specific than the record's */
    if (entry)
        pick_cvss(entry->pkg_severity, entry->n_pkg_severity, out);
    if (!out->has_cvss)
        pick_cvss(adv->severity, adv->n_severity, out);
    const char *eco = entry ? entry->ecosystem : NULL;
    enum severity l;
    if (entry && label(entry->severity, &l)) {
        out->level = l;
        out->source = vendor_source(eco);
        out->vendor = true;
        return;
    }
    for (size_t i = 0; i < adv->n_severity; i++) {
        const struct osv_severity *sv = &adv->severity[i];
        if (sv->type && strcmp(sv->type, "Ubuntu") == 0 && label(sv->score, &l)) {
            out->level = l;
            out->source = "ubuntu";
            out->vendor = true;
            return;
        }
    }
    if (label(adv->db_severity, &l)) {
        out->level = l;
        out->source = id_is_ghsa(adv) ? "ghsa" : vendor_source(eco);
        out->vendor = true;
        return;
    }
    if ((eco_is(eco, "AlmaLinux") || eco_is(eco, "Rocky Linux") || eco_is(eco, "Red Hat")) &&
        summary_severity(adv->summary, &l)) {
        out->level = l;
        out->source = vendor_source(eco);
        out->vendor = true;
        return;
    }
    if (out->has_cvss) {
        out->level = out->cvss.severity;
        out->source = "cvss";
    }
}

/* ---- IDs ----------------------------------------------------------------------------- */

/* The "CVE-YYYY-N..." inside s: s itself, or what follows an upper-case source prefix
 * ("DEBIAN-", "UBUNTU-", "ALPINE-"); NULL when s names no CVE. Points into s. */
static const char *cve_in(const char *s)
{
    if (!s)
        return NULL;
    const char *p = s;
    if (strncmp(p, "CVE-", 4) != 0) {
        const char *q = p;
        while (*q >= 'A' && *q <= 'Z')
            q++;
        if (q == p || q - p > 16 || *q != '-' || strncmp(q + 1, "CVE-", 4) != 0)
            return NULL;
        p = q + 1;
    }
    const char *y = p + 4;
    for (int i = 0; i < 4; i++)
        if (!isdigit((unsigned char)y[i]))
            return NULL;
    if (y[4] != '-')
        return NULL;
    size_t nd = 0;
    for (const char *d = y + 5; *d; d++, nd++)
        if (!isdigit((unsigned char)*d))
            return NULL;
    if (nd < 4 || nd > 19)
        return NULL;
    return p;
}

bool match_cve_of(const char *s, char out[32])
{
    const char *p = cve_in(s);
    if (!p)
        return false;
    snprintf(out, 32, "%s", p);
    return true;
}

/* ---- hits and merging ---------------------------------------------------------------- */

/* Strings of a hit are BORROWED from the lookup source (the mapped DB), which keeps them
 * valid until match_pkg returns (match.h); only findings own copies. Copying every ID and
 * reference of every hit cost a sixth of matching time. */
struct bstrv {
    const char **v;
    size_t n, cap;
};

/* Scratch memory of one package's match: the pointer arrays of hits, groups and findings in
 * progress come from here and go all at once (match_inventory keeps one for every package:
 * reset, not freed, between packages). A malloc and a free per array were a tenth of
 * matching time. */
struct scratch_chunk {
    struct scratch_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

struct scratch {
    struct scratch_chunk *head;
};

static void *scratch_alloc(struct scratch *sc, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    struct scratch_chunk *c = sc->head;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > 32768 ? n : 32768;
        c = malloc(sizeof(*c) + cap);
        if (c == NULL)
            return NULL;
        c->next = sc->head;
        c->used = 0;
        c->cap = cap;
        sc->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

/* Keep the newest chunk for the next package, free the rest. */
static void scratch_reset(struct scratch *sc)
{
    if (sc->head == NULL)
        return;
    struct scratch_chunk *c = sc->head->next;
    while (c) {
        struct scratch_chunk *n = c->next;
        free(c);
        c = n;
    }
    sc->head->next = NULL;
    sc->head->used = 0;
}

static void scratch_cleanup(struct scratch *sc)
{
    scratch_reset(sc);
    free(sc->head);
    sc->head = NULL;
}

/* Room for one more pointer (the old array is abandoned in the scratch); -1 on ENOMEM. */
static int bstrv_grow(struct scratch *sc, struct bstrv *s)
{
    if (s->n < s->cap)
        return 0;
    size_t nc = s->cap ? s->cap * 2 : 8;
    const char **nv = scratch_alloc(sc, nc * sizeof(*nv));
    if (!nv)
        return -1;
    if (s->n)
        memcpy(nv, s->v, s->n * sizeof(*nv));
    s->v = nv;
    s->cap = nc;
    return 0;
}

static bool bstrv_has(const struct bstrv *s, const char *x)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == x || strcmp(s->v[i], x) == 0)
            return true;
    return false;
}

/* Append (the caller knows x is new); -1 on ENOMEM. */
static int bstrv_add_unique(struct scratch *sc, struct bstrv *s, const char *x)
{
    if (bstrv_grow(sc, s))
        return -1;
    s->v[s->n++] = x;
    return 0;
}

/* Append unless NULL, present or at cap; -1 on ENOMEM. */
static int bstrv_add(struct scratch *sc, struct bstrv *s, const char *x, size_t cap)
{
    if (!x || s->n >= cap || bstrv_has(s, x))
        return 0;
    return bstrv_add_unique(sc, s, x);
}

/* String -> index map with borrowed keys: hits by record ID, findings by CVE, IDs by
 * finding, references by finding. Up to SMAP_SMALL entries live inline and are searched
 * linearly (most packages have a handful of hits: no allocation); beyond that an
 * open-addressing table keeps merging linear in the number of IDs. */
#define SMAP_SMALL 8

struct smap {
    const char *small_keys[SMAP_SMALL];
    size_t small_vals[SMAP_SMALL];
    const char **keys; /* the table, once n > SMAP_SMALL */
    size_t *vals;
    size_t cap, n; /* cap: 0 or a power of two */
};

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void smap_cleanup(struct smap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

static size_t *smap_get(struct smap *m, const char *k)
{
    if (m->cap == 0) {
        for (size_t i = 0; i < m->n; i++)
            if (m->small_keys[i] == k || strcmp(m->small_keys[i], k) == 0)
                return &m->small_vals[i];
        return NULL;
    }
    for (size_t i = str_hash(k) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->keys[i])
            return NULL;
        if (m->keys[i] == k || strcmp(m->keys[i], k) == 0)
            return &m->vals[i];
    }
}

static void smap_insert(const char **keys, size_t *vals, size_t cap, const char *k, size_t v)
{
    size_t i = str_hash(k) & (cap - 1);
    while (keys[i])
        i = (i + 1) & (cap - 1);
    keys[i] = k;
    vals[i] = v;
}

/* Insert k -> v, or lower an existing value to v (the smallest index wins). Returns 1 when
 * k was new, 0 when present, -1 on ENOMEM. */
static int smap_put_min(struct smap *m, const char *k, size_t v)
{
    size_t *cur = smap_get(m, k);
    if (cur) {
        if (v < *cur)
            *cur = v;
        return 0;
    }
    if (m->cap == 0 && m->n < SMAP_SMALL) {
        m->small_keys[m->n] = k;
        m->small_vals[m->n++] = v;
        return 1;
    }
    if ((m->n + 1) * 2 > m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 4 * SMAP_SMALL;
        const char **nk = calloc(nc, sizeof(*nk));
        size_t *nv = calloc(nc, sizeof(*nv));
        if (!nk || !nv) {
            free(nk);
            free(nv);
            return -1;
        }
        if (m->cap == 0) {
            for (size_t i = 0; i < m->n; i++)
                smap_insert(nk, nv, nc, m->small_keys[i], m->small_vals[i]);
        } else {
            for (size_t i = 0; i < m->cap; i++)
                if (m->keys[i])
                    smap_insert(nk, nv, nc, m->keys[i], m->vals[i]);
        }
        free(m->keys);
        free(m->vals);
        m->keys = nk;
        m->vals = nv;
        m->cap = nc;
    }
    smap_insert(m->keys, m->vals, m->cap, k, v);
    m->n++;
    return 1;
}

struct hit {
    const char *id;
    struct bstrv ids;  /* id, aliases, upstream as written */
    struct bstrv keys; /* the CVE IDs among them (pointers into ids' strings) */
    const char *ecosystem;
    const char *fixed;
    enum vuln_status status;
    struct match_severity sev;
    const char *title; /* first line of summary or details, title_len bytes */
    size_t title_len;
    struct bstrv refs;
    int rank;
};

struct collect {
    const struct match_query *q;
    const char *ecosystem; /* being queried */
    size_t pkg_index;
    struct finding_list *out;
    struct hit *hits;
    size_t n_hits, cap_hits;
    struct smap by_id; /* record ID -> hit index */
    struct scratch *sc;
    int rc; /* first fatal error (ENOMEM) */
    struct dd_error *err;
};

static int hit_rank(const struct advisory *adv)
{
    if (strncmp(adv->id, "GHSA-", 5) == 0 || cve_in(adv->id))
        return 0;
    return 1;
}

static int add_ids(struct scratch *sc, struct hit *h, char *const *ids, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!ids[i])
            continue;
        if (bstrv_add(sc, &h->ids, ids[i], MAX_IDS_PER_HIT) ||
            bstrv_add(sc, &h->keys, cve_in(ids[i]), MAX_KEYS_PER_HIT))
            return -1;
    }
    return 0;
}

static int on_hit(const struct advisory *adv, size_t ai, void *ctx)
{
    struct collect *c = ctx;
    const struct match_query *q = c->q;
    if (!adv || !adv->id || ai >= adv->n_affected || adv->withdrawn)
        return 0;
    const struct osv_affected *a = &adv->affected[ai];
    /* defence in depth: the DB must hand back exactly what was asked for */
    if (!a->ecosystem || strcmp(a->ecosystem, c->ecosystem) != 0 || !a->name)
        return 0;
    if (strcmp(c->ecosystem, "PyPI") != 0 && strcmp(a->name, q->name) != 0)
        return 0;
    struct match_eval ev;
    struct dd_error e = {0};
    if (match_affected_eval(a, q->scheme, q->version, &ev, &e) != 0) {
        char msg[DD_ERRMSG_MAX + 64];
        snprintf(msg, sizeof(msg), "affected[%zu] (%s %s): %s", ai, a->ecosystem, a->name, e.msg);
        if (finding_list_add_error(c->out, c->pkg_index, adv->id, msg) != 0)
            goto oom;
        return 0;
    }
    if (!ev.affected)
        return 0;
    size_t *known = smap_get(&c->by_id, adv->id);
    if (known) { /* the same record again (one package repeated across affected entries) */
        struct hit *h = &c->hits[*known];
        int cmp;
        if (ev.fixed && h->fixed &&
            version_compare(q->scheme, ev.fixed, h->fixed, &cmp, NULL) == 0 && cmp < 0)
            h->fixed = ev.fixed;
        return 0;
    }
    if (c->n_hits >= MAX_HITS_PER_PKG)
        return 0;
    if (c->n_hits == c->cap_hits) {
        size_t nc = c->cap_hits ? c->cap_hits * 2 : 8;
        struct hit *nv = realloc(c->hits, nc * sizeof(*nv));
        if (!nv)
            goto oom;
        c->hits = nv;
        c->cap_hits = nc;
    }
    struct hit *h = &c->hits[c->n_hits];
    memset(h, 0, sizeof(*h));
    c->n_hits++;
    h->id = adv->id;
    h->ecosystem = a->ecosystem;
    h->fixed = ev.fixed;
    h->status = ev.fixed ? VULN_STATUS_FIXED : VULN_STATUS_AFFECTED;
    h->title = adv->summary && *adv->summary ? adv->summary : adv->details;
    if (h->title) {
        h->title_len = strcspn(h->title, "\n");
        if (h->title_len > TITLE_MAX)
            h->title_len = TITLE_MAX;
    }
    h->rank = hit_rank(adv);
    match_severity_of(adv, a, &h->sev);
    char *self[1] = {adv->id};
    if (add_ids(c->sc, h, self, 1) || add_ids(c->sc, h, adv->aliases, adv->n_aliases) ||
        add_ids(c->sc, h, adv->upstream, adv->n_upstream) ||
        smap_put_min(&c->by_id, h->id, c->n_hits - 1) < 0)
        goto oom;
    /* references: copied as listed (deduplicated per finding, in emit_finding) */
    size_t nr = adv->n_references < MAX_REFS ? adv->n_references : MAX_REFS;
    if (nr) {
        if ((h->refs.v = scratch_alloc(c->sc, nr * sizeof(*h->refs.v))) == NULL)
            goto oom;
        h->refs.cap = nr;
        for (size_t i = 0; i < nr; i++)
            if (adv->references[i])
                h->refs.v[h->refs.n++] = adv->references[i];
    }
    return 0;
oom:
    c->rc = dd_error_set(c->err, DD_ENOMEM, "out of memory");
    return 1;
}

struct group {
    const char *key; /* CVE or the founding record's ID (borrowed) */
    size_t *members; /* hit indexes, in hit order (sorted by rank) */
    size_t n, cap;
};

static int group_add(struct scratch *sc, struct group *g, size_t hi)
{
    /* hits are added in index order: a repeat can only be the last member */
    if (g->n && g->members[g->n - 1] == hi)
        return 0;
    if (g->n == g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 4;
        size_t *nv = scratch_alloc(sc, nc * sizeof(*nv));
        if (!nv)
            return -1;
        if (g->n)
            memcpy(nv, g->members, g->n * sizeof(*nv));
        g->members = nv;
        g->cap = nc;
    }
    g->members[g->n++] = hi;
    return 0;
}

static int hit_order(const void *pa, const void *pb)
{
    const struct hit *a = pa, *b = pb;
    if (a->rank != b->rank)
        return a->rank - b->rank;
    return strcmp(a->id, b->id); /* IDs are unique among hits: a total order */
}

static int str_order(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Copy s (at most max bytes of it) to *at, NUL-terminate, advance; NULL for NULL. */
static char *pack_str(char **at, const char *s, size_t max)
{
    if (!s)
        return NULL;
    size_t n = strnlen(s, max);
    char *r = *at;
    memcpy(r, s, n);
    r[n] = '\0';
    *at += n + 1;
    return r;
}

static int emit_finding(struct scratch *sc, const struct pkg *p, size_t pkg_index,
                        const struct match_query *q, const struct group *g, const struct hit *hits,
                        struct finding_list *out)
{
    struct finding *f;
    struct bstrv aliases = {0}, refs = {0};
    struct smap seen_refs = {0};
    int rc = DD_ENOMEM;
    if (finding_list_add(out, &f) != 0)
        return DD_ENOMEM;
    const struct hit *primary = &hits[g->members[0]];
    const struct hit *sev = NULL, *cv = NULL;
    const char *fixed = NULL;
    bool any_fixed = false;
    for (size_t i = 0; i < g->n; i++) {
        const struct hit *h = &hits[g->members[i]];
        if (!sev && h->sev.vendor)
            sev = h;
        if (!cv && h->sev.has_cvss)
            cv = h;
        if (h->status == VULN_STATUS_FIXED) {
            int c;
            any_fixed = true;
            if (!fixed || (version_compare(q->scheme, h->fixed, fixed, &c, NULL) == 0 && c > 0))
                fixed = h->fixed;
        }
        for (size_t k = 0; k < h->ids.n; k++) {
            /* a bulletin naming several CVEs lends each finding only the IDs of that CVE */
            const char *x = h->ids.v[k];
            const char *cve = cve_in(x);
            bool take = cve ? strcmp(cve, g->key) == 0 : (h->keys.n <= 1 || x == h->id);
            if (take && strcmp(x, g->key) != 0 && bstrv_add(sc, &aliases, x, 256))
                goto out;
        }
        /* a record's references are unique (osv.h): only a merge can repeat one */
        for (size_t k = 0; k < h->refs.n && refs.n < MAX_REFS; k++) {
            int added = g->n == 1 ? 1 : smap_put_min(&seen_refs, h->refs.v[k], 0);
            if (added < 0 || (added == 1 && bstrv_add_unique(sc, &refs, h->refs.v[k])))
                goto out;
        }
    }
    if (!sev)
        sev = cv;
    const struct hit *ch = sev && sev->sev.has_cvss ? sev : cv;
    char ver[8] = "";
    if (ch)
        snprintf(ver, sizeof(ver), "%d.%d", ch->sev.cvss.major, ch->sev.cvss.minor);
    if (aliases.n > 1)
        qsort(aliases.v, aliases.n, sizeof(*aliases.v), str_order);
    const char *installed = p->type == PKG_TYPE_RPM ? q->version : p->version;
    const char *src = sev ? sev->sev.source : NULL;
    const char *vec = ch ? ch->sev.cvss.vector : NULL;
    /* one block: pointer arrays, then the strings */
    size_t title_len = primary->title ? primary->title_len : 0;
    size_t need = (aliases.n + refs.n) * sizeof(char *);
    const char *one[] = {g->key, p->name, q->name, primary->ecosystem, q->version, installed,
                         fixed,  src,     vec,     ch ? ver : NULL};
    for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++)
        need += one[i] ? strlen(one[i]) + 1 : 0;
    need += primary->title ? title_len + 1 : 0;
    for (size_t i = 0; i < aliases.n; i++)
        need += strlen(aliases.v[i]) + 1;
    for (size_t i = 0; i < refs.n; i++)
        need += strlen(refs.v[i]) + 1;
    char *block = malloc(need);
    if (!block)
        goto out;
    f->block = block;
    char **arr = (char **)(void *)block;
    char *at = block + (aliases.n + refs.n) * sizeof(char *);
    f->id = pack_str(&at, g->key, SIZE_MAX);
    f->pkg_index = pkg_index;
    f->pkg_name = pack_str(&at, p->name, SIZE_MAX);
    f->matched_name = pack_str(&at, q->name, SIZE_MAX);
    f->ecosystem = pack_str(&at, primary->ecosystem, SIZE_MAX);
    f->matched_version = pack_str(&at, q->version, SIZE_MAX);
    f->installed_version = pack_str(&at, installed, SIZE_MAX);
    f->status = any_fixed ? VULN_STATUS_FIXED : primary->status;
    f->fixed_version = pack_str(&at, fixed, SIZE_MAX);
    f->title = pack_str(&at, primary->title, title_len);
    if (sev) {
        f->severity = sev->sev.level;
        f->severity_source = pack_str(&at, src, SIZE_MAX);
    }
    if (ch) {
        f->has_cvss = true;
        f->cvss_score = ch->sev.cvss.base_score;
        f->cvss_vector = pack_str(&at, vec, SIZE_MAX);
        f->cvss_version = pack_str(&at, ver, SIZE_MAX);
    }
    f->aliases = aliases.n ? arr : NULL;
    f->n_aliases = aliases.n;
    for (size_t i = 0; i < aliases.n; i++)
        arr[i] = pack_str(&at, aliases.v[i], SIZE_MAX);
    f->references = refs.n ? arr + aliases.n : NULL;
    f->n_references = refs.n;
    for (size_t i = 0; i < refs.n; i++)
        arr[aliases.n + i] = pack_str(&at, refs.v[i], SIZE_MAX);
    assert(at == block + need);
    rc = 0;
out:
    smap_cleanup(&seen_refs);
    if (rc) {
        finding_cleanup(f);
        out->n--;
    }
    return rc;
}

struct groups {
    struct group *v;
    size_t n, cap;
    struct smap by_key; /* group key -> group index */
    struct smap by_id;  /* any ID of a member (and each key) -> smallest group index; kept
                           only from pass 2 on (track_ids), when a record names no CVE */
    bool track_ids;
    struct scratch *sc; /* the groups and their member arrays */
};

static void groups_cleanup(struct groups *gs)
{
    smap_cleanup(&gs->by_key);
    smap_cleanup(&gs->by_id);
}

/* Make every ID of hit h (and nothing else) find group gi. */
static int groups_track(struct groups *gs, size_t gi, const struct hit *h)
{
    for (size_t x = 0; x < h->ids.n; x++)
        if (smap_put_min(&gs->by_id, h->ids.v[x], gi) < 0)
            return -1;
    return 0;
}

/* A new empty group keyed key; its index in *gi. -1 on ENOMEM. */
static int groups_new(struct groups *gs, const char *key, size_t *gi)
{
    if (gs->n == gs->cap) {
        size_t nc = gs->cap ? gs->cap * 2 : 8;
        struct group *nv = scratch_alloc(gs->sc, nc * sizeof(*nv));
        if (!nv)
            return -1;
        if (gs->n)
            memcpy(nv, gs->v, gs->n * sizeof(*nv));
        gs->v = nv;
        gs->cap = nc;
    }
    *gi = gs->n++;
    memset(&gs->v[*gi], 0, sizeof(gs->v[*gi]));
    gs->v[*gi].key = key;
    if (smap_put_min(&gs->by_key, key, *gi) < 0 ||
        (gs->track_ids && smap_put_min(&gs->by_id, key, *gi) < 0))
        return -1;
    return 0;
}

static int groups_join(struct groups *gs, size_t gi, const struct hit *h, size_t hi)
{
    if (group_add(gs->sc, &gs->v[gi], hi))
        return -1;
    return gs->track_ids ? groups_track(gs, gi, h) : 0;
}

/* Start tracking IDs: index what pass 1 grouped, in group order (smallest index wins). */
static int groups_start_tracking(struct groups *gs, const struct hit *hits)
{
    gs->track_ids = true;
    for (size_t gi = 0; gi < gs->n; gi++) {
        if (smap_put_min(&gs->by_id, gs->v[gi].key, gi) < 0)
            return -1;
        for (size_t m = 0; m < gs->v[gi].n; m++)
            if (groups_track(gs, gi, &hits[gs->v[gi].members[m]]))
                return -1;
    }
    return 0;
}

static int merge_hits(struct scratch *sc, const struct pkg *p, size_t pkg_index,
                      const struct match_query *q, struct hit *hits, size_t n_hits,
                      struct finding_list *out)
{
    struct groups gs = {0};
    gs.sc = sc;
    int rc = DD_ENOMEM;
    /* stable order: by rank, then ID */
    qsort(hits, n_hits, sizeof(*hits), hit_order);
    /* pass 1: one finding per CVE; a record naming several CVEs joins each */
    for (size_t hi = 0; hi < n_hits; hi++) {
        const struct hit *h = &hits[hi];
        for (size_t k = 0; k < h->keys.n; k++) {
            size_t *at = smap_get(&gs.by_key, h->keys.v[k]);
            size_t gi;
            if (at)
                gi = *at;
            else if (groups_new(&gs, h->keys.v[k], &gi))
                goto out;
            if (groups_join(&gs, gi, h, hi))
                goto out;
        }
    }
    /* pass 2: a record naming no CVE joins the first finding that shares one of its IDs
     * (as key or as another member's ID), else founds its own */
    for (size_t hi = 0; hi < n_hits; hi++) {
        const struct hit *h = &hits[hi];
        if (h->keys.n > 0)
            continue;
        if (!gs.track_ids && groups_start_tracking(&gs, hits))
            goto out;
        size_t gi = SIZE_MAX;
        for (size_t x = 0; x < h->ids.n; x++) {
            size_t *at = smap_get(&gs.by_id, h->ids.v[x]);
            if (at && *at < gi)
                gi = *at;
        }
        if (gi == SIZE_MAX && groups_new(&gs, h->id, &gi))
            goto out;
        if (groups_join(&gs, gi, h, hi))
            goto out;
    }
    for (size_t gi = 0; gi < gs.n; gi++) {
        /* a group's members were added in hit order: sorted by rank */
        if (emit_finding(sc, p, pkg_index, q, &gs.v[gi], hits, out))
            goto out;
    }
    rc = 0;
out:
    groups_cleanup(&gs);
    return rc;
}

static int match_pkg_in(struct scratch *sc, const struct pkg *p, size_t pkg_index,
                        const struct os_info *os, bool has_os, match_lookup_fn lookup, void *src,
                        struct finding_list *out, struct dd_error *err)
{
    struct match_query q;
    struct dd_error e = {0};
    struct collect c;
    int rc = 0;
    memset(&q, 0, sizeof(q));
    memset(&c, 0, sizeof(c));
    if (!p || !lookup || !out)
        return dd_error_set(err, DD_EINVAL, "match_pkg: NULL argument");
    rc = match_query_for_pkg(p, os, has_os, &q, &e);
    if (rc == DD_EUNSUPPORTED)
        return 0; /* nothing to look up; match_inventory reports a missing OS once */
    if (rc == 0 && version_validate(q.scheme, q.version, &e) != 0)
        rc = DD_EPARSE;
    if (rc) {
        char msg[DD_ERRMSG_MAX + 64];
        snprintf(msg, sizeof(msg), "%s: installed version not matched: %s", p->name ? p->name : "?",
                 e.msg);
        return finding_list_add_error(out, pkg_index, NULL, msg) ? DD_ENOMEM : 0;
    }
    c.q = &q;
    c.sc = sc;
    c.pkg_index = pkg_index;
    c.out = out;
    c.err = err;
    for (size_t i = 0; i < q.n_ecosystems; i++) {
        c.ecosystem = q.ecosystems[i];
        rc = lookup(src, q.ecosystems[i], q.name, on_hit, &c, err);
        if (c.rc) {
            rc = c.rc;
            goto out;
        }
        if (rc)
            goto out;
    }
    if (c.n_hits)
        rc = merge_hits(sc, p, pkg_index, &q, c.hits, c.n_hits, out);
    if (rc)
        dd_error_set(err, rc, "out of memory");
out:
    free(c.hits);
    smap_cleanup(&c.by_id);
    return rc;
}

int match_pkg(const struct pkg *p, size_t pkg_index, const struct os_info *os, bool has_os,
              match_lookup_fn lookup, void *src, struct finding_list *out, struct dd_error *err)
{
    struct scratch sc = {NULL};
    int rc = match_pkg_in(&sc, p, pkg_index, os, has_os, lookup, src, out, err);
    scratch_cleanup(&sc);
    return rc;
}

int match_inventory(const struct inventory *inv, match_lookup_fn lookup, void *src,
                    struct finding_list *out, struct dd_error *err)
{
    if (!inv || !lookup || !out)
        return dd_error_set(err, DD_EINVAL, "match_inventory: NULL argument");
    bool os_pkgs = false;
    struct scratch sc = {NULL};
    for (size_t i = 0; i < inv->pkgs.n; i++) {
        const struct pkg *p = &inv->pkgs.v[i];
        os_pkgs = os_pkgs || pkg_type_is_os(p->type);
        scratch_reset(&sc);
        int rc = match_pkg_in(&sc, p, i, &inv->os, inv->has_os, lookup, src, out, err);
        if (rc) {
            scratch_cleanup(&sc);
            return rc;
        }
    }
    scratch_cleanup(&sc);
    if (os_pkgs) {
        char ecos[MATCH_MAX_ECOSYSTEMS][MATCH_ECO_MAX];
        size_t n;
        struct dd_error e = {0};
        if (!inv->has_os)
            dd_error_set(&e, DD_EUNSUPPORTED, "OS not detected");
        if (!inv->has_os ||
            match_os_ecosystems(&inv->os, ecos, MATCH_MAX_ECOSYSTEMS, &n, &e) != 0) {
            char msg[DD_ERRMSG_MAX + 64];
            snprintf(msg, sizeof(msg), "OS packages not matched: %s", e.msg);
            if (finding_list_add_error(out, FINDING_NO_PKG, NULL, msg))
                return dd_error_set(err, DD_ENOMEM, "out of memory");
        }
    }
    finding_list_sort(out);
    return 0;
}
