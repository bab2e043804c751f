/* report_vuln.c - scan report writers: table, drydock JSON, SARIF 2.1.0, CycloneDX 1.5.
 *
 * Purpose: present a filtered, sorted finding list for people (table), for programs (JSON,
 * whose field names are a contract: docs/scan-json.md), for code-scanning dashboards (SARIF)
 * and for SBOM tooling (CycloneDX with vulnerabilities).
 *
 * Design: the targets are computed once (OS packages, then one per application file) and
 * every writer walks them. JSON writers build a jansson tree; the caller dumps it with
 * report_write(). The CycloneDX writer starts from report_cyclonedx_json() - the same
 * components and bom-refs `drydock sbom` emits - and adds vulnerabilities[] whose affects[]
 * name those bom-refs (component order = package order, skipping packages without a purl).
 *
 * Invariants: a finding's pkg_index is an index into inv->pkgs (checked; a finding that
 * points elsewhere is skipped, never dereferenced). Output is deterministic apart from the
 * CycloneDX serial number and timestamp.
 *
 * Does not: re-sort or filter findings (findings.c does), fetch anything.
 */
#include "report_vuln.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pkg.h"

enum target_class { TARGET_OS, TARGET_LANG };

struct target {
    enum target_class cls;
    const char *type; /* os family / pkg type name */
    const char *path; /* lang: file path */
    char name[512];
};

struct targets {
    struct target *v;
    size_t n;
    size_t *of_pkg; /* target index per package */
};

static void targets_cleanup(struct targets *t)
{
    free(t->v);
    free(t->of_pkg);
}

