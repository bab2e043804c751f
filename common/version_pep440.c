/* version_pep440.c - Python versions, PEP 440, compared as packaging.version.Version does.
 *
 *   [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]
 *
 * Parsing accepts exactly what packaging's VERSION_PATTERN accepts (case-insensitively,
 * surrounded by optional whitespace): a leading 'v'; alternative spellings of the pre-release
 * label (alpha, beta, c, pre, preview), of post-releases (rev, r, and "-N"); '-', '_' or '.'
 * separators before and after each label; implicit numbers ("1.0a" = 1.0a0, "1.0.post" =
 * 1.0.post0). The pattern is matched greedily by hand; PEP 440's grammar makes the greedy
 * reading the only one (a label never starts with a digit, a number never follows a
 * separator that the next part could have used).
 *
 * Comparison key, as packaging's _cmpkey: epoch; release with trailing zeros dropped; pre
 * (a < b < rc, a bare .devN release sorts before every pre-release, no pre = +inf); post
 * (none = -inf); dev (none = +inf); local (none = -inf; segments compare numerically when
 * all digits, else as lower-case text, text < number, shorter first). Numbers of any size
 * compare by value.
 */
#include <stdbool.h>
#include <string.h>

#include "version_int.h"

#define PEP_MAX_RELEASE 512 /* release components; VERSION_MAX_LEN bounds it anyway */

struct num {
    const char *p;
    size_t n;
};

struct pep {
    struct num epoch;
    struct num rel[PEP_MAX_RELEASE];
    int nrel;
    int pre_l; /* -1 none, 0 a, 1 b, 2 rc */
    struct num pre_n;
    bool has_post;
    struct num post_n;
    bool has_dev;
    struct num dev_n;
    const char *local; /* NULL: none */
    size_t local_len;
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool is_alnum_lc(char c)
{
    c = lower(c);
    return is_digit(c) || (c >= 'a' && c <= 'z');
}

/* Python's str whitespace in the ASCII range. */
static bool is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static bool is_sep(char c)
{
    return c == '-' || c == '_' || c == '.';
}

/* Case-insensitive prefix match of word at s[i..n). */
static bool word_at(const char *s, size_t n, size_t i, const char *w)
{
    size_t l = strlen(w);
    if (n - i < l)
        return false;
    for (size_t k = 0; k < l; k++)
        if (lower(s[i + k]) != w[k])
            return false;
    return true;
}

static size_t digits(const char *s, size_t n, size_t i, struct num *out)
{
    size_t j = i;
    while (j < n && is_digit(s[j]))
        j++;
    out->p = s + i;
    out->n = j - i;
    return j - i;
}

/* Optional separator, then optional number; greedy (see the top comment). */
static size_t sep_num(const char *s, size_t n, size_t i, struct num *out)
{
    size_t j = i;
    if (j < n && is_sep(s[j]))
        j++;
    out->p = "0";
    out->n = 1;
    struct num d;
    if (digits(s, n, j, &d) > 0) {
        *out = d;
        j += d.n;
    }
    return j;
}

static int pep_parse(const char *str, struct pep *v, struct dd_error *err)
{
    size_t n = strlen(str);
    const char *s = str;
    while (n > 0 && is_space(s[0])) {
        s++;
        n--;
    }
    while (n > 0 && is_space(s[n - 1]))
        n--;
    /* every field but the release array (filled up to nrel): 8 KiB of memset per compare
     * was a tenth of matching time */
    v->nrel = 0;
    v->pre_n = v->post_n = v->dev_n = (struct num){NULL, 0};
    v->has_post = v->has_dev = false;
    v->local = NULL;
    v->local_len = 0;
    v->pre_l = -1;
    v->epoch.p = "0";
    v->epoch.n = 1;
    size_t i = 0;
    if (i < n && lower(s[i]) == 'v')
        i++;
    struct num d;
    if (digits(s, n, i, &d) == 0)
        goto bad;
    if (i + d.n < n && s[i + d.n] == '!') {
        v->epoch = d;
        i += d.n + 1;
        if (digits(s, n, i, &d) == 0)
            goto bad;
    }
    for (;;) {
        if (v->nrel == PEP_MAX_RELEASE)
            return vers_fail(err, "PEP 440", str, "too many release components");
        v->rel[v->nrel++] = d;
        i += d.n;
        if (i + 1 < n && s[i] == '.' && is_digit(s[i + 1]))
            digits(s, n, ++i, &d);
        else
            break;
    }
    if (i == n)
        return 0; /* the common "1.2.3": nothing else to look for */

    /* pre-release */
    {
        size_t j = i;
        if (j < n && is_sep(s[j]))
            j++;
        static const struct {
            const char *w;
            int l;
        } PRE[] = {{"preview", 2}, {"alpha", 0}, {"beta", 1}, {"pre", 2},
                   {"rc", 2},      {"a", 0},     {"b", 1},    {"c", 2}};
        for (size_t k = 0; k < sizeof(PRE) / sizeof(PRE[0]); k++) {
            if (word_at(s, n, j, PRE[k].w)) {
                v->pre_l = PRE[k].l;
                i = sep_num(s, n, j + strlen(PRE[k].w), &v->pre_n);
                break;
            }
        }
    }
    /* post-release */
    if (i + 1 < n && s[i] == '-' && is_digit(s[i + 1])) {
        v->has_post = true;
        i += 1 + digits(s, n, i + 1, &v->post_n);
    } else {
        size_t j = i;
        if (j < n && is_sep(s[j]))
            j++;
        static const char *const POST[] = {"post", "rev", "r"};
        for (size_t k = 0; k < 3; k++) {
            if (word_at(s, n, j, POST[k])) {
                v->has_post = true;
                i = sep_num(s, n, j + strlen(POST[k]), &v->post_n);
                break;
            }
        }
    }
    /* dev release */
    {
        size_t j = i;
        if (j < n && is_sep(s[j]))
            j++;
        if (word_at(s, n, j, "dev")) {
            v->has_dev = true;
            i = sep_num(s, n, j + 3, &v->dev_n);
        }
    }
    /* local version */
    if (i < n && s[i] == '+') {
        i++;
        size_t st = i;
        for (;;) {
            size_t k = i;
            while (i < n && is_alnum_lc(s[i]))
                i++;
            if (i == k)
                goto bad;
            if (i < n && is_sep(s[i]))
                i++;
            else
                break;
        }
        v->local = s + st;
        v->local_len = i - st;
    }
    if (i != n)
        goto bad;
    return 0;
bad:
    return vers_fail(err, "PEP 440", str, NULL);
}

static int release_cmp(const struct pep *a, const struct pep *b)
{
    int na = a->nrel, nb = b->nrel;
    while (na > 0 && vers_numcmp(a->rel[na - 1].p, a->rel[na - 1].n, "0", 1) == 0)
        na--;
    while (nb > 0 && vers_numcmp(b->rel[nb - 1].p, b->rel[nb - 1].n, "0", 1) == 0)
        nb--;
    for (int k = 0; k < na && k < nb; k++) {
        int c = vers_numcmp(a->rel[k].p, a->rel[k].n, b->rel[k].p, b->rel[k].n);
        if (c != 0)
            return c;
    }
    return na < nb ? -1 : (na > nb ? 1 : 0);
}

/* Rank of the pre-release slot: dev-only release < pre-release < none. */
static int pre_rank(const struct pep *v)
{
    if (v->pre_l < 0 && !v->has_post && v->has_dev)
        return 0;
    return v->pre_l < 0 ? 2 : 1;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!is_digit(s[k]))
            return false;
    return true;
}

