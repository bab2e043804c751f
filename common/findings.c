/* findings.c - the finding list, its order and filters, and the ignore file.
 *
 * Purpose: what happens to findings between the matcher and the report writers: sorting
 * (severity CRITICAL first, then package), counting, the --severity and --ignore-unfixed
 * filters, and .drydockignore rules.
 *
 * Ignore file format (documented for users in docs/scan-json.md):
 *
 *   line    := blank | comment | rule
 *   comment := ws* "#" any*
 *   rule    := ws* ID (ws+ option)* ws* ("#" reason)?
 *   option  := "exp:" YYYY-MM-DD | "pkg:" NAME
 *   ID      := [A-Za-z0-9._:+/-]{1,128}    (CVE-2022-1292, GHSA-..., ALSA-2023:0340)
 *
 * Invariants: the file is untrusted text: at most IGNORE_MAX_FILE_BYTES, IGNORE_MAX_RULES
 * rules, IGNORE_MAX_LINE bytes a line; NUL bytes and invalid UTF-8 (reasons are echoed in
 * JSON reports) are errors naming the line. An expiry date must be a real calendar date; the
 * rule holds through that whole day in UTC and stops applying at the next midnight UTC. A
 * parse error rejects the whole file: a half-read ignore file would silently un-ignore or
 * over-ignore, and a CI gate must not guess.
 *
 * Does not: apply wildcards or ranges of IDs, read anything but the one file it is given.
 */
#include "findings.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pkg.h"

const char *vuln_status_name(enum vuln_status s)
{
    switch (s) {
    case VULN_STATUS_FIXED:
        return "fixed";
    case VULN_STATUS_AFFECTED:
        return "affected";
    case VULN_STATUS_WILL_NOT_FIX:
        return "will_not_fix";
    default:
        return "unknown";
    }
}

static void strs_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void finding_cleanup(struct finding *f)
{
    if (!f)
        return;
    if (f->block) {
        free(f->block);
        memset(f, 0, sizeof(*f));
        return;
    }
    free(f->id);
    strs_free(f->aliases, f->n_aliases);
    free(f->pkg_name);
    free(f->matched_name);
    free(f->ecosystem);
    free(f->installed_version);
    free(f->matched_version);
    free(f->fixed_version);
    free(f->severity_source);
    free(f->cvss_vector);
    free(f->cvss_version);
    free(f->title);
    strs_free(f->references, f->n_references);
    memset(f, 0, sizeof(*f));
}

void finding_list_init(struct finding_list *l)
{
    memset(l, 0, sizeof(*l));
}

void finding_list_cleanup(struct finding_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        finding_cleanup(&l->v[i]);
    free(l->v);
    for (size_t i = 0; i < l->n_errors; i++) {
        free(l->errors[i].advisory);
        free(l->errors[i].msg);
    }
    free(l->errors);
    memset(l, 0, sizeof(*l));
}

int finding_list_add(struct finding_list *l, struct finding **out)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        struct finding *nv = realloc(l->v, nc * sizeof(*nv));
        if (!nv)
            return DD_ENOMEM;
        l->v = nv;
        l->cap = nc;
    }
    struct finding *f = &l->v[l->n++];
    memset(f, 0, sizeof(*f));
    *out = f;
    return 0;
}

int finding_list_add_error(struct finding_list *l, size_t pkg_index, const char *advisory,
                           const char *msg)
{
    if (l->n_errors == l->cap_errors) {
        size_t nc = l->cap_errors ? l->cap_errors * 2 : 8;
        struct finding_error *nv = realloc(l->errors, nc * sizeof(*nv));
        if (!nv)
            return DD_ENOMEM;
        l->errors = nv;
        l->cap_errors = nc;
    }
    struct finding_error *e = &l->errors[l->n_errors];
    e->pkg_index = pkg_index;
    e->advisory = dd_strdup(advisory);
    e->msg = dd_strdup(msg ? msg : "");
    if ((advisory && !e->advisory) || !e->msg) {
        free(e->advisory);
        free(e->msg);
        return DD_ENOMEM;
    }
    l->n_errors++;
    return 0;
}

