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

#include <ctype.h>
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

/* One range: *affected and the smallest fixed event above version. */
static int range_eval(const struct osv_range *r, size_t ri, enum version_scheme s,
                      const char *version, bool *affected, const char **fixed, struct dd_error *err)
{
    struct ev *ev = NULL, *tmp = NULL;
    int rc = 0;
    *affected = false;
    *fixed = NULL;
    if (r->n_events == 0)
        return 0;
    if (r->n_events > MAX_EVENTS)
        return dd_error_set(err, DD_ETOOBIG, "ranges[%zu]: %zu events (cap %d)", ri, r->n_events,
                            MAX_EVENTS);
    ev = calloc(r->n_events, sizeof(*ev));
    tmp = calloc(r->n_events, sizeof(*tmp));
    if (!ev || !tmp) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
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
        if (ev[i].zero || ev[i].inf)
            continue;
        struct dd_error verr = {0};
        if (version_validate(s, e->value, &verr) != 0) {
            rc =
                dd_error_set(err, DD_EPARSE, "ranges[%zu].events[%zu]: %s '%s' does not parse (%s)",
                             ri, i, kind_name(e->kind), e->value, verr.msg);
            goto out;
        }
    }
    struct sort_ctx sc = {s, 0};
    ev_sort(ev, tmp, r->n_events, &sc);
    if (sc.failed) {
        rc = dd_error_set(err, DD_EPARSE, "ranges[%zu]: event versions do not compare", ri);
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
            rc = dd_error_set(err, DD_EPARSE, "installed version '%s' does not compare", version);
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
    free(ev);
    free(tmp);
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

bool match_cve_of(const char *s, char out[32])
{
    if (!s)
        return false;
    const char *p = s;
    /* an optional upper-case source prefix: "DEBIAN-", "UBUNTU-", "ALPINE-" */
    if (strncmp(p, "CVE-", 4) != 0) {
        const char *q = p;
        while (*q >= 'A' && *q <= 'Z')
            q++;
        if (q == p || q - p > 16 || *q != '-' || strncmp(q + 1, "CVE-", 4) != 0)
            return false;
        p = q + 1;
    }
    const char *y = p + 4;
    for (int i = 0; i < 4; i++)
        if (!isdigit((unsigned char)y[i]))
            return false;
    if (y[4] != '-')
        return false;
    size_t nd = 0;
    for (const char *d = y + 5; *d; d++, nd++)
        if (!isdigit((unsigned char)*d))
            return false;
    if (nd < 4 || nd > 19)
        return false;
    snprintf(out, 32, "%s", p);
    return true;
}

/* ---- hits and merging ---------------------------------------------------------------- */

struct strv {
    char **v;
    size_t n, cap;
};

static void strv_cleanup(struct strv *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof(*s));
}

static bool strv_has(const struct strv *s, const char *x)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], x) == 0)
            return true;
    return false;
}

/* Append a copy unless present or at cap; -1 on ENOMEM. */
static int strv_add(struct strv *s, const char *x, size_t cap)
{
    if (!x || strv_has(s, x) || s->n >= cap)
        return 0;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 8;
        char **nv = realloc(s->v, nc * sizeof(*nv));
        if (!nv)
            return -1;
        s->v = nv;
        s->cap = nc;
    }
    if ((s->v[s->n] = dd_strdup(x)) == NULL)
        return -1;
    s->n++;
    return 0;
}

struct hit {
    char *id;
    struct strv ids;  /* id, aliases, upstream as written */
    struct strv keys; /* CVE IDs */
    char *ecosystem;
    char *fixed;
    enum vuln_status status;
    struct match_severity sev;
    char *title;
    struct strv refs;
    int rank;
};

static void hit_cleanup(struct hit *h)
{
    free(h->id);
    strv_cleanup(&h->ids);
    strv_cleanup(&h->keys);
    free(h->ecosystem);
    free(h->fixed);
    free(h->title);
    strv_cleanup(&h->refs);
}

struct collect {
    const struct match_query *q;
    const char *ecosystem; /* being queried */
    size_t pkg_index;
    struct finding_list *out;
    struct hit *hits;
    size_t n_hits, cap_hits;
    int rc; /* first fatal error (ENOMEM) */
    struct dd_error *err;
};

static char *make_title(const struct advisory *adv)
{
    const char *s = adv->summary && *adv->summary ? adv->summary : adv->details;
    if (!s)
        return NULL;
    size_t n = strcspn(s, "\n");
    if (n > TITLE_MAX)
        n = TITLE_MAX;
    return dd_strndup(s, n);
}

static int hit_rank(const struct advisory *adv)
{
    char cve[32];
    if (strncmp(adv->id, "GHSA-", 5) == 0 || match_cve_of(adv->id, cve))
        return 0;
    return 1;
}