static int local_cmp(const struct pep *a, const struct pep *b)
{
    if (a->local == NULL || b->local == NULL) {
        if (a->local == NULL && b->local == NULL)
            return 0;
        return a->local == NULL ? -1 : 1;
    }
    size_t i = 0, j = 0;
    for (;;) {
        bool ea = i > a->local_len, eb = j > b->local_len;
        if (ea || eb)
            return ea && eb ? 0 : (ea ? -1 : 1);
        size_t i0 = i, j0 = j;
        while (i < a->local_len && !is_sep(a->local[i]))
            i++;
        while (j < b->local_len && !is_sep(b->local[j]))
            j++;
        const char *x = a->local + i0, *y = b->local + j0;
        size_t xn = i - i0, yn = j - j0;
        bool xd = all_digits(x, xn), yd = all_digits(y, yn);
        int c;
        if (xd && yd) {
            c = vers_numcmp(x, xn, y, yn);
        } else if (xd != yd) {
            c = xd ? 1 : -1;
        } else {
            c = 0;
            for (size_t k = 0; k < xn && k < yn && c == 0; k++) {
                char cx = lower(x[k]), cy = lower(y[k]);
                if (cx != cy)
                    c = cx < cy ? -1 : 1;
            }
            if (c == 0 && xn != yn)
                c = xn < yn ? -1 : 1;
        }
        if (c != 0)
            return c;
        i++;
        j++;
    }
}

static int pep_cmp(const struct pep *a, const struct pep *b)
{
    int c = vers_numcmp(a->epoch.p, a->epoch.n, b->epoch.p, b->epoch.n);
    if (c == 0)
        c = release_cmp(a, b);
    if (c != 0)
        return c;
    int ra = pre_rank(a), rb = pre_rank(b);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    if (ra == 1) {
        if (a->pre_l != b->pre_l)
            return a->pre_l < b->pre_l ? -1 : 1;
        c = vers_numcmp(a->pre_n.p, a->pre_n.n, b->pre_n.p, b->pre_n.n);
        if (c != 0)
            return c;
    }
    if (a->has_post != b->has_post)
        return a->has_post ? 1 : -1;
    if (a->has_post) {
        c = vers_numcmp(a->post_n.p, a->post_n.n, b->post_n.p, b->post_n.n);
        if (c != 0)
            return c;
    }
    if (a->has_dev != b->has_dev)
        return a->has_dev ? -1 : 1;
    if (a->has_dev) {
        c = vers_numcmp(a->dev_n.p, a->dev_n.n, b->dev_n.p, b->dev_n.n);
        if (c != 0)
            return c;
    }
    return local_cmp(a, b);
}

int vers_pep440_cmp(const char *a, const char *b, int *cmp, struct dd_error *err)
{
    struct pep va, vb; /* about 8 KiB each */
    int rc = pep_parse(a, &va, err);
    if (rc != 0 || b == NULL)
        return rc;
    rc = pep_parse(b, &vb, err);
    if (rc != 0)
        return rc;
    *cmp = pep_cmp(&va, &vb);
    return 0;
}