static int nstrcmp(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int finding_cmp(const void *pa, const void *pb)
{
    const struct finding *a = pa, *b = pb;
    int r;
    if (a->severity != b->severity)
        return a->severity > b->severity ? -1 : 1;
    if ((r = nstrcmp(a->pkg_name, b->pkg_name)) != 0)
        return r;
    if ((r = nstrcmp(a->installed_version, b->installed_version)) != 0)
        return r;
    if (a->pkg_index != b->pkg_index)
        return a->pkg_index < b->pkg_index ? -1 : 1;
    return nstrcmp(a->id, b->id);
}

/* A run: consecutive findings of one package (the matcher emits a package's findings
 * together), and its place in package order. */
struct pkg_run {
    const struct finding *head; /* its first finding */
    size_t first, n, rank;
};

static int run_cmp(const void *pa, const void *pb)
{
    const struct finding *a = ((const struct pkg_run *)pa)->head;
    const struct finding *b = ((const struct pkg_run *)pb)->head;
    int r;
    if ((r = nstrcmp(a->pkg_name, b->pkg_name)) != 0)
        return r;
    if ((r = nstrcmp(a->installed_version, b->installed_version)) != 0)
        return r;
    return a->pkg_index < b->pkg_index ? -1 : a->pkg_index > b->pkg_index;
}

struct ranked {
    size_t rank; /* of the finding's package (run) */
    struct finding *f;
};

static int ranked_cmp(const void *pa, const void *pb)
{
    const struct ranked *a = pa, *b = pb;
    if (a->f->severity != b->f->severity)
        return a->f->severity > b->f->severity ? -1 : 1;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    return nstrcmp(a->f->id, b->f->id);
}

static bool same_pkg(const struct finding *a, const struct finding *b)
{
    return a->pkg_index == b->pkg_index && nstrcmp(a->pkg_name, b->pkg_name) == 0 &&
           nstrcmp(a->installed_version, b->installed_version) == 0;
}

/* Same order as finding_cmp, cheaper: packages are ranked once (a few hundred string
 * compares), then findings sort on (severity, rank, id). Falls back to the plain sort when
 * memory is short. */
void finding_list_sort(struct finding_list *l)
{
    if (l->n < 2)
        return;
    size_t n_runs = 0;
    for (size_t i = 0; i < l->n; i++)
        n_runs += i == 0 || !same_pkg(&l->v[i - 1], &l->v[i]);
    struct pkg_run *runs = malloc(n_runs * sizeof(*runs));
    struct ranked *rk = malloc(l->n * sizeof(*rk));
    struct finding *out = malloc(l->n * sizeof(*out));
    if (!runs || !rk || !out) {
        free(runs);
        free(rk);
        free(out);
        qsort(l->v, l->n, sizeof(*l->v), finding_cmp);
        return;
    }
    size_t r = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (i == 0 || !same_pkg(&l->v[i - 1], &l->v[i]))
            runs[r++] = (struct pkg_run){&l->v[i], i, 0, 0};
        runs[r - 1].n++;
    }
    qsort(runs, n_runs, sizeof(*runs), run_cmp);
    /* equal packages in two runs (not adjacent in the input) share one rank */
    for (size_t k = 0; k < n_runs; k++) {
        runs[k].rank = k > 0 && run_cmp(&runs[k - 1], &runs[k]) == 0 ? runs[k - 1].rank : k;
        for (size_t i = 0; i < runs[k].n; i++)
            rk[runs[k].first + i] = (struct ranked){runs[k].rank, &l->v[runs[k].first + i]};
    }
    qsort(rk, l->n, sizeof(*rk), ranked_cmp);
    for (size_t i = 0; i < l->n; i++)
        out[i] = *rk[i].f;
    memcpy(l->v, out, l->n * sizeof(*out));
    free(runs);
    free(rk);
    free(out);
}