static int add_ids(struct hit *h, char *const *ids, size_t n)
{
    char cve[32];
    for (size_t i = 0; i < n; i++) {
        if (!ids[i])
            continue;
        if (strv_add(&h->ids, ids[i], MAX_IDS_PER_HIT) ||
            (match_cve_of(ids[i], cve) && strv_add(&h->keys, cve, MAX_KEYS_PER_HIT)))
            return -1;
    }
    return 0;
}

static struct hit *find_hit(struct collect *c, const char *id)
{
    for (size_t i = 0; i < c->n_hits; i++)
        if (strcmp(c->hits[i].id, id) == 0)
            return &c->hits[i];
    return NULL;
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
    struct hit *h = find_hit(c, adv->id);
    if (h) { /* the same record again (one package repeated across affected entries) */
        int cmp;
        if (ev.fixed && h->fixed &&
            version_compare(q->scheme, ev.fixed, h->fixed, &cmp, NULL) == 0 && cmp < 0) {
            char *f = dd_strdup(ev.fixed);
            if (!f)
                goto oom;
            free(h->fixed);
            h->fixed = f;
        }
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
    h = &c->hits[c->n_hits];
    memset(h, 0, sizeof(*h));
    c->n_hits++;
    h->id = dd_strdup(adv->id);
    h->ecosystem = dd_strdup(a->ecosystem);
    h->fixed = dd_strdup(ev.fixed);
    h->status = ev.fixed ? VULN_STATUS_FIXED : VULN_STATUS_AFFECTED;
    h->title = make_title(adv);
    h->rank = hit_rank(adv);
    match_severity_of(adv, a, &h->sev);
    char *self[1] = {adv->id};
    if (!h->id || !h->ecosystem || (ev.fixed && !h->fixed) || add_ids(h, self, 1) ||
        add_ids(h, adv->aliases, adv->n_aliases) || add_ids(h, adv->upstream, adv->n_upstream))
        goto oom;
    for (size_t i = 0; i < adv->n_references; i++)
        if (strv_add(&h->refs, adv->references[i], MAX_REFS))
            goto oom;
    return 0;
oom:
    c->rc = dd_error_set(c->err, DD_ENOMEM, "out of memory");
    return 1;
}

struct group {
    char key[IGNORE_MAX_ID + 1]; /* CVE or the founding record's ID */
    size_t *members;             /* hit indexes, sorted by rank */
    size_t n, cap;
};

static int group_add(struct group *g, size_t hi)
{
    for (size_t i = 0; i < g->n; i++)
        if (g->members[i] == hi)
            return 0;
    if (g->n == g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 4;
        size_t *nv = realloc(g->members, nc * sizeof(*nv));
        if (!nv)
            return -1;
        g->members = nv;
        g->cap = nc;
    }
    g->members[g->n++] = hi;
    return 0;
}

static int hit_order(const struct hit *a, const struct hit *b)
{
    if (a->rank != b->rank)
        return a->rank - b->rank;
    return strcmp(a->id, b->id);
}

static int emit_finding(const struct pkg *p, size_t pkg_index, const struct match_query *q,
                        const struct group *g, const struct hit *hits, struct finding_list *out)
{
    struct finding *f;
    struct strv aliases = {0}, refs = {0};
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
            char cve[32];
            bool take = match_cve_of(x, cve) ? strcmp(cve, g->key) == 0
                                             : (h->keys.n <= 1 || strcmp(x, h->id) == 0);
            if (take && strcmp(x, g->key) != 0 && strv_add(&aliases, x, 256))
                goto out;
        }
        for (size_t k = 0; k < h->refs.n; k++)
            if (strv_add(&refs, h->refs.v[k], MAX_REFS))
                goto out;
    }
    if (!sev)
        sev = cv;
    f->id = dd_strdup(g->key);
    f->pkg_index = pkg_index;
    f->pkg_name = dd_strdup(p->name);
    f->matched_name = dd_strdup(q->name);
    f->ecosystem = dd_strdup(primary->ecosystem);
    f->matched_version = dd_strdup(q->version);
    if (p->type == PKG_TYPE_RPM)
        f->installed_version = dd_strdup(q->version);
    else
        f->installed_version = dd_strdup(p->version);
    f->status = any_fixed ? VULN_STATUS_FIXED : primary->status;
    f->fixed_version = dd_strdup(fixed);
    f->title = dd_strdup(primary->title);
    if (!f->id || !f->pkg_name || !f->matched_name || !f->ecosystem || !f->matched_version ||
        !f->installed_version || (fixed && !f->fixed_version) || (primary->title && !f->title))
        goto out;
    if (sev) {
        f->severity = sev->sev.level;
        if (sev->sev.source && (f->severity_source = dd_strdup(sev->sev.source)) == NULL)
            goto out;
    }
    const struct hit *ch = sev && sev->sev.has_cvss ? sev : cv;
    if (ch) {
        char ver[8];
        snprintf(ver, sizeof(ver), "%d.%d", ch->sev.cvss.major, ch->sev.cvss.minor);
        f->has_cvss = true;
        f->cvss_score = ch->sev.cvss.base_score;
        f->cvss_vector = dd_strdup(ch->sev.cvss.vector);
        f->cvss_version = dd_strdup(ver);
        if (!f->cvss_vector || !f->cvss_version)
            goto out;
    }
    /* sorted aliases */
    for (size_t i = 1; i < aliases.n; i++)
        for (size_t j = i; j > 0 && strcmp(aliases.v[j - 1], aliases.v[j]) > 0; j--) {
            char *t = aliases.v[j];
            aliases.v[j] = aliases.v[j - 1];
            aliases.v[j - 1] = t;
        }
    f->aliases = aliases.v;
    f->n_aliases = aliases.n;
    memset(&aliases, 0, sizeof(aliases));
    f->references = refs.v;
    f->n_references = refs.n;
    memset(&refs, 0, sizeof(refs));
    rc = 0;
