/* osv.c - parse one OSV record (ossf/osv-schema JSON) into a struct advisory.
 *
 * Design: jansson loads the whole record (capped at OSV_MAX_RECORD_BYTES; invalid UTF-8 is
 * rejected by jansson and reported as such), then a walker copies the fields drydock uses
 * into owned C strings. Every array has a hard element cap (OSV_MAX_*) so a hostile record
 * cannot make us allocate without bound. A field we use with the wrong type is an error that
 * names the record ID and the JSON path ("GHSA-x: affected[2].ranges[0].events[1]: 'fixed'
 * must be a string"); JSON null in an optional field counts as absent.
 *
 * Per-package severity (osv_affected.severity) is vendor-specific and read leniently, in this
 * order: ecosystem_specific.ubuntu_priority, {ecosystem,database}_specific.urgency (Debian),
 * {ecosystem,database}_specific.severity (a string), then the highest "Ubuntu" score listed
 * under database_specific.cves_map.cves[].severity[] (Ubuntu USNs). Wrong shapes in these
 * vendor blocks are ignored, never errors.
 *
 * Invariants: on success every pointer in *out is owned by it (advisory_cleanup frees); on
 * failure *out is untouched. Affected entries without a "package" (GIT-only entries) are
 * dropped: nothing can be matched against them. So are RustSec's informational entries
 * (database_specific.informational: "unmaintained", "unsound", "notice"): advice about a
 * crate, not a vulnerability of a version (cargo-audit warns about them apart; Trivy and
 * Grype do not report them).
 *
 * Deliberately not done: YAML (PyPA's repository format), schema_version checks, "related",
 * "credits", GIT commit ranges beyond keeping their events.
 */
#include "osv.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_CHARS 96

struct walk {
    const char *id; /* record ID for messages; "?" until known */
    struct dd_error *err;
};

__attribute__((format(printf, 4, 5))) static int fail(struct walk *w, int code, const char *path,
                                                      const char *fmt, ...)
{
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (path && *path)
        return dd_error_set(w->err, code, "%s: %s: %s", w->id, path, what);
    return dd_error_set(w->err, code, "%s: %s", w->id, what);
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* Optional string member: absent or null leaves *out NULL. */
static int get_opt_str(struct walk *w, json_t *obj, const char *key, const char *path, char **out)
{
    json_t *v = json_object_get(obj, key); /* borrowed */
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return fail(w, DD_EPARSE, path, "'%s' must be a string", key);
    *out = xstrdup(json_string_value(v));
    if (*out == NULL)
        return dd_error_set(w->err, DD_ENOMEM, "%s: out of memory", w->id);
    return 0;
}

static int get_req_str(struct walk *w, json_t *obj, const char *key, const char *path, char **out)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v))
        return fail(w, DD_EPARSE, path, "missing '%s'", key);
    return get_opt_str(w, obj, key, path, out);
}

/* Optional array member: absent/null gives n = 0. Checks type and cap. */
static int get_array(struct walk *w, json_t *obj, const char *key, const char *path, size_t cap,
                     json_t **arr, size_t *n)
{
    json_t *v = json_object_get(obj, key);
    *arr = NULL;
    *n = 0;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_array(v))
        return fail(w, DD_EPARSE, path, "'%s' must be an array", key);
    if (json_array_size(v) > cap) {
        char what[96];
        snprintf(what, sizeof(what), "'%s' has %zu elements (cap %zu)", key, json_array_size(v),
                 cap);
        return fail(w, DD_ETOOBIG, path, "%s", what);
    }
    *arr = v;
    *n = json_array_size(v);
    return 0;
}

static int get_str_array(struct walk *w, json_t *obj, const char *key, const char *path, size_t cap,
                         char ***out, size_t *n_out)
{
    json_t *arr;
    size_t n;
    int rc = get_array(w, obj, key, path, cap, &arr, &n);
    if (rc || n == 0)
        return rc;
    char **v = calloc(n, sizeof(*v));
    if (v == NULL)
        return dd_error_set(w->err, DD_ENOMEM, "%s: out of memory", w->id);
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(arr, i);
        if (!json_is_string(s)) {
            char p[PATH_MAX_CHARS + 32];
            snprintf(p, sizeof(p), "%s%s%s[%zu]", path, *path ? "." : "", key, i);
            rc = fail(w, DD_EPARSE, p, "%s must be a string", "element");
            goto fail;
        }
        v[i] = xstrdup(json_string_value(s));
        if (v[i] == NULL) {
            rc = dd_error_set(w->err, DD_ENOMEM, "%s: out of memory", w->id);
            goto fail;
        }
    }
    *out = v;
    *n_out = n;
    return 0;