void finding_list_count(const struct finding_list *l, size_t counts[SEVERITY_CRITICAL + 1])
{
    for (int i = 0; i <= SEVERITY_CRITICAL; i++)
        counts[i] = 0;
    for (size_t i = 0; i < l->n; i++)
        if ((int)l->v[i].severity >= 0 && l->v[i].severity <= SEVERITY_CRITICAL)
            counts[l->v[i].severity]++;
}

int severity_mask_parse(const char *s, unsigned *mask, struct dd_error *err)
{
    static const char *names[] = {"UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"};
    unsigned m = 0;
    if (!s || !mask)
        return dd_error_set(err, DD_EINVAL, "severity list: NULL argument");
    const char *p = s;
    for (;;) {
        size_t n = strcspn(p, ",");
        bool found = false;
        for (unsigned i = 0; i < 5 && n; i++)
            if (strlen(names[i]) == n && strncasecmp(p, names[i], n) == 0) {
                m |= 1u << i;
                found = true;
            }
        if (!found)
            return dd_error_set(err, DD_EPARSE,
                                "severity list: '%.*s' is not one of UNKNOWN, LOW, MEDIUM, "
                                "HIGH, CRITICAL",
                                (int)(n > 64 ? 64 : n), p);
        if (p[n] == '\0')
            break;
        p += n + 1;
    }
    *mask = m;
    return 0;
}

/* ---- ignore file --------------------------------------------------------------------- */

void ignore_list_init(struct ignore_list *l)
{
    memset(l, 0, sizeof(*l));
}

static void rule_cleanup(struct ignore_rule *r)
{
    free(r->id);
    free(r->pkg);
    free(r->expires);
    free(r->reason);
}

