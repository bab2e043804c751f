/* version_composer.c - Packagist versions: composer/semver's VersionParser::normalize()
 * followed by Comparator (PHP's version_compare() on the normalised strings).
 *
 * normalize() (composer/semver 3.3):
 *   trim; "A as B" -> A; strip "@stable|@RC|@beta|@alpha|@dev"; master/trunk/default ->
 *   dev-<name>; "dev-*" stays a branch; strip "+build";
 *   classical  v?N{1,5}(.N)?(.N)?(.N)? + modifier  -> "N.N.N.N[-stab[nums]][-dev]"
 *   date-based v?NNNN([.:-]?NN){1,6}([.:-]?N{1,3})? + modifier -> digits joined by '.'
 *   modifier   [._-]?((stable|beta|b|RC|alpha|a|patch|pl|p)(([.-]?N)*))?([.-]?dev)?
 *              (a -> alpha, b -> beta, p/pl -> patch, rc -> RC; "stable" drops it all)
 *   "<numeric branch>[.-]dev", e.g. "2.1.x-dev" -> "2.1.9999999.9999999-dev"
 *   anything else is an invalid version.
 * The regular expressions are matched by hand in the order PCRE would try them.
 *
 * version_compare(): canonicalise ('-', '_', '+' and other non-alphanumerics become '.', a
 * '.' is inserted between digits and non-digits), then compare part by part: numbers by
 * value (as C long, saturating), names by their special-form rank
 *   unknown < dev < alpha = a < beta = b < RC = rc < number < pl = p  (prefix match)
 * and when one side runs out, the rest of the other decides (a number means newer, a name
 * is ranked against a number).
 *
 * Comparator: two different "dev-" branches have no order; we report that as DD_EPARSE
 * rather than inventing one. A branch against a version uses version_compare().
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "version.h"
#include "version_int.h"

#define NORM_MAX (VERSION_MAX_LEN + 64) /* normalised length: input + padding/expansions */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
    return is_digit(c) || is_alpha(c);
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* PCRE \s */
static bool is_pspace(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool ieq_prefix(const char *s, size_t n, const char *w)
{
    size_t l = strlen(w);
    if (n < l)
        return false;
    for (size_t k = 0; k < l; k++)
        if (lower(s[k]) != lower(w[k]))
            return false;
    return true;
}

/* --- PHP version_compare ------------------------------------------------------------------ */

static bool isdig(char c)
{
    return is_digit(c) && c != '.';
}

static bool isndig(char c)
{
    return !is_digit(c) && c != '.';
}

static void php_canonicalize(const char *v, char *out)
{
    size_t q = 0;
    if (*v == '\0') {
        out[0] = '\0';
        return;
    }
    char lp = *v;
    out[q++] = *v++;
    for (; *v != '\0'; v++) {
        char c = *v, lq = out[q - 1];
        if (c == '-' || c == '_' || c == '+') {
            if (lq != '.')
                out[q++] = '.';
        } else if ((isndig(lp) && isdig(c)) || (isdig(lp) && isndig(c))) {
            if (lq != '.')
                out[q++] = '.';
            out[q++] = c;
        } else if (!is_alnum(c)) {
            if (lq != '.')
                out[q++] = '.';
        } else {
            out[q++] = c;
        }
        lp = c;
    }
    out[q] = '\0';
}

static int special_form(const char *f)
{
    static const struct {
        const char *name;
        int order;
    } FORMS[] = {{"dev", 0}, {"alpha", 1}, {"a", 1}, {"beta", 2}, {"b", 2},
                 {"RC", 3},  {"rc", 3},    {"#", 4}, {"pl", 5},   {"p", 5}};
    for (size_t k = 0; k < sizeof(FORMS) / sizeof(FORMS[0]); k++)
        if (strncmp(f, FORMS[k].name, strlen(FORMS[k].name)) == 0)
            return FORMS[k].order;
    return -1;
}

static int special_cmp(const char *a, const char *b)
{
    int x = special_form(a), y = special_form(b);
    return x < y ? -1 : (x > y ? 1 : 0);
}

static long php_strtol(const char *s)
{
    long v = 0;
    for (; is_digit(*s); s++) {
        int d = *s - '0';
        if (v > (LONG_MAX - d) / 10)
            return LONG_MAX;
        v = v * 10 + d;
    }
    return v;
}

static int php_version_compare(const char *o1, const char *o2)
{
    if (*o1 == '\0' || *o2 == '\0') {
        if (*o1 == '\0' && *o2 == '\0')
            return 0;
        return *o1 ? 1 : -1;
    }
    char b1[2 * NORM_MAX + 1], b2[2 * NORM_MAX + 1];
    if (o1[0] == '#')
        snprintf(b1, sizeof(b1), "%s", o1);
    else
        php_canonicalize(o1, b1);
    if (o2[0] == '#')
        snprintf(b2, sizeof(b2), "%s", o2);
    else
        php_canonicalize(o2, b2);
    char *p1 = b1, *p2 = b2, *n1 = b1, *n2 = b2;
    int compare = 0;
    while (*p1 && *p2 && n1 && n2) {
        if ((n1 = strchr(p1, '.')) != NULL)
            *n1 = '\0';
        if ((n2 = strchr(p2, '.')) != NULL)
            *n2 = '\0';
        if (is_digit(*p1) && is_digit(*p2)) {
            long l1 = php_strtol(p1), l2 = php_strtol(p2);
            compare = l1 < l2 ? -1 : (l1 > l2 ? 1 : 0);
        } else if (!is_digit(*p1) && !is_digit(*p2)) {
            compare = special_cmp(p1, p2);
        } else if (is_digit(*p1)) {
            compare = special_cmp("#N#", p2);
        } else {
            compare = special_cmp(p1, "#N#");
        }
        if (compare != 0)
            break;
        if (n1 != NULL)
            p1 = n1 + 1;
        if (n2 != NULL)
            p2 = n2 + 1;
    }
    if (compare == 0) {
        if (n1 != NULL)
            compare = is_digit(*p1) ? 1 : php_version_compare(p1, "#N#");
        else if (n2 != NULL)
            compare = is_digit(*p2) ? -1 : php_version_compare("#N#", p2);
    }
    return compare;
}

/* --- VersionParser::normalize -------------------------------------------------------------- */

struct modifier {
    const char *stab; /* NULL: none */
    size_t stab_len;
    const char *nums;
    size_t nums_len;
    bool dev;
};

/* Full match of the modifier regex on s[0..n), trying choices in PCRE's order. */
static bool match_modifier(const char *s, size_t n, struct modifier *m)
{
    static const char *const STABS[] = {"stable", "beta",  "b",  "RC", "alpha",
                                        "a",      "patch", "pl", "p"};
    bool has_sep = n > 0 && (s[0] == '.' || s[0] == '_' || s[0] == '-');
    for (int use_sep = has_sep ? 1 : 0; use_sep >= 0; use_sep--) {
        size_t i0 = (size_t)use_sep;
        for (int k = 0; k <= 9; k++) {
            size_t i = i0;
            memset(m, 0, sizeof(*m));
            if (k < 9) {
                if (!ieq_prefix(s + i, n - i, STABS[k]))
                    continue;
                m->stab = s + i;
                m->stab_len = strlen(STABS[k]);
                i += m->stab_len;
                size_t ns = i;
                for (;;) {
                    size_t j = i;
                    if (j < n && (s[j] == '.' || s[j] == '-'))
                        j++;
                    if (j < n && is_digit(s[j])) {
                        while (j < n && is_digit(s[j]))
                            j++;
                        i = j;
                    } else {
                        break;
                    }
                }
                m->nums = s + ns;
                m->nums_len = i - ns;
            }
            /* ([.-]?dev)? then end */
            if (i + 4 == n && (s[i] == '.' || s[i] == '-') && ieq_prefix(s + i + 1, 3, "dev")) {
                m->dev = true;
                return true;
            }
            if (i + 3 == n && ieq_prefix(s + i, 3, "dev")) {
                m->dev = true;
                return true;
            }
            if (i == n)
                return true;
        }
    }
    return false;
}

/* Full match of \d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})? on s[0..n): the set of
 * positions reachable after each repetition, then the optional tail. */
static bool is_dsep(char c)
{
    return c == '.' || c == ':' || c == '-';
}

static bool match_date(const char *s, size_t n)
{
    enum { MAXP = 40 };
    if (n < 6 || n >= MAXP)
        return false;
    for (size_t k = 0; k < 4; k++)
        if (!is_digit(s[k]))
            return false;
    bool cur[MAXP] = {false}, any[MAXP] = {false};
    cur[4] = true;
    for (int rep = 0; rep < 6; rep++) {
        bool nxt[MAXP] = {false};
        for (size_t p = 0; p < n; p++) {
            if (!cur[p])
                continue;
            size_t q = is_dsep(s[p]) ? p + 1 : p;
            if (q + 2 <= n && is_digit(s[q]) && is_digit(s[q + 1]))
                nxt[q + 2] = true;
        }
        memcpy(cur, nxt, sizeof(cur));
        for (size_t p = 0; p <= n; p++)
            any[p] = any[p] || cur[p];
    }
    if (any[n])
        return true;
    for (size_t p = 0; p < n; p++) {
        if (!any[p])
            continue;
        size_t q = is_dsep(s[p]) ? p + 1 : p;
        if (n <= q || n - q > 3)
            continue;
        bool all = true;
        for (size_t r = q; r < n; r++)
            all = all && is_digit(s[r]);
        if (all)
            return true;
    }
    return false;
}

static bool append(char *out, size_t *o, const char *s, size_t n)
{
    if (*o + n >= NORM_MAX)
        return false;
    memcpy(out + *o, s, n);
    *o += n;
    out[*o] = '\0';
    return true;
}

static bool append_modifier(char *out, size_t *o, const struct modifier *m, bool *done)
{
    *done = false;
    if (m->stab != NULL) {
        if (m->stab_len == 6 && memcmp(m->stab, "stable", 6) == 0) {
            *done = true; /* case-sensitive, as PHP's === */
            return true;
        }
        char st[8];
        for (size_t k = 0; k < m->stab_len; k++)
            st[k] = lower(m->stab[k]);
        st[m->stab_len] = '\0';
        const char *ex = st;
        if (strcmp(st, "a") == 0)
            ex = "alpha";
        else if (strcmp(st, "b") == 0)
            ex = "beta";
        else if (strcmp(st, "p") == 0 || strcmp(st, "pl") == 0)
            ex = "patch";
        else if (strcmp(st, "rc") == 0)
            ex = "RC";
        const char *nums = m->nums;
        size_t nl = m->nums_len;
        while (nl > 0 && (*nums == '.' || *nums == '-')) {
            nums++;
            nl--;
        }
        if (!append(out, o, "-", 1) || !append(out, o, ex, strlen(ex)) || !append(out, o, nums, nl))
            return false;
    }
    if (m->dev && !append(out, o, "-dev", 4))
        return false;
    return true;
}

/* normalizeBranch() for the numeric form only; false when it would return "dev-...". */
static bool normalize_branch(const char *s, size_t n, char *out)
{
    while (n > 0 &&
           (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\0')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r' ||
                     s[n - 1] == '\v'))
        n--;
    size_t i = 0, o = 0;
    out[0] = '\0';
    if (i < n && lower(s[i]) == 'v')
        i++;
    size_t st = i;
    while (i < n && is_digit(s[i]))
        i++;
    if (i == st || !append(out, &o, s + st, i - st))
        return false;
    int parts = 1;
    while (i < n) {
        if (parts == 4 || s[i] != '.' || i + 1 >= n)
            return false;
        i++;
        if (s[i] == 'x' || s[i] == 'X' || s[i] == '*') {
            if (!append(out, &o, ".9999999", 8))
                return false;
            i++;
        } else {
            st = i;
            while (i < n && is_digit(s[i]))
                i++;
            if (i == st || !append(out, &o, ".", 1) || !append(out, &o, s + st, i - st))
                return false;
        }
        parts++;
    }
    for (; parts < 4; parts++)
        if (!append(out, &o, ".9999999", 8))
            return false;
    return append(out, &o, "-dev", 4);
}

static int composer_normalize(const char *orig, char *out, struct dd_error *err)
{
    const char *s = orig;
    size_t n = strlen(s);
    /* PHP trim(): " \t\n\r\0\x0B" */
    while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r' ||
                     s[n - 1] == '\v'))
        n--;
    size_t o = 0;
    out[0] = '\0';

    /* "A as B": A and B free of ',' and whitespace, separated by " +as +". */
    {
        size_t a = 0;
        while (a < n && s[a] != ',' && !is_pspace(s[a]))
            a++;
        size_t k = a;
        while (k < n && s[k] == ' ')
            k++;
        if (a > 0 && k > a && k + 2 < n && s[k] == 'a' && s[k + 1] == 's' && s[k + 2] == ' ') {
            size_t b = k + 2;
            while (b < n && s[b] == ' ')
                b++;
            size_t e = b;
            while (e < n && s[e] != ',' && !is_pspace(s[e]))
                e++;
            if (e > b && e == n)
                n = a;
        }
    }
    /* @stability flag */
    {
        static const char *const FLAGS[] = {"@stable", "@RC", "@beta", "@alpha", "@dev"};
        for (size_t k = 0; k < 5; k++) {
            size_t l = strlen(FLAGS[k]);
            if (n >= l && ieq_prefix(s + n - l, l, FLAGS[k])) {
                n -= l;
                break;
            }
        }
    }
    if ((n == 6 && memcmp(s, "master", 6) == 0) || (n == 5 && memcmp(s, "trunk", 5) == 0) ||
        (n == 7 && memcmp(s, "default", 7) == 0)) {
        if (!append(out, &o, "dev-", 4) || !append(out, &o, s, n))
            goto bad;
        return 0;
    }
    if (ieq_prefix(s, n, "dev-")) {
        if (!append(out, &o, "dev-", 4) || !append(out, &o, s + 4, n - 4))
            goto bad;
        return 0;
    }
    /* +build metadata */
    {
        size_t a = 0;
        while (a < n && s[a] != ',' && s[a] != '+' && !is_pspace(s[a]))
            a++;
        if (a > 0 && a + 1 < n && s[a] == '+') {
            bool ok = true;
            for (size_t k = a + 1; k < n; k++)
                ok = ok && !is_pspace(s[k]);
            if (ok)
                n = a;
        }
    }
    struct modifier m;
    bool done = false;
    /* classical */
    {
        size_t i = 0;
        if (i < n && lower(s[i]) == 'v')
            i++;
        size_t st = i;
        while (i < n && is_digit(s[i]))
            i++;
        size_t ml = i - st;
        if (ml >= 1 && ml <= 5) {
            if (!append(out, &o, s + st, ml))
                goto bad;
            int parts = 1;
            while (parts < 4 && i + 1 < n && s[i] == '.' && is_digit(s[i + 1])) {
                size_t ps = i++;
                while (i < n && is_digit(s[i]))
                    i++;
                if (!append(out, &o, s + ps, i - ps))
                    goto bad;
                parts++;
            }
            for (; parts < 4; parts++)
                if (!append(out, &o, ".0", 2))
                    goto bad;
            if (match_modifier(s + i, n - i, &m)) {
                size_t keep = o;
                if (!append_modifier(out, &o, &m, &done))
                    goto bad;
                if (done)
                    out[keep] = '\0';
                return 0;
            }
        }
        o = 0;
        out[0] = '\0';
    }
    /* date-based */
    {
        size_t i = 0;
        if (i < n && lower(s[i]) == 'v')
            i++;
        size_t e = i;
        while (e < n && (is_digit(s[e]) || s[e] == '.' || s[e] == ':' || s[e] == '-'))
            e++;
        /* The date part ends on a digit; try each end from the longest. */
        for (size_t end = e; end > i; end--) {
            if (!is_digit(s[end - 1]) || !match_date(s + i, end - i))
                continue;
            if (!match_modifier(s + end, n - end, &m))
                continue;
            for (size_t k = i; k < end; k++) {
                char c = is_digit(s[k]) ? s[k] : '.';
                if (!append(out, &o, &c, 1))
                    goto bad;
            }
            size_t keep = o;
            if (!append_modifier(out, &o, &m, &done))
                goto bad;
            if (done)
                out[keep] = '\0';
            return 0;
        }
        o = 0;
        out[0] = '\0';
    }
    /* numeric branch: (.*?)[.-]?dev$ */
    if (n >= 3 && ieq_prefix(s + n - 3, 3, "dev")) {
        size_t pl = n - 3;
        if (pl > 0 && (s[pl - 1] == '.' || s[pl - 1] == '-'))
            pl--;
        if (normalize_branch(s, pl, out))
            return 0;
    }
bad:
    return vers_fail(err, "Composer", orig, NULL);
}

static bool is_branch(const char *v)
{
    return strncmp(v, "dev-", 4) == 0;
}

int vers_composer_cmp(const char *a, const char *b, int *cmp, struct dd_error *err)
{
    char na[NORM_MAX], nb[NORM_MAX];
    int rc = composer_normalize(a, na, err);
    if (rc != 0 || b == NULL)
        return rc;
    rc = composer_normalize(b, nb, err);
    if (rc != 0)
        return rc;
    if (is_branch(na) && is_branch(nb)) {
        if (strcmp(na, nb) != 0)
            return dd_error_set(err, DD_EPARSE,
                                "Composer dev branches '%.100s' and '%.100s' "
                                "have no order",
                                na, nb);
        *cmp = 0;
        return 0;
    }
    *cmp = php_version_compare(na, nb);
    return 0;
}