fail:
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
    return rc;
}

static void severity_free(struct osv_severity *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) {
        free(s[i].type);
        free(s[i].score);
    }
    free(s);
}

static int get_severity(struct walk *w, json_t *obj, const char *path, struct osv_severity **out,
                        size_t *n_out)
{
    json_t *arr;
    size_t n;
    int rc = get_array(w, obj, "severity", path, OSV_MAX_SEVERITY, &arr, &n);
    if (rc || n == 0)
        return rc;
    struct osv_severity *s = calloc(n, sizeof(*s));
    if (s == NULL)
        return dd_error_set(w->err, DD_ENOMEM, "%s: out of memory", w->id);
    for (size_t i = 0; i < n; i++) {
        char p[PATH_MAX_CHARS + 32];
        snprintf(p, sizeof(p), "%s%sseverity[%zu]", path, *path ? "." : "", i);
        json_t *e = json_array_get(arr, i);
        if (!json_is_object(e)) {
            rc = fail(w, DD_EPARSE, p, "%s must be an object", "element");
            goto fail;
        }
        if ((rc = get_req_str(w, e, "type", p, &s[i].type)) != 0 ||
            (rc = get_req_str(w, e, "score", p, &s[i].score)) != 0)
            goto fail;
    }
    *out = s;
    *n_out = n;
    return 0;
fail:
    severity_free(s, n);
    return rc;
}