void ignore_list_cleanup(struct ignore_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        rule_cleanup(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

/* Days since 1970-01-01 of a proleptic Gregorian date (valid input). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* "YYYY-MM-DD" exactly; *end_s = the first second after that day (UTC). */
static bool parse_date(const char *s, size_t n, int64_t *end_s)
{
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (n != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (size_t i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    unsigned y =
        (unsigned)((s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0'));
    unsigned m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
    unsigned d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
    if (y < 1970 || m < 1 || m > 12 || d < 1)
        return false;
    unsigned lim = mdays[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        lim = 29;
    if (d > lim)
        return false;
    *end_s = (days_from_civil(y, m, d) + 1) * 86400;
    return true;
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

static bool id_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '+' || c == '/' || c == '-';
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t';
}

static int parse_line(const char *line, size_t n, unsigned lineno, struct ignore_rule *r,
                      bool *is_rule, struct dd_error *err)
{
    memset(r, 0, sizeof(*r));
    r->expires_s = -1;
    r->line = lineno;
    *is_rule = false;
    if (!utf8_valid((const unsigned char *)line, n))
        return dd_error_set(err, DD_EPARSE, "line %u: not valid UTF-8", lineno);
    const char *hash = memchr(line, '#', n);
    size_t body = hash ? (size_t)(hash - line) : n;
    size_t i = 0;
    while (i < body && is_ws(line[i]))
        i++;
    if (i == body) {
        /* blank or comment-only */
        for (size_t k = i; k < body; k++)
            if (!is_ws(line[k]))
                return dd_error_set(err, DD_EPARSE, "line %u: unexpected character", lineno);
        return 0;
    }
    int rc = DD_ENOMEM;
    size_t s = i;
    while (i < body && !is_ws(line[i])) {
        if (!id_char(line[i])) {
            rc = dd_error_set(err, DD_EPARSE, "line %u: character 0x%02x not allowed in an ID",
                              lineno, (unsigned char)line[i]);
            goto fail;
        }
        i++;
    }
    if (i - s > IGNORE_MAX_ID) {
        rc =
            dd_error_set(err, DD_EPARSE, "line %u: ID longer than %d bytes", lineno, IGNORE_MAX_ID);
        goto fail;
    }
    if ((r->id = dd_strndup(line + s, i - s)) == NULL)
        goto fail;
    for (;;) {
        while (i < body && is_ws(line[i]))
            i++;
        if (i == body)
            break;
        s = i;
        while (i < body && !is_ws(line[i]))
            i++;
        const char *tok = line + s;
        size_t tn = i - s;
        if (tn > 4 && strncmp(tok, "exp:", 4) == 0) {
            if (r->expires) {
                rc = dd_error_set(err, DD_EPARSE, "line %u: more than one exp:", lineno);
                goto fail;
            }
            if (!parse_date(tok + 4, tn - 4, &r->expires_s)) {
                rc = dd_error_set(err, DD_EPARSE,
                                  "line %u: bad expiry date '%.*s' (want exp:YYYY-MM-DD)", lineno,
                                  (int)(tn > 40 ? 40 : tn), tok);
                goto fail;
            }
            if ((r->expires = dd_strndup(tok + 4, tn - 4)) == NULL)
                goto fail;
        } else if (tn > 4 && strncmp(tok, "pkg:", 4) == 0) {
            if (r->pkg) {
                rc = dd_error_set(err, DD_EPARSE, "line %u: more than one pkg:", lineno);
                goto fail;
            }
            if (tn - 4 > 256) {
                rc = dd_error_set(err, DD_EPARSE, "line %u: package name too long", lineno);
                goto fail;
            }
            if ((r->pkg = dd_strndup(tok + 4, tn - 4)) == NULL)
                goto fail;
        } else {
            rc = dd_error_set(err, DD_EPARSE,
                              "line %u: unknown option '%.*s' (exp:YYYY-MM-DD, pkg:NAME, "
                              "or # reason)",
                              lineno, (int)(tn > 40 ? 40 : tn), tok);
            goto fail;
        }
    }
    if (hash) {
        const char *a = hash + 1, *b = line + n;
        while (a < b && is_ws(*a))
            a++;
        while (b > a && is_ws(b[-1]))
            b--;
        if (b > a && (r->reason = dd_strndup(a, (size_t)(b - a))) == NULL)
            goto fail;
    }
    *is_rule = true;
    return 0;
fail:
    if (rc == DD_ENOMEM)
        dd_error_set(err, DD_ENOMEM, "out of memory");
    rule_cleanup(r);
    memset(r, 0, sizeof(*r));
    return rc;
}

int ignore_list_parse(const char *text, size_t len, struct ignore_list *out, struct dd_error *err)
{
    struct ignore_list l;
    ignore_list_init(&l);
    int rc = 0;
    if (!out || (!text && len))
        return dd_error_set(err, DD_EINVAL, "ignore file: NULL argument");
    if (len > IGNORE_MAX_FILE_BYTES)
        return dd_error_set(err, DD_ETOOBIG, "ignore file: %zu bytes (cap %u)", len,
                            IGNORE_MAX_FILE_BYTES);
    if (len && memchr(text, '\0', len))
        return dd_error_set(err, DD_EPARSE, "ignore file: contains a NUL byte");
    size_t pos = 0;
    unsigned lineno = 0;
    /* skip a UTF-8 byte order mark */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        lineno++;
        const char *line = text + pos;
        pos += n + (nl ? 1 : 0);
        if (n && line[n - 1] == '\r')
            n--;
        if (n > IGNORE_MAX_LINE) {
            rc = dd_error_set(err, DD_ETOOBIG, "line %u: longer than %d bytes", lineno,
                              IGNORE_MAX_LINE);
            goto fail;
        }
        struct ignore_rule r;
        bool is_rule;
        if ((rc = parse_line(line, n, lineno, &r, &is_rule, err)) != 0)
            goto fail;
        if (!is_rule)
            continue;
        if (l.n >= IGNORE_MAX_RULES) {
            rule_cleanup(&r);
            rc = dd_error_set(err, DD_ELIMIT, "line %u: more than %d rules", lineno,
                              IGNORE_MAX_RULES);
            goto fail;
        }
        if (l.n == l.cap) {
            size_t nc = l.cap ? l.cap * 2 : 16;
            struct ignore_rule *nv = realloc(l.v, nc * sizeof(*nv));
            if (!nv) {
                rule_cleanup(&r);
                rc = dd_error_set(err, DD_ENOMEM, "out of memory");
                goto fail;
            }
            l.v = nv;
            l.cap = nc;
        }
        l.v[l.n++] = r;
    }
    *out = l;
    return 0;
fail:
    ignore_list_cleanup(&l);
    return rc;
}

int ignore_list_load(const char *path, struct ignore_list *out, struct dd_error *err)
{
    char *buf = NULL;
    size_t n = 0;
    int rc = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return dd_error_set(err, DD_ENOTFOUND, "%s: no such file", path);
        return dd_error_set(err, -errno, "%s: %s", path, strerror(errno));
    }
    buf = malloc(IGNORE_MAX_FILE_BYTES + 1);
    if (!buf) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    n = fread(buf, 1, IGNORE_MAX_FILE_BYTES + 1, f);
    if (ferror(f)) {
        rc = dd_error_set(err, DD_EIO, "%s: read error", path);
        goto out;
    }
    if (n > IGNORE_MAX_FILE_BYTES) {
        rc = dd_error_set(err, DD_ETOOBIG, "%s: larger than %u bytes", path, IGNORE_MAX_FILE_BYTES);
        goto out;
    }
    rc = ignore_list_parse(buf, n, out, err);
    if (rc)
        dd_error_prefix(err, "%s: ", path);
out:
    free(buf);
    fclose(f);
    return rc;
}

const struct ignore_rule *ignore_list_match(const struct ignore_list *l, const struct finding *f,
                                            const char *src_name, int64_t now_s)
{
    if (!l || !f)
        return NULL;
    for (size_t i = 0; i < l->n; i++) {
        const struct ignore_rule *r = &l->v[i];
        if (r->expires_s >= 0 && now_s >= r->expires_s)
            continue;
        if (r->pkg && nstrcmp(r->pkg, f->pkg_name) != 0 && nstrcmp(r->pkg, f->matched_name) != 0 &&
            (!src_name || strcmp(r->pkg, src_name) != 0))
            continue;
        bool hit = f->id && strcasecmp(r->id, f->id) == 0;
        for (size_t k = 0; !hit && k < f->n_aliases; k++)
            hit = strcasecmp(r->id, f->aliases[k]) == 0;
        if (hit)
            return r;
    }
    return NULL;
}

size_t finding_list_filter(struct finding_list *l, const struct finding_filter *flt,
                           const char *const *src_names, size_t n_src_names)
{
    size_t w = 0, removed = 0;
    for (size_t i = 0; i < l->n; i++) {
        struct finding *f = &l->v[i];
        bool drop = false;
        if (flt->severity_mask && !(flt->severity_mask & (1u << f->severity)))
            drop = true;
        if (flt->ignore_unfixed && f->status != VULN_STATUS_FIXED)
            drop = true;
        if (!drop && flt->ignores) {
            const char *src =
                src_names && f->pkg_index < n_src_names ? src_names[f->pkg_index] : NULL;
            drop = ignore_list_match(flt->ignores, f, src, flt->now_s) != NULL;
        }
        if (drop) {
            finding_cleanup(f);
            removed++;
        } else {
            if (w != i)
                l->v[w] = *f;
            w++;
        }
    }
    l->n = w;
    return removed;
}