static int targets_build(const struct vuln_report *r, struct targets *t)
{
    const struct inventory *inv = r->inv;
    memset(t, 0, sizeof(*t));
    size_t np = inv->pkgs.n;
    t->v = calloc(np + 1, sizeof(*t->v));
    t->of_pkg = calloc(np + 1, sizeof(*t->of_pkg));
    if (!t->v || !t->of_pkg) {
        targets_cleanup(t);
        return DD_ENOMEM;
    }
    bool want_os = inv->has_os;
    for (size_t i = 0; i < np && !want_os; i++)
        want_os = pkg_type_is_os(inv->pkgs.v[i].type);
    if (want_os) {
        struct target *o = &t->v[t->n++];
        o->cls = TARGET_OS;
        o->type = inv->has_os && inv->os.family ? inv->os.family : "unknown";
        snprintf(o->name, sizeof(o->name), "%s (%s %s)",
                 r->meta->artifact ? r->meta->artifact : "image", o->type,
                 inv->has_os && inv->os.version ? inv->os.version : "?");
    }
    for (size_t i = 0; i < np; i++) {
        const struct pkg *p = &inv->pkgs.v[i];
        if (pkg_type_is_os(p->type)) {
            t->of_pkg[i] = 0;
            continue;
        }
        const char *path = p->file_path ? p->file_path : "";
        const char *type = pkg_type_name(p->type);
        size_t k;
        for (k = 0; k < t->n; k++)
            if (t->v[k].cls == TARGET_LANG && strcmp(t->v[k].path, path) == 0 &&
                strcmp(t->v[k].type, type) == 0)
                break;
        if (k == t->n) {
            struct target *l = &t->v[t->n++];
            l->cls = TARGET_LANG;
            l->type = type;
            l->path = path;
            snprintf(l->name, sizeof(l->name), "%s", path);
        }
        t->of_pkg[i] = k;
    }
    /* application targets in path order; remap packages */
    size_t first = want_os ? 1 : 0;
    for (size_t i = first + 1; i < t->n; i++)
        for (size_t j = i; j > first; j--) {
            int c = strcmp(t->v[j - 1].path, t->v[j].path);
            if (c == 0)
                c = strcmp(t->v[j - 1].type, t->v[j].type);
            if (c <= 0)
                break;
            struct target tmp = t->v[j];
            t->v[j] = t->v[j - 1];
            t->v[j - 1] = tmp;
        }
    for (size_t i = 0; i < np; i++) {
        const struct pkg *p = &inv->pkgs.v[i];
        if (pkg_type_is_os(p->type))
            continue;
        for (size_t k = first; k < t->n; k++)
            if (strcmp(t->v[k].path, p->file_path ? p->file_path : "") == 0 &&
                strcmp(t->v[k].type, pkg_type_name(p->type)) == 0) {
                t->of_pkg[i] = k;
                break;
            }
    }
    return 0;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static const struct pkg *finding_pkg(const struct vuln_report *r, const struct finding *f)
{
    return f->pkg_index < r->inv->pkgs.n ? &r->inv->pkgs.v[f->pkg_index] : NULL;
}

static json_t *strs_json(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (v[i])
            json_array_append_new(a, json_string(v[i]));
    return a;
}

static const char *severity_lower(enum severity s)
{
    static const char *n[] = {"unknown", "low", "medium", "high", "critical"};
    return (int)s >= 0 && s <= SEVERITY_CRITICAL ? n[s] : "unknown";
}

static json_t *finding_json(const struct vuln_report *r, const struct finding *f,
                            const struct pkg *p)
{
    json_t *cvss = json_null();
    if (f->has_cvss)
        cvss = json_pack("{s:f,s:o,s:o}", "score", f->cvss_score, "vector",
                         str_or_null(f->cvss_vector), "version", str_or_null(f->cvss_version));
    json_t *layer = json_null();
    if (p->layer >= 0 && (size_t)p->layer < r->meta->n_layers) {
        const struct image_layer *l = &r->meta->layers[p->layer];
        layer = json_pack("{s:i,s:o,s:o}", "index", p->layer, "digest", str_or_null(l->digest),
                          "diff_id", str_or_null(l->diff_id));
    }
    char *purl = purl_for_pkg(p, &r->inv->os, r->inv->has_os);
    json_t *o = json_pack(
        "{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", f->id,
        "aliases", strs_json(f->aliases, f->n_aliases), "package", str_or_null(f->pkg_name),
        "installed_version", str_or_null(f->installed_version), "fixed_version",
        str_or_null(f->fixed_version), "status", json_string(vuln_status_name(f->status)),
        "severity", json_string(severity_name(f->severity)), "ecosystem",
        f->ecosystem ? f->ecosystem : "", "pkg_type", pkg_type_name(p->type), "severity_source",
        str_or_null(f->severity_source), "cvss", cvss, "layer", layer, "title",
        str_or_null(f->title), "references", strs_json(f->references, f->n_references),
        "source_package", str_or_null(f->matched_name), "matched_version",
        str_or_null(f->matched_version), "purl", str_or_null(purl));
    free(purl);
    if (o)
        json_object_set_new(o, "path", str_or_null(p->file_path));
    return o;
}

static json_t *pkg_json(const struct vuln_report *r, const struct pkg *p)
{
    char *purl = purl_for_pkg(p, &r->inv->os, r->inv->has_os);
    json_t *o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "name", str_or_null(p->name), "version",
                          str_or_null(p->version), "release", str_or_null(p->release), "src_name",
                          str_or_null(p->src_name ? p->src_name : p->name), "src_version",
                          str_or_null(p->src_version ? p->src_version : p->version), "path",
                          str_or_null(p->file_path), "purl", str_or_null(purl));
    free(purl);
    return o;
}

static json_t *summary_json(const struct finding_list *l)
{
    size_t c[SEVERITY_CRITICAL + 1];
    finding_list_count(l, c);
    return json_pack("{s:I,s:I,s:I,s:I,s:I}", "critical", (json_int_t)c[SEVERITY_CRITICAL], "high",
                     (json_int_t)c[SEVERITY_HIGH], "medium", (json_int_t)c[SEVERITY_MEDIUM], "low",
                     (json_int_t)c[SEVERITY_LOW], "unknown", (json_int_t)c[SEVERITY_UNKNOWN]);
}

