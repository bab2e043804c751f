/* version_gem.c - RubyGems versions, compared as Gem::Version#<=> does (RubyGems 3.3).
 *
 * Valid: optional surrounding whitespace around
 *   [0-9]+(\.[0-9A-Za-z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?
 * Every '-' stands for ".pre." (so "1.0-1" is a prerelease of 1.0). The version is then a
 * list of segments, each a maximal run of digits (a number) or of letters (a string); other
 * characters only separate. The segments are split at the first string into a numeric head
 * and a tail; trailing zeros are dropped from both ("1.0.a.0" = "1.a"). Segments are
 * compared pairwise, a missing one counting as 0: numbers by value, strings byte-wise, and
 * a string is less than a number (so any letter marks a prerelease).
 *
 * Gem::Version accepts the empty string as "0"; we reject it - an empty version in data is
 * an error, not version 0.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "version_int.h"

struct seg {
    const char *p;
    size_t n;
    bool num;
};

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

static bool is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Checks the pattern on s[0..n); trimmed bounds via *b, *e. */
static bool gem_valid(const char *s, size_t *b, size_t *e)
{
    size_t i = 0, n = strlen(s);
    while (i < n && is_space(s[i]))
        i++;
    while (n > i && is_space(s[n - 1]))
        n--;
    *b = i;
    *e = n;
    if (i == n || !is_digit(s[i]))
        return false;
    while (i < n && is_digit(s[i]))
        i++;
    while (i < n && s[i] == '.') {
        size_t k = ++i;
        while (i < n && is_alnum(s[i]))
            i++;
        if (i == k)
            return false;
    }
    if (i < n && s[i] == '-') {
        i++;
        for (;;) {
            size_t k = i;
            while (i < n && (is_alnum(s[i]) || s[i] == '-'))
                i++;
            if (i == k)
                return false;
            if (i < n && s[i] == '.')
                i++;
            else
                break;
        }
    }
    return i == n;
}

/* Segments of s[b..e): digit and letter runs. A '-' becomes ".pre.", i.e. a "pre" segment.
 * Returns the count; each segment uses at least one byte, so segs needs e - b entries. */
static size_t gem_segments(const char *s, size_t b, size_t e, struct seg *segs)
{
    size_t k = 0, i = b;
    while (i < e) {
        if (s[i] == '-') {
            segs[k++] = (struct seg){"pre", 3, false};
            i++;
        } else if (is_digit(s[i])) {
            size_t st = i;
            while (i < e && is_digit(s[i]))
                i++;
            segs[k++] = (struct seg){s + st, i - st, true};
        } else if (is_alpha(s[i])) {
            size_t st = i;
            while (i < e && is_alpha(s[i]))
                i++;
            segs[k++] = (struct seg){s + st, i - st, false};
        } else {
            i++;
        }
    }
    return k;
}

static bool seg_zero(const struct seg *g)
{
    return g->num && vers_numcmp(g->p, g->n, "0", 1) == 0;
}

/* Drop trailing zeros from the numeric head and from the tail; returns the new count. */
static size_t canonical(struct seg *g, size_t n)
{
    size_t first_str = n;
    for (size_t k = 0; k < n; k++) {
        if (!g[k].num) {
            first_str = k;
            break;
        }
    }
    size_t tail_end = n;
    while (tail_end > first_str && seg_zero(&g[tail_end - 1]))
        tail_end--;
    size_t head_end = first_str;
    while (head_end > 0 && seg_zero(&g[head_end - 1]))
        head_end--;
    size_t out = head_end;
    for (size_t k = first_str; k < tail_end; k++)
        g[out++] = g[k];
    return out;
}

static int seg_cmp(const struct seg *a, const struct seg *b)
{
    if (a->num && b->num)
        return vers_numcmp(a->p, a->n, b->p, b->n);
    if (a->num != b->num)
        return a->num ? 1 : -1;
    return vers_bytecmp(a->p, a->n, b->p, b->n);
}

int vers_gem_cmp(const char *a, const char *b, int *cmp, struct dd_error *err)
{
    size_t ab, ae, bb, be;
    if (!gem_valid(a, &ab, &ae))
        return vers_fail(err, "RubyGems", a, NULL);
    if (b == NULL)
        return 0;
    if (!gem_valid(b, &bb, &be))
        return vers_fail(err, "RubyGems", b, NULL);
    struct seg *sa = malloc((ae - ab + be - bb) * sizeof(*sa));
    if (sa == NULL) {
        dd_error_set(err, DD_ENOMEM, "out of memory");
        return DD_ENOMEM;
    }
    struct seg *sb = sa + (ae - ab);
    size_t na = canonical(sa, gem_segments(a, ab, ae, sa));
    size_t nb = canonical(sb, gem_segments(b, bb, be, sb));
    static const struct seg ZERO = {"0", 1, true};
    int c = 0;
    for (size_t k = 0; c == 0 && (k < na || k < nb); k++)
        c = seg_cmp(k < na ? &sa[k] : &ZERO, k < nb ? &sb[k] : &ZERO);
    free(sa);
    *cmp = c;
    return 0;
}