out:
    strv_cleanup(&aliases);
    strv_cleanup(&refs);
    if (rc) {
        finding_cleanup(f);
        out->n--;
    }
    return rc;
}

static int merge_hits(const struct pkg *p, size_t pkg_index, const struct match_query *q,
                      struct hit *hits, size_t n_hits, struct finding_list *out)
{
    struct group *groups = NULL;
    size_t n_groups = 0, cap_groups = 0;
    int rc = DD_ENOMEM;
    /* stable order: by rank, then ID */
    for (size_t i = 1; i < n_hits; i++)
        for (size_t j = i; j > 0 && hit_order(&hits[j - 1], &hits[j]) > 0; j--) {
            struct hit t = hits[j];
            hits[j] = hits[j - 1];
            hits[j - 1] = t;
        }
    for (int pass = 0; pass < 2; pass++) {
        for (size_t hi = 0; hi < n_hits; hi++) {
            struct hit *h = &hits[hi];
            if ((pass == 0) != (h->keys.n > 0))
                continue;
            size_t nk = pass == 0 ? h->keys.n : 1;
            for (size_t k = 0; k < nk; k++) {
                struct group *g = NULL;
                if (pass == 0) {
                    for (size_t gi = 0; gi < n_groups && !g; gi++)
                        if (strcmp(groups[gi].key, h->keys.v[k]) == 0)
                            g = &groups[gi];
                } else {
                    /* no CVE: join the finding that shares one of its IDs */
                    for (size_t gi = 0; gi < n_groups && !g; gi++) {
                        if (strv_has(&h->ids, groups[gi].key))
                            g = &groups[gi];
                        for (size_t m = 0; m < groups[gi].n && !g; m++) {
                            const struct hit *o = &hits[groups[gi].members[m]];
                            for (size_t x = 0; x < h->ids.n && !g; x++)
                                if (strv_has(&o->ids, h->ids.v[x]))
                                    g = &groups[gi];
                        }
                    }
                }
                if (!g) {
                    if (n_groups == cap_groups) {
                        size_t nc = cap_groups ? cap_groups * 2 : 8;
                        struct group *nv = realloc(groups, nc * sizeof(*nv));
                        if (!nv)
                            goto out;
                        groups = nv;
                        cap_groups = nc;
                    }
                    g = &groups[n_groups++];
                    memset(g, 0, sizeof(*g));
                    snprintf(g->key, sizeof(g->key), "%s", pass == 0 ? h->keys.v[k] : h->id);
                }
                if (group_add(g, hi))
                    goto out;
            }
        }
    }
    for (size_t gi = 0; gi < n_groups; gi++) {
        /* members were added in hit order, already sorted by rank */
        if (emit_finding(p, pkg_index, q, &groups[gi], hits, out))
            goto out;
    }
    rc = 0;
out:
    for (size_t gi = 0; gi < n_groups; gi++)
        free(groups[gi].members);
    free(groups);
    return rc;
}

int match_pkg(const struct pkg *p, size_t pkg_index, const struct os_info *os, bool has_os,
              match_lookup_fn lookup, void *src, struct finding_list *out, struct dd_error *err)
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
        rc = merge_hits(p, pkg_index, &q, c.hits, c.n_hits, out);
    if (rc)
        dd_error_set(err, rc, "out of memory");
out:
    for (size_t i = 0; i < c.n_hits; i++)
        hit_cleanup(&c.hits[i]);
    free(c.hits);
    return rc;
}

int match_inventory(const struct inventory *inv, match_lookup_fn lookup, void *src,
                    struct finding_list *out, struct dd_error *err)
{
    if (!inv || !lookup || !out)
        return dd_error_set(err, DD_EINVAL, "match_inventory: NULL argument");
    bool os_pkgs = false;
    for (size_t i = 0; i < inv->pkgs.n; i++) {
        const struct pkg *p = &inv->pkgs.v[i];
        os_pkgs = os_pkgs || pkg_type_is_os(p->type);
        int rc = match_pkg(p, i, &inv->os, inv->has_os, lookup, src, out, err);
        if (rc)
            return rc;
    }
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