json_t *report_vuln_json(const struct vuln_report *r)
{
    struct targets t;
    json_t *root = NULL;
    if (targets_build(r, &t) != 0)
        return NULL;
    root = json_object();
    json_t *results = json_array();
    json_t *errors = json_array();
    if (!root || !results || !errors)
        goto fail;
    json_object_set_new(root, "schema_version", json_integer(1));
    json_object_set_new(root, "artifact", str_or_null(r->meta->artifact));
    json_object_set_new(root, "digest", str_or_null(r->meta->digest));
    if (r->meta->index_digest)
        json_object_set_new(root, "index_digest", json_string(r->meta->index_digest));
    json_object_set_new(root, "os",
                        r->inv->has_os
                            ? json_pack("{s:o,s:o}", "family", str_or_null(r->inv->os.family),
                                        "version", str_or_null(r->inv->os.version))
                            : json_null());
    for (size_t ti = 0; ti < t.n; ti++) {
        const struct target *tg = &t.v[ti];
        json_t *pkgs = json_array(), *vulns = json_array();
        for (size_t i = 0; i < r->inv->pkgs.n; i++)
            if (t.of_pkg[i] == ti)
                json_array_append_new(pkgs, pkg_json(r, &r->inv->pkgs.v[i]));
        for (size_t i = 0; i < r->findings->n; i++) {
            const struct finding *f = &r->findings->v[i];
            const struct pkg *p = finding_pkg(r, f);
            if (p && t.of_pkg[f->pkg_index] == ti)
                json_array_append_new(vulns, finding_json(r, f, p));
        }
        json_array_append_new(results,
                              json_pack("{s:s,s:s,s:s,s:o,s:o}", "target", tg->name, "class",
                                        tg->cls == TARGET_OS ? "os-pkgs" : "lang-pkgs", "type",
                                        tg->type, "packages", pkgs, "vulnerabilities", vulns));
    }
    json_object_set_new(root, "results", results);
    results = NULL;
    json_object_set_new(root, "summary", summary_json(r->findings));
    json_object_set_new(root, "ignored", json_integer((json_int_t)r->n_ignored));
    json_object_set_new(root, "db", json_pack("{s:o}", "built_at", str_or_null(r->db_built_at)));
    for (size_t i = 0; i < r->findings->n_errors; i++) {
        const struct finding_error *e = &r->findings->errors[i];
        const struct pkg *p = e->pkg_index < r->inv->pkgs.n ? &r->inv->pkgs.v[e->pkg_index] : NULL;
        json_array_append_new(errors,
                              json_pack("{s:o,s:o,s:s}", "package", str_or_null(p ? p->name : NULL),
                                        "advisory", str_or_null(e->advisory), "message", e->msg));
    }
    json_object_set_new(root, "errors", errors);
    targets_cleanup(&t);
    return root;
fail:
    json_decref(root);
    json_decref(results);
    json_decref(errors);
    targets_cleanup(&t);
    return NULL;
}

/* ---- SARIF --------------------------------------------------------------------------- */

static const char *sarif_level(enum severity s)
{
    switch (s) {
    case SEVERITY_CRITICAL:
    case SEVERITY_HIGH:
        return "error";
    case SEVERITY_MEDIUM:
        return "warning";
    default:
        return "note";
    }
}

/* GitHub code scanning reads properties.security-severity (a score as a string). */
static const char *security_severity(const struct finding *f, char buf[16])
{
    if (f->has_cvss) {
        snprintf(buf, 16, "%.1f", f->cvss_score);
        return buf;
    }
    switch (f->severity) {
    case SEVERITY_CRITICAL:
        return "9.5";
    case SEVERITY_HIGH:
        return "8.0";
    case SEVERITY_MEDIUM:
        return "5.5";
    case SEVERITY_LOW:
        return "2.0";
    default:
        return "0.0";
    }
}

