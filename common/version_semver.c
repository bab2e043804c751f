/* version_semver.c - SemVer 2.0.0 (npm, crates.io, Hex, Pub, Bitnami), Go module versions
 * and NuGet versions: three dialects of "numbers, then -prerelease, then +build".
 *
 * SemVer: the strict grammar of semver.org 2.0.0. MAJOR.MINOR.PATCH without leading zeros,
 * optional -prerelease (dot-separated [0-9A-Za-z-]+, numeric identifiers without leading
 * zeros) and +build (ignored in precedence). As node-semver's strict mode, one leading 'v' is
 * accepted and strings longer than 256 bytes are rejected; its loose forms ("=1.2.3",
 * "1.2.3beta", leading zeros) are rejected. Unlike node-semver, numbers of any size are
 * compared exactly, as the specification says (node refuses numbers above 2^53).
 *
 * Go: golang.org/x/mod/semver. "vMAJOR[.MINOR[.PATCH[-pre][+build]]]"; the shorthands "v1"
 * and "v1.2" mean v1.0.0 / v1.2.0. The 'v' may be absent, as in OSV's Go records.
 * Pseudo-versions (v0.0.0-20210101000000-abcdef123456) are ordinary prereleases and
 * "+incompatible" is build metadata, so both need no special case.
 *
 * NuGet: NuGetVersion with the default comparer. 1 to 4 numeric parts (each 0..2^31-1,
 * leading zeros allowed, missing parts are 0), -release labels compared case-insensitively
 * (labels that parse as a 32-bit integer compare numerically and sort before text), +metadata
 * ignored.
 */
#include <stdbool.h>
#include <string.h>

#include "version_int.h"

#define SEMVER_MAX_LEN 256 /* node-semver's MAX_LENGTH */

struct span {
    const char *p;
    size_t n;
};