static void strv_free(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static void affected_cleanup(struct osv_affected *a)
{
    free(a->ecosystem);
    free(a->name);
    free(a->purl);
    for (size_t r = 0; a->ranges && r < a->n_ranges; r++) {
        for (size_t e = 0; e < a->ranges[r].n_events; e++)
            free(a->ranges[r].events[e].value);
        free(a->ranges[r].events);
    }
    free(a->ranges);
    strv_free(a->versions, a->n_versions);
    free(a->severity);
    severity_free(a->pkg_severity, a->n_pkg_severity);
    memset(a, 0, sizeof(*a));
}

static int get_ranges(struct walk *w, json_t *aff, const char *path, struct osv_affected *a)
{
    json_t *arr;
    size_t n;
    int rc = get_array(w, aff, "ranges", path, OSV_MAX_RANGES, &arr, &n);
    if (rc || n == 0)
        return rc;
    a->ranges = calloc(n, sizeof(*a->ranges));
    if (a->ranges == NULL)
        return dd_error_set(w->err, DD_ENOMEM, "%s: out of memory", w->id);
    a->n_ranges = n;
    for (size_t r = 0; r < n; r++) {
        char p[PATH_MAX_CHARS + 32];
        snprintf(p, sizeof(p), "%s.ranges[%zu]", path, r);
        json_t *jr = json_array_get(arr, r);
        struct osv_range * or = &a->ranges[r];
        if (!json_is_object(jr))
            return fail(w, DD_EPARSE, p, "%s must be an object", "range");
        json_t *t = json_object_get(jr, "type");
        if (!json_is_string(t))
            return fail(w, DD_EPARSE, p, "'%s' must be a string", "type");
        const char *ts = json_string_value(t);
        or->type = strcmp(ts, "ECOSYSTEM") == 0 ? OSV_RANGE_ECOSYSTEM
                   : strcmp(ts, "SEMVER") == 0  ? OSV_RANGE_SEMVER
                   : strcmp(ts, "GIT") == 0     ? OSV_RANGE_GIT
                                                : OSV_RANGE_OTHER;
        json_t *ev;
        size_t ne;
        if ((rc = get_array(w, jr, "events", p, OSV_MAX_EVENTS, &ev, &ne)) != 0)
            return rc;
        if (ne == 0)
            return fail(w, DD_EPARSE, p, "'%s' is missing or empty", "events");
        or->events = calloc(ne, sizeof(* or->events));
        if (or->events == NULL)
            return dd_error_set(w->err, DD_ENOMEM, "%s: out of memory", w->id);
        for (size_t e = 0; e < ne; e++) {
            char pe[PATH_MAX_CHARS + 64];
            snprintf(pe, sizeof(pe), "%s.events[%zu]", p, e);
            json_t *je = json_array_get(ev, e);
            if (!json_is_object(je) || json_object_size(je) != 1)
                return fail(w, DD_EPARSE, pe, "%s must be an object with exactly one key", "event");
            const char *k = json_object_iter_key(json_object_iter(je));
            json_t *v = json_object_iter_value(json_object_iter(je));
            enum osv_event_kind kind;
            if (strcmp(k, "introduced") == 0)
                kind = OSV_EV_INTRODUCED;
            else if (strcmp(k, "fixed") == 0)
                kind = OSV_EV_FIXED;
            else if (strcmp(k, "last_affected") == 0)
                kind = OSV_EV_LAST_AFFECTED;
            else if (strcmp(k, "limit") == 0)
                kind = OSV_EV_LIMIT;
            else
                return fail(w, DD_EPARSE, pe, "unknown event '%.40s'", k);
            if (!json_is_string(v))
                return fail(w, DD_EPARSE, pe, "'%s' must be a string", k);
            or->events[e].kind = kind;
            or->events[e].value = xstrdup(json_string_value(v));
            if (or->events[e].value == NULL)
                return dd_error_set(w->err, DD_ENOMEM, "%s: out of memory", w->id);
            or->n_events = e + 1;
        }
    }
    return 0;
}

static int ubuntu_rank(const char *p)
{
    static const char *const order[] = {"negligible", "low", "medium", "high", "critical"};
    for (int i = 0; i < 5; i++)
        if (strcmp(p, order[i]) == 0)
            return i;
    return -1;
}

/* Highest Ubuntu priority in database_specific.cves_map.cves[].severity[] (USN records). */
static const char *usn_priority(json_t *ds)
{
    json_t *cves = json_object_get(json_object_get(ds, "cves_map"), "cves");
    const char *best = NULL;
    int best_rank = -1;
    size_t i, j;
    json_t *c, *s;
    if (!json_is_array(cves))
        return NULL;
    json_array_foreach(cves, i, c)
    {
        json_t *sev = json_object_get(c, "severity");
        if (!json_is_array(sev))
            continue;
        json_array_foreach(sev, j, s)
        {
            const char *t = json_string_value(json_object_get(s, "type"));
            const char *v = json_string_value(json_object_get(s, "score"));
            if (t && v && strcmp(t, "Ubuntu") == 0 && ubuntu_rank(v) > best_rank) {
                best_rank = ubuntu_rank(v);
                best = v;
            }
        }
    }
    return best;
}

static const char *package_severity(json_t *aff)
{
    json_t *es = json_object_get(aff, "ecosystem_specific");
    json_t *ds = json_object_get(aff, "database_specific");
    const char *v;
    if ((v = json_string_value(json_object_get(es, "ubuntu_priority"))) != NULL)
        return v;
    if ((v = json_string_value(json_object_get(ds, "ubuntu_priority"))) != NULL)
        return v;
    if ((v = json_string_value(json_object_get(es, "urgency"))) != NULL)
        return v;
    if ((v = json_string_value(json_object_get(ds, "urgency"))) != NULL)
        return v;
    if ((v = json_string_value(json_object_get(es, "severity"))) != NULL)
        return v;
    if ((v = json_string_value(json_object_get(ds, "severity"))) != NULL)
        return v;
    return usn_priority(ds);
}

static int get_affected_one(struct walk *w, json_t *aff, const char *path, struct osv_affected *a)
{
    int rc;
    char p[PATH_MAX_CHARS + 16];
    snprintf(p, sizeof(p), "%s.package", path);
    json_t *pkg = json_object_get(aff, "package");
    if (!json_is_object(pkg))
        return fail(w, DD_EPARSE, path, "'%s' must be an object", "package");
    if ((rc = get_req_str(w, pkg, "ecosystem", p, &a->ecosystem)) != 0 ||
        (rc = get_req_str(w, pkg, "name", p, &a->name)) != 0 ||
        (rc = get_opt_str(w, pkg, "purl", p, &a->purl)) != 0)
        return rc;
    if (a->ecosystem == NULL || a->name == NULL || *a->ecosystem == '\0' || *a->name == '\0')
        return fail(w, DD_EPARSE, p, "%s: empty ecosystem or name", "package");
    if ((rc = get_ranges(w, aff, path, a)) != 0 ||
        (rc = get_str_array(w, aff, "versions", path, OSV_MAX_VERSIONS, &a->versions,
                            &a->n_versions)) != 0 ||
        (rc = get_severity(w, aff, path, &a->pkg_severity, &a->n_pkg_severity)) != 0)
        return rc;
    const char *sev = package_severity(aff);
    if (sev && (a->severity = xstrdup(sev)) == NULL)
        return dd_error_set(w->err, DD_ENOMEM, "%s: out of memory", w->id);
    return 0;
}

static int get_affected(struct walk *w, json_t *root, struct advisory *adv)
{
    json_t *arr;
    size_t n;
    int rc = get_array(w, root, "affected", "", OSV_MAX_AFFECTED, &arr, &n);
    if (rc || n == 0)
        return rc;
    adv->affected = calloc(n, sizeof(*adv->affected));
    if (adv->affected == NULL)
        return dd_error_set(w->err, DD_ENOMEM, "%s: out of memory", w->id);
    for (size_t i = 0; i < n; i++) {
        char p[PATH_MAX_CHARS];
        snprintf(p, sizeof(p), "affected[%zu]", i);
        json_t *aff = json_array_get(arr, i);
        if (!json_is_object(aff))
            return fail(w, DD_EPARSE, p, "%s must be an object", "entry");
        json_t *pkg = json_object_get(aff, "package");
        if (pkg == NULL || json_is_null(pkg))
            continue; /* GIT-only entry: nothing to match by name */
        json_t *info = json_object_get(json_object_get(aff, "database_specific"), "informational");
        if (json_is_string(info) && json_string_length(info) > 0)
            continue; /* RustSec advice (unmaintained, unsound, notice), not a vulnerability */
        struct osv_affected *a = &adv->affected[adv->n_affected];
        rc = get_affected_one(w, aff, p, a);
        adv->n_affected++; /* counted even on failure so cleanup frees the partial entry */
        if (rc)
            return rc;
    }
    return 0;
}

static int ptr_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Drop repeated URLs, keeping the first of each in record order: consumers (the matcher)
 * rely on a record's references being unique. Sorting a copy finds out cheaply whether
 * there is anything to drop; the stable removal then runs only for such records. */
static int refs_unique(struct advisory *adv)
{
    size_t n = adv->n_references;
    if (n < 2)
        return 0;
    char **sorted = malloc(n * sizeof(*sorted));
    if (sorted == NULL)
        return DD_ENOMEM;
    memcpy(sorted, adv->references, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), ptr_strcmp);
    bool dup = false;
    for (size_t i = 1; i < n && !dup; i++)
        dup = strcmp(sorted[i - 1], sorted[i]) == 0;
    free(sorted);
    if (!dup)
        return 0;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t k = 0; k < w && !seen; k++)
            seen = strcmp(adv->references[k], adv->references[i]) == 0;
        if (seen)
            free(adv->references[i]);
        else
            adv->references[w++] = adv->references[i];
    }
    adv->n_references = w;
    return 0;
}