json_t *report_vuln_sarif(const struct vuln_report *r)
{
    json_t *root = NULL, *rules = json_array(), *results = json_array(), *rule_idx = json_object();
    if (!rules || !results || !rule_idx)
        goto fail;
    for (size_t i = 0; i < r->findings->n; i++) {
        const struct finding *f = &r->findings->v[i];
        const struct pkg *p = finding_pkg(r, f);
        if (!p)
            continue;
        json_t *idx = json_object_get(rule_idx, f->id);
        size_t ri;
        char sbuf[16];
        if (idx) {
            ri = (size_t)json_integer_value(idx);
        } else {
            ri = json_array_size(rules);
            json_object_set_new(rule_idx, f->id, json_integer((json_int_t)ri));
            const char *title = f->title ? f->title : f->id;
            json_t *rule =
                json_pack("{s:s,s:s,s:{s:s},s:{s:s},s:{s:s},s:{s:s,s:[s,s,s]}}", "id", f->id,
                          "name", f->id, "shortDescription", "text", title, "fullDescription",
                          "text", title, "defaultConfiguration", "level", sarif_level(f->severity),
                          "properties", "security-severity", security_severity(f, sbuf), "tags",
                          "vulnerability", "security", severity_name(f->severity));
            if (rule && f->n_references)
                json_object_set_new(rule, "helpUri", json_string(f->references[0]));
            json_array_append_new(rules, rule);
        }
        char msg[2048];
        snprintf(msg, sizeof(msg),
                 "Package: %s\nInstalled Version: %s\nVulnerability: %s\nSeverity: %s\n"
                 "Status: %s\nFixed Version: %s",
                 f->pkg_name ? f->pkg_name : "?", f->installed_version ? f->installed_version : "?",
                 f->id, severity_name(f->severity), vuln_status_name(f->status),
                 f->fixed_version ? f->fixed_version : "none");
        char where[1024];
        snprintf(where, sizeof(where), "%s: %s@%s", r->meta->artifact ? r->meta->artifact : "image",
                 f->pkg_name ? f->pkg_name : "?",
                 f->installed_version ? f->installed_version : "?");
        json_t *res = json_pack(
            "{s:s,s:I,s:s,s:{s:s},s:[{s:{s:{s:s,s:s},s:{s:i,s:i,s:i,s:i}},s:{s:s}}]}", "ruleId",
            f->id, "ruleIndex", (json_int_t)ri, "level", sarif_level(f->severity), "message",
            "text", msg, "locations", "physicalLocation", "artifactLocation", "uri",
            p->file_path ? p->file_path : "", "uriBaseId", "ROOTPATH", "region", "startLine", 1,
            "startColumn", 1, "endLine", 1, "endColumn", 1, "message", "text", where);
        json_array_append_new(results, res);
    }
    root =
        json_pack("{s:s,s:s,s:[{s:{s:{s:s,s:s,s:s,s:s,s:o}},s:o,s:{s:{s:s}}}]}", "$schema",
                  "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0", "runs",
                  "tool", "driver", "name", "drydock", "fullName",
                  "drydock container image "
                  "scanner",
                  "version", DD_VERSION, "informationUri", "https://github.com/drydock", "rules",
                  rules, "results", results, "originalUriBaseIds", "ROOTPATH", "uri", "file:///");
    rules = results = NULL;
    if (!root)
        goto fail;
    json_decref(rule_idx);
    return root;
fail:
    json_decref(rules);
    json_decref(results);
    json_decref(rule_idx);
    json_decref(root);
    return NULL;
}

/* ---- CycloneDX ----------------------------------------------------------------------- */

static const char *cdx_method(const char *version)
{
    if (!version)
        return "other";
    if (strcmp(version, "3.1") == 0)
        return "CVSSv31";
    if (strcmp(version, "3.0") == 0)
        return "CVSSv3";
    if (strcmp(version, "4.0") == 0)
        return "CVSSv4";
    if (strcmp(version, "2.0") == 0)
        return "CVSSv2";
    return "other";
}

static const char *id_source_url(const char *id)
{
    if (strncmp(id, "CVE-", 4) == 0)
        return "https://nvd.nist.gov/vuln/detail/";
    if (strncmp(id, "GHSA-", 5) == 0)
        return "https://github.com/advisories/";
    return "https://osv.dev/vulnerability/";
}

static json_t *cdx_source(const char *id)
{
    char url[512];
    snprintf(url, sizeof(url), "%s%s", id_source_url(id), id);
    const char *name = strncmp(id, "CVE-", 4) == 0    ? "NVD"
                       : strncmp(id, "GHSA-", 5) == 0 ? "GitHub"
                                                      : "OSV";
    return json_pack("{s:s,s:s}", "name", name, "url", url);
}