struct sv {
    struct span num[4]; /* missing parts have n == 0 and mean 0 */
    int nnum;
    struct span pre; /* p == NULL: no prerelease */
    struct span build;
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_ident(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

static int nuget_label_cmp(const char *x, size_t xn, const char *y, size_t yn);

/* Dot-separated identifiers of [0-9A-Za-z-]+ in s[0..n); numeric ones may not have leading
 * zeros when no_lead_zero. */
static bool idents_ok(const char *s, size_t n, bool no_lead_zero)
{
    if (n == 0)
        return false;
    size_t i = 0;
    while (i <= n) {
        size_t st = i;
        bool numeric = true;
        while (i < n && s[i] != '.') {
            if (!is_ident(s[i]))
                return false;
            if (!is_digit(s[i]))
                numeric = false;
            i++;
        }
        if (i == st)
            return false;
        if (no_lead_zero && numeric && i - st > 1 && s[st] == '0')
            return false;
        i++;
    }
    return true;
}

/* Number without leading zeros: "0" | [1-9][0-9]*. Returns its length, 0 if none. */
static size_t strict_num(const char *s)
{
    if (!is_digit(s[0]))
        return 0;
    if (s[0] == '0')
        return 1;
    size_t i = 0;
    while (is_digit(s[i]))
        i++;
    return i;
}

/* Parse "-pre+build" tail starting at s; fills v->pre and v->build. */
static bool parse_tail(const char *s, struct sv *v, bool pre_no_lead_zero)
{
    const char *plus = strchr(s, '+');
    size_t pre_end = plus ? (size_t)(plus - s) : strlen(s);
    if (s[0] == '-') {
        if (!idents_ok(s + 1, pre_end - 1, pre_no_lead_zero))
            return false;
        v->pre.p = s + 1;
        v->pre.n = pre_end - 1;
    } else if (pre_end != 0) {
        return false;
    }
    if (plus != NULL) {
        if (!idents_ok(plus + 1, strlen(plus + 1), false))
            return false;
        v->build.p = plus + 1;
        v->build.n = strlen(plus + 1);
    }
    return true;
}

/* SemVer / Go. go_short allows "v1" and "v1.2". */
static bool sv_parse(const char *s, struct sv *v, bool go_short)
{
    memset(v, 0, sizeof(*v));
    if (s[0] == 'v')
        s++;
    for (int k = 0; k < 3; k++) {
        if (k > 0) {
            if (go_short && s[0] == '\0') {
                v->nnum = 3;
                return true;
            }
            if (s[0] != '.')
                return false;
            s++;
        }
        size_t n = strict_num(s);
        if (n == 0)
            return false;
        v->num[k].p = s;
        v->num[k].n = n;
        s += n;
    }
    v->nnum = 3;
    return parse_tail(s, v, true);
}

/* Compare dot-separated prerelease identifiers: numeric < alphanumeric, numeric by value,
 * text byte-wise (or case-insensitively when nocase), fewer fields first. */
static int pre_cmp(struct span a, struct span b, bool nuget)
{
    size_t i = 0, j = 0;
    for (;;) {
        bool ea = i > a.n, eb = j > b.n;
        if (ea || eb)
            return ea && eb ? 0 : (ea ? -1 : 1);
        size_t i0 = i, j0 = j;
        while (i < a.n && a.p[i] != '.')
            i++;
        while (j < b.n && b.p[j] != '.')
            j++;
        const char *x = a.p + i0, *y = b.p + j0;
        size_t xn = i - i0, yn = j - j0;
        int c;
        if (nuget) {
            c = nuget_label_cmp(x, xn, y, yn);
        } else {
            bool xd = true, yd = true;
            for (size_t k = 0; k < xn; k++)
                xd = xd && is_digit(x[k]);
            for (size_t k = 0; k < yn; k++)
                yd = yd && is_digit(y[k]);
            if (xd && yd)
                c = vers_numcmp(x, xn, y, yn);
            else if (xd != yd)
                c = xd ? -1 : 1;
            else
                c = vers_bytecmp(x, xn, y, yn);
        }
        if (c != 0)
            return c;
        i++;
        j++;
    }
}

static int sv_cmp(const struct sv *a, const struct sv *b, bool nuget)
{
    for (int k = 0; k < 4; k++) {
        int c = vers_numcmp(a->num[k].p, a->num[k].n, b->num[k].p, b->num[k].n);
        if (c != 0)
            return c;
    }
    if (a->pre.p == NULL || b->pre.p == NULL) {
        if (a->pre.p == NULL && b->pre.p == NULL)
            return 0;
        return a->pre.p == NULL ? 1 : -1;
    }
    return pre_cmp(a->pre, b->pre, nuget);
}

static int semver_parse(const char *s, struct sv *v, struct dd_error *err)
{
    if (strlen(s) > SEMVER_MAX_LEN)
        return vers_fail(err, "SemVer", s, "longer than 256 bytes");
    if (!sv_parse(s, v, false))
        return vers_fail(err, "SemVer", s, NULL);
    return 0;
}

int vers_semver_cmp(const char *a, const char *b, int *cmp, struct dd_error *err)
{
    struct sv va, vb;
    int rc = semver_parse(a, &va, err);
    if (rc != 0 || b == NULL)
        return rc;
    rc = semver_parse(b, &vb, err);
    if (rc != 0)
        return rc;
    *cmp = sv_cmp(&va, &vb, false);
    return 0;
}

static int go_parse(const char *s, struct sv *v, struct dd_error *err)
{
    if (!sv_parse(s, v, true))
        return vers_fail(err, "Go module", s, NULL);
    return 0;
}

int vers_go_cmp(const char *a, const char *b, int *cmp, struct dd_error *err)
{
    struct sv va, vb;
    int rc = go_parse(a, &va, err);
    if (rc != 0 || b == NULL)
        return rc;
    rc = go_parse(b, &vb, err);
    if (rc != 0)
        return rc;
    *cmp = sv_cmp(&va, &vb, false);
    return 0;
}

/* --- NuGet ------------------------------------------------------------------------------- */

/* int.TryParse on a label of [0-9A-Za-z-]: optional '-', digits, within int32. */
static bool nuget_int(const char *s, size_t n, long long *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && s[i] == '-') {
        neg = true;
        i++;
    }
    if (i == n)
        return false;
    long long v = 0;
    for (; i < n; i++) {
        if (!is_digit(s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
        if (v > 2147483648LL)
            return false;
    }
    if (!neg && v > 2147483647LL)
        return false;
    *out = neg ? -v : v;
    return true;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int nuget_label_cmp(const char *x, size_t xn, const char *y, size_t yn)
{
    long long xv = 0, yv = 0;
    bool xd = nuget_int(x, xn, &xv), yd = nuget_int(y, yn, &yv);
    if (xd && yd)
        return xv < yv ? -1 : (xv > yv ? 1 : 0);
    if (xd != yd)
        return xd ? -1 : 1;
    size_t n = xn < yn ? xn : yn;
    for (size_t k = 0; k < n; k++) {
        char cx = lower(x[k]), cy = lower(y[k]);
        if (cx != cy)
            return (unsigned char)cx < (unsigned char)cy ? -1 : 1;
    }
    return xn < yn ? -1 : (xn > yn ? 1 : 0);
}

static int nuget_parse(const char *s, struct sv *v, struct dd_error *err)
{
    memset(v, 0, sizeof(*v));
    const char *p = s;
    for (int k = 0; k < 4; k++) {
        size_t n = 0;
        long long val = 0;
        while (is_digit(p[n])) {
            val = val * 10 + (p[n] - '0');
            if (val > 2147483647LL)
                return vers_fail(err, "NuGet", s, "number too large");
            n++;
        }
        if (n == 0)
            return vers_fail(err, "NuGet", s, NULL);
        v->num[k].p = p;
        v->num[k].n = n;
        v->nnum = k + 1;
        p += n;
        if (*p != '.')
            break;
        p++;
        if (k == 3)
            return vers_fail(err, "NuGet", s, "more than 4 parts");
    }
    if (!parse_tail(p, v, false))
        return vers_fail(err, "NuGet", s, NULL);
    return 0;
}

int vers_nuget_cmp(const char *a, const char *b, int *cmp, struct dd_error *err)
{
    struct sv va, vb;
    int rc = nuget_parse(a, &va, err);
    if (rc != 0 || b == NULL)
        return rc;
    rc = nuget_parse(b, &vb, err);
    if (rc != 0)
        return rc;
    *cmp = sv_cmp(&va, &vb, true);
    return 0;
}
