/* version_dpkg.c - Debian package versions, Debian policy 5.6.12, as dpkg parses them.
 *
 *   [epoch:]upstream[-revision]
 *
 * Parsing follows dpkg's parseversion(): surrounding whitespace is ignored, embedded
 * whitespace is an error; the epoch is what precedes the first ':' and must be a number in
 * 0..INT_MAX (strtol syntax, so an optional sign); the revision is what follows the last '-'.
 * dpkg merely *warns* when the upstream part does not start with a digit or when either part
 * holds characters outside [A-Za-z0-9.+~-:] / [A-Za-z0-9.+~]; we treat those warnings as
 * errors, because such a string is not a Debian version and ordering it would be a guess.
 *
 * Comparison is dpkg's verrevcmp(): alternate non-digit and digit runs; in non-digit runs
 * '~' sorts before everything (even the end of the string), then the end / a digit, then
 * letters, then all other characters; digit runs compare numerically. Epoch first, then
 * upstream, then revision (an absent revision equals "0"). Digit runs of any length are
 * compared exactly (dpkg itself compares them digit by digit, which is the same order).
 */
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "version_int.h"

struct deb_ver {
    unsigned long epoch;
    const char *up;
    size_t up_len;
    const char *rev;
    size_t rev_len;
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int fail(struct dd_error *err, const char *v, const char *why)
{
    return vers_fail(err, "Debian", v, why);
}

static int deb_parse(const char *s, struct deb_ver *out, struct dd_error *err)
{
    const char *p = s, *end = s + strlen(s);
    while (p < end && is_space(*p))
        p++;
    while (end > p && is_space(end[-1]))
        end--;
    if (p == end)
        return fail(err, s, "version string is empty");
    for (const char *q = p; q < end; q++)
        if (is_space(*q))
            return fail(err, s, "version string has embedded spaces");

    unsigned long epoch = 0;
    size_t span = end > p ? (size_t)(end - p) : 0;
    const char *colon = memchr(p, ':', span);
    if (colon != NULL) {
        const char *q = p;
        bool neg = false;
        if (*q == '+' || *q == '-')
            neg = *q++ == '-';
        if (q == colon || !is_digit(*q))
            return fail(err, s,
                        colon == p ? "epoch in version is empty"
                                   : "epoch in version is not number");
        while (q < colon && is_digit(*q)) {
            epoch = epoch * 10 + (unsigned long)(*q - '0');
            if (epoch > INT_MAX)
                return fail(err, s, "epoch in version is too big");
            q++;
        }
        if (q != colon)
            return fail(err, s, "epoch in version is not number");
        if (neg && epoch != 0)
            return fail(err, s, "epoch in version is negative");
        p = colon + 1;
        if (p == end)
            return fail(err, s, "nothing after colon in version number");
    }

    const char *hyphen = NULL;
    for (const char *q = end; q > p; q--) {
        if (q[-1] == '-') {
            hyphen = q - 1;
            break;
        }
    }
    const char *up_end = hyphen ? hyphen : end;
    if (hyphen != NULL && hyphen + 1 == end)
        return fail(err, s, "revision number is empty");
    if (up_end == p)
        return fail(err, s, "version number is empty");
    if (!is_digit(*p))
        return fail(err, s, "version number does not start with digit");
    for (const char *q = p; q < up_end; q++)
        if (!is_digit(*q) && !is_alpha(*q) && strchr(".-+~:", *q) == NULL)
            return fail(err, s, "invalid character in version number");
    if (hyphen != NULL)
        for (const char *q = hyphen + 1; q < end; q++)
            if (!is_digit(*q) && !is_alpha(*q) && strchr(".+~", *q) == NULL)
                return fail(err, s, "invalid character in revision number");

    out->epoch = epoch;
    out->up = p;
    out->up_len = (size_t)(up_end - p);
    out->rev = hyphen ? hyphen + 1 : "";
    out->rev_len = hyphen ? (size_t)(end - hyphen - 1) : 0;
    return 0;
}

/* dpkg's order(): weight of one character in a non-digit run; the end of the string and a
 * digit weigh 0. */
static int order(const char *s, size_t len, size_t i)
{
    if (i >= len)
        return 0;
    char c = s[i];
    if (is_digit(c))
        return 0;
    if (is_alpha(c))
        return c;
    if (c == '~')
        return -1;
    return (unsigned char)c + 256;
}

static int verrevcmp(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i = 0, j = 0;
    while (i < an || j < bn) {
        while ((i < an && !is_digit(a[i])) || (j < bn && !is_digit(b[j]))) {
            int ac = order(a, an, i), bc = order(b, bn, j);
            if (ac != bc)
                return ac < bc ? -1 : 1;
            i++;
            j++;
        }
        size_t i0 = i, j0 = j;
        while (i < an && is_digit(a[i]))
            i++;
        while (j < bn && is_digit(b[j]))
            j++;
        int c = vers_numcmp(a + i0, i - i0, b + j0, j - j0);
        if (c != 0)
            return c;
    }
    return 0;
}

int vers_dpkg_cmp(const char *a, const char *b, int *cmp, struct dd_error *err)
{
    struct deb_ver va, vb;
    int rc = deb_parse(a, &va, err);
    if (rc != 0 || b == NULL)
        return rc;
    rc = deb_parse(b, &vb, err);
    if (rc != 0)
        return rc;
    int c = va.epoch < vb.epoch ? -1 : (va.epoch > vb.epoch ? 1 : 0);
    if (c == 0)
        c = verrevcmp(va.up, va.up_len, vb.up, vb.up_len);
    if (c == 0)
        c = verrevcmp(va.rev, va.rev_len, vb.rev, vb.rev_len);
    *cmp = c;
    return 0;
}