json_t *report_vuln_cyclonedx(const struct vuln_report *r)
{
    json_t *doc = report_cyclonedx_json(r->meta, r->inv);
    char **refs = NULL;
    json_t *vulns = NULL, *by_id = NULL;
    if (!doc)
        return NULL;
    size_t np = r->inv->pkgs.n;
    refs = calloc(np + 1, sizeof(*refs));
    vulns = json_array();
    by_id = json_object();
    if (!refs || !vulns || !by_id)
        goto fail;
    /* bom-refs: components in package order, after the "os" component */
    json_t *comps = json_object_get(doc, "components");
    size_t ci = r->inv->has_os ? 1 : 0;
    for (size_t i = 0; i < np; i++) {
        char *purl = purl_for_pkg(&r->inv->pkgs.v[i], &r->inv->os, r->inv->has_os);
        if (!purl)
            continue;
        free(purl);
        json_t *c = json_array_get(comps, ci++);
        const char *ref = json_string_value(json_object_get(c, "bom-ref"));
        refs[i] = ref ? dd_strdup(ref) : NULL;
    }
    for (size_t i = 0; i < r->findings->n; i++) {
        const struct finding *f = &r->findings->v[i];
        const struct pkg *p = finding_pkg(r, f);
        if (!p || !refs[f->pkg_index])
            continue;
        json_t *affect =
            json_pack("{s:s,s:[{s:s,s:s}]}", "ref", refs[f->pkg_index], "versions", "version",
                      f->installed_version ? f->installed_version : "", "status", "affected");
        json_t *v = json_object_get(by_id, f->id);
        if (v) {
            json_array_append_new(json_object_get(v, "affects"), affect);
            continue;
        }
        json_t *ratings = json_array();
        if (f->has_cvss)
            json_array_append_new(
                ratings,
                json_pack(
                    "{s:o,s:f,s:s,s:s,s:o}", "source",
                    json_pack("{s:s}", "name", f->severity_source ? f->severity_source : "cvss"),
                    "score", f->cvss_score, "severity", severity_lower(f->severity), "method",
                    cdx_method(f->cvss_version), "vector", str_or_null(f->cvss_vector)));
        else
            json_array_append_new(
                ratings, json_pack("{s:{s:s},s:s,s:s}", "source", "name",
                                   f->severity_source ? f->severity_source : "drydock", "severity",
                                   severity_lower(f->severity), "method", "other"));
        json_t *advisories = json_array();
        for (size_t k = 0; k < f->n_references; k++)
            json_array_append_new(advisories, json_pack("{s:s}", "url", f->references[k]));
        json_t *aliases = json_array();
        for (size_t k = 0; k < f->n_aliases; k++)
            json_array_append_new(aliases, json_pack("{s:s,s:o}", "id", f->aliases[k], "source",
                                                     cdx_source(f->aliases[k])));
        v = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:[o]}", "bom-ref", f->id, "id", f->id, "source",
                      cdx_source(f->id), "ratings", ratings, "advisories", advisories, "references",
                      aliases, "affects", affect);
        if (!v)
            goto fail;
        if (f->title)
            json_object_set_new(v, "description", json_string(f->title));
        if (f->fixed_version) {
            char rec[1024];
            snprintf(rec, sizeof(rec), "Upgrade %s to %s", f->matched_name ? f->matched_name : "",
                     f->fixed_version);
            json_object_set_new(v, "recommendation", json_string(rec));
        }
        json_object_set_new(v, "properties",
                            json_pack("[{s:s,s:s}]", "name", "drydock:status", "value",
                                      vuln_status_name(f->status)));
        json_object_set(by_id, f->id, v);
        json_array_append_new(vulns, v);
    }
    json_object_set_new(doc, "vulnerabilities", vulns);
    vulns = NULL;
    json_decref(by_id);
    for (size_t i = 0; i < np; i++)
        free(refs[i]);
    free(refs);
    return doc;
fail:
    json_decref(doc);
    json_decref(vulns);
    json_decref(by_id);
    if (refs)
        for (size_t i = 0; i < np; i++)
            free(refs[i]);
    free(refs);
    return NULL;
}