static int get_references(struct walk *w, json_t *root, struct advisory *adv)
{
    json_t *arr;
    size_t n;
    int rc = get_array(w, root, "references", "", OSV_MAX_REFERENCES, &arr, &n);
    if (rc || n == 0)
        return rc;
    adv->references = calloc(n, sizeof(char *));
    if (adv->references == NULL)
        return dd_error_set(w->err, DD_ENOMEM, "%s: out of memory", w->id);
    for (size_t i = 0; i < n; i++) {
        char p[PATH_MAX_CHARS];
        snprintf(p, sizeof(p), "references[%zu]", i);
        json_t *r = json_array_get(arr, i);
        if (!json_is_object(r))
            return fail(w, DD_EPARSE, p, "%s must be an object", "reference");
        char *url = NULL;
        if ((rc = get_req_str(w, r, "url", p, &url)) != 0)
            return rc;
        adv->references[adv->n_references++] = url;
    }
    if (refs_unique(adv) != 0)
        return dd_error_set(w->err, DD_ENOMEM, "%s: out of memory", w->id);
    return 0;
}

void advisory_cleanup(struct advisory *a)
{
    if (a == NULL)
        return;
    free(a->id);
    strv_free(a->aliases, a->n_aliases);
    strv_free(a->upstream, a->n_upstream);
    free(a->summary);
    free(a->details);
    free(a->published);
    free(a->modified);
    free(a->withdrawn);
    severity_free(a->severity, a->n_severity);
    free(a->db_severity);
    strv_free(a->references, a->n_references);
    for (size_t i = 0; a->affected && i < a->n_affected; i++)
        affected_cleanup(&a->affected[i]);
    free(a->affected);
    memset(a, 0, sizeof(*a));
}