/* ---- table --------------------------------------------------------------------------- */

static void counts_line(FILE *out, const char *label, const size_t c[SEVERITY_CRITICAL + 1])
{
    size_t total = 0;
    for (int i = 0; i <= SEVERITY_CRITICAL; i++)
        total += c[i];
    fprintf(out, "%s%zu (CRITICAL: %zu, HIGH: %zu, MEDIUM: %zu, LOW: %zu, UNKNOWN: %zu)\n", label,
            total, c[SEVERITY_CRITICAL], c[SEVERITY_HIGH], c[SEVERITY_MEDIUM], c[SEVERITY_LOW],
            c[SEVERITY_UNKNOWN]);
}

static size_t width(const char *s, size_t w, size_t cap)
{
    size_t n = s ? strlen(s) : 0;
    n = n > w ? n : w;
    return n > cap ? cap : n;
}

int report_vuln_write_table(FILE *out, const struct vuln_report *r)
{
    struct targets t;
    if (targets_build(r, &t) != 0)
        return DD_ENOMEM;
    fprintf(out, "%s (%s)\n", r->meta->artifact ? r->meta->artifact : "?",
            r->meta->digest ? r->meta->digest : "?");
    if (r->db_built_at)
        fprintf(out, "Advisory DB built %s\n", r->db_built_at);
    for (size_t ti = 0; ti < t.n; ti++) {
        size_t c[SEVERITY_CRITICAL + 1] = {0};
        size_t wp = 7, wi = 13, wv = 9, wf = 13, n = 0;
        for (size_t i = 0; i < r->findings->n; i++) {
            const struct finding *f = &r->findings->v[i];
            if (!finding_pkg(r, f) || t.of_pkg[f->pkg_index] != ti)
                continue;
            n++;
            c[f->severity <= SEVERITY_CRITICAL ? f->severity : SEVERITY_UNKNOWN]++;
            wp = width(f->pkg_name, wp, 40);
            wi = width(f->id, wi, 28);
            wv = width(f->installed_version, wv, 32);
            wf = width(f->fixed_version, wf, 32);
        }
        fprintf(out, "\n%s (%s)\n", t.v[ti].name,
                t.v[ti].cls == TARGET_OS ? "os-pkgs" : t.v[ti].type);
        counts_line(out, "Total: ", c);
        if (n == 0)
            continue;
        fprintf(out, "\n%-*s  %-*s  %-8s  %-12s  %-*s  %-*s  %s\n", (int)wp, "PACKAGE", (int)wi,
                "VULNERABILITY", "SEVERITY", "STATUS", (int)wv, "INSTALLED", (int)wf,
                "FIXED VERSION", "TITLE");
        for (size_t i = 0; i < r->findings->n; i++) {
            const struct finding *f = &r->findings->v[i];
            if (!finding_pkg(r, f) || t.of_pkg[f->pkg_index] != ti)
                continue;
            fprintf(out, "%-*.*s  %-*.*s  %-8s  %-12s  %-*.*s  %-*.*s  %.60s\n", (int)wp, (int)wp,
                    f->pkg_name ? f->pkg_name : "", (int)wi, (int)wi, f->id,
                    severity_name(f->severity), vuln_status_name(f->status), (int)wv, (int)wv,
                    f->installed_version ? f->installed_version : "", (int)wf, (int)wf,
                    f->fixed_version ? f->fixed_version : "", f->title ? f->title : "");
        }
    }
    size_t all[SEVERITY_CRITICAL + 1];
    finding_list_count(r->findings, all);
    fprintf(out, "\n");
    counts_line(out, "Total: ", all);
    if (r->n_ignored)
        fprintf(out, "Ignored by the ignore file: %zu\n", r->n_ignored);
    for (size_t i = 0; i < r->findings->n_errors; i++) {
        const struct finding_error *e = &r->findings->errors[i];
        fprintf(out, "error: %s%s%s\n", e->advisory ? e->advisory : "", e->advisory ? ": " : "",
                e->msg);
    }
    targets_cleanup(&t);
    if (fflush(out) != 0)
        return -errno;
    return 0;
}