int osv_parse(const uint8_t *json, size_t len, struct advisory *out, struct dd_error *err)
{
    struct advisory adv;
    struct walk w = {.id = "?", .err = err};
    json_t *root = NULL; /* owned */
    json_error_t jerr;
    int rc;

    memset(&adv, 0, sizeof(adv));
    if (json == NULL && len > 0)
        return dd_error_set(err, DD_EINVAL, "osv: NULL input");
    if (len > OSV_MAX_RECORD_BYTES)
        return dd_error_set(err, DD_ETOOBIG, "osv: record is %zu bytes (cap %u)", len,
                            OSV_MAX_RECORD_BYTES);
    root = json_loadb((const char *)json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        if (json_error_code(&jerr) == json_error_invalid_utf8)
            rc = dd_error_set(err, DD_EPARSE, "osv: invalid UTF-8 at byte %d", jerr.position);
        else
            rc = dd_error_set(err, DD_EPARSE, "osv: JSON error at line %d: %s", jerr.line,
                              jerr.text);
        goto out;
    }
    if (!json_is_object(root)) {
        rc = dd_error_set(err, DD_EPARSE, "osv: record is not a JSON object");
        goto out;
    }
    json_t *id = json_object_get(root, "id");
    if (!json_is_string(id) || json_string_length(id) == 0) {
        rc = dd_error_set(err, DD_EPARSE, "osv: missing or non-string 'id'");
        goto out;
    }
    w.id = json_string_value(id);
    if ((rc = get_req_str(&w, root, "id", "", &adv.id)) != 0 ||
        (rc = get_opt_str(&w, root, "modified", "", &adv.modified)) != 0 ||
        (rc = get_opt_str(&w, root, "published", "", &adv.published)) != 0 ||
        (rc = get_opt_str(&w, root, "withdrawn", "", &adv.withdrawn)) != 0 ||
        (rc = get_opt_str(&w, root, "summary", "", &adv.summary)) != 0 ||
        (rc = get_opt_str(&w, root, "details", "", &adv.details)) != 0 ||
        (rc = get_str_array(&w, root, "aliases", "", OSV_MAX_ALIASES, &adv.aliases,
                            &adv.n_aliases)) != 0 ||
        (rc = get_str_array(&w, root, "upstream", "", OSV_MAX_ALIASES, &adv.upstream,
                            &adv.n_upstream)) != 0 ||
        (rc = get_severity(&w, root, "", &adv.severity, &adv.n_severity)) != 0 ||
        (rc = get_references(&w, root, &adv)) != 0 || (rc = get_affected(&w, root, &adv)) != 0)
        goto out;
    json_t *ds = json_object_get(root, "database_specific");
    const char *dsev = json_string_value(json_object_get(ds, "severity"));
    if (dsev && (adv.db_severity = xstrdup(dsev)) == NULL) {
        rc = dd_error_set(err, DD_ENOMEM, "%s: out of memory", w.id);
        goto out;
    }
    *out = adv;
    memset(&adv, 0, sizeof(adv));
    rc = 0;
out:
    advisory_cleanup(&adv);
    json_decref(root);
    return rc;
}
