/* version_apk.c - Alpine (apk-tools) package versions.
 *
 *   1.2.3a_rc1_p2-r4
 *   digits ('.' digits)* [letter] ('_' suffix [digits])* ['-r' digits]
 *   suffix: alpha beta pre rc (before the release) | cvs svn git hg p (after it)
 *
 * The version is read as a stream of typed tokens, exactly as apk-tools' tokenizer does, and
 * two versions are compared token by token while both have the same token type and value.
 * Token types are ordered
 *   DIGIT_OR_ZERO ('.' then a number) < DIGIT < LETTER < SUFFIX < SUFFIX_NO < REVISION_NO < END
 * and a token sequence is valid only if types never go backwards, except '.' after a number,
 * a suffix after a suffix number, and a number after a letter. A number after '.' that has
 * leading zeros gets the value -(count of zeros) and its remaining digits become a separate
 * number token, so "1.01" < "1.1" and "1.001" < "1.01". Pre-release suffixes have negative
 * values (alpha=-4 .. rc=-1), post-release ones 0..4 (cvs .. p). When one version ends
 * where the other goes on, the longer one is newer unless what follows is a pre-release
 * suffix.
 *
 * Numbers are compared by value at any length (apk-tools keeps them in a machine integer;
 * every real version number fits one, so the order is the same).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "version_int.h"

enum tok {
    T_INVALID = -1,
    T_DIGIT_OR_ZERO,
    T_DIGIT,
    T_LETTER,
    T_SUFFIX,
    T_SUFFIX_NO,
    T_REVISION_NO,
    T_END,
};

/* Token value: a small integer, or a number too long for one (digits kept). */
struct tval {
    int64_t n;
    const char *dig; /* non-NULL: big number, n unused */
    size_t dig_len;
};

struct blob {
    const char *p;
    size_t len;
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static void next_token(int *type, struct blob *b)
{
    int n = T_INVALID;
    if (b->len == 0) {
        n = T_END;
    } else if ((*type == T_DIGIT || *type == T_DIGIT_OR_ZERO) && is_lower(b->p[0])) {
        n = T_LETTER;
    } else if (*type == T_LETTER && is_digit(b->p[0])) {
        n = T_DIGIT;
    } else if (*type == T_SUFFIX && is_digit(b->p[0])) {
        n = T_SUFFIX_NO;
    } else {
        switch (b->p[0]) {
        case '.':
            n = T_DIGIT_OR_ZERO;
            break;
        case '_':
            n = T_SUFFIX;
            break;
        case '-':
            if (b->len > 1 && b->p[1] == 'r') {
                n = T_REVISION_NO;
                b->p++;
                b->len--;
            }
            break;
        default:
            break;
        }
        b->p++;
        b->len--;
    }
    if (n < *type) {
        if (!((n == T_DIGIT_OR_ZERO && *type == T_DIGIT) ||
              (n == T_SUFFIX && *type == T_SUFFIX_NO) || (n == T_DIGIT && *type == T_LETTER)))
            n = T_INVALID;
    }
    *type = n;
}

static const char *const PRE_SUFFIXES[] = {"alpha", "beta", "pre", "rc"};
static const char *const POST_SUFFIXES[] = {"cvs", "svn", "git", "hg", "p"};

static int suffix_match(const char *const *list, int count, const struct blob *b, size_t *len)
{
    for (int k = 0; k < count; k++) {
        size_t l = strlen(list[k]);
        if (l <= b->len && memcmp(list[k], b->p, l) == 0) {
            *len = l;
            return k;
        }
    }
    return -1;
}

static struct tval get_token(int *type, struct blob *b)
{
    struct tval v = {0, NULL, 0};
    size_t i = 0;
    int nt = T_INVALID;
    if (b->len == 0) {
        *type = T_END;
        return v;
    }
    switch (*type) {
    case T_DIGIT_OR_ZERO:
        if (b->p[0] == '0') {
            while (i < b->len && b->p[i] == '0')
                i++;
            nt = T_DIGIT;
            v.n = -(int64_t)i;
            break;
        }
        /* fall through */
    case T_DIGIT:
    case T_SUFFIX_NO:
    case T_REVISION_NO:
        while (i < b->len && is_digit(b->p[i]))
            i++;
        if (i > 18) {
            v.dig = b->p;
            v.dig_len = i;
        } else {
            for (size_t k = 0; k < i; k++)
                v.n = v.n * 10 + (b->p[k] - '0');
        }
        break;
    case T_LETTER:
        v.n = (unsigned char)b->p[i++];
        break;
    case T_SUFFIX: {
        int k = suffix_match(PRE_SUFFIXES, 4, b, &i);
        if (k >= 0) {
            v.n = k - 4;
            break;
        }
        k = suffix_match(POST_SUFFIXES, 5, b, &i);
        if (k >= 0) {
            v.n = k;
            break;
        }
        *type = T_INVALID;
        return v;
    }
    default:
        *type = T_INVALID;
        return v;
    }
    b->p += i;
    b->len -= i;
    if (b->len == 0)
        *type = T_END;
    else if (nt != T_INVALID)
        *type = nt;
    else
        next_token(type, b);
    return v;
}

static int tval_cmp(struct tval a, struct tval b)
{
    if (a.dig != NULL && b.dig != NULL)
        return vers_numcmp(a.dig, a.dig_len, b.dig, b.dig_len);
    if (a.dig != NULL)
        return 1; /* > 18 digits beats any small value */
    if (b.dig != NULL)
        return -1;
    return a.n < b.n ? -1 : (a.n > b.n ? 1 : 0);
}

static int apk_validate(const char *s, struct dd_error *err)
{
    struct blob b = {s, strlen(s)};
    if (b.len == 0)
        return vers_fail(err, "Alpine", s, "empty");
    int t = T_DIGIT;
    while (t != T_END && t != T_INVALID)
        get_token(&t, &b);
    if (t != T_END)
        return vers_fail(err, "Alpine", s, NULL);
    return 0;
}

static int apk_compare(const char *a, const char *b)
{
    struct blob ba = {a, strlen(a)}, bb = {b, strlen(b)};
    int at = T_DIGIT, bt = T_DIGIT;
    struct tval av = {0, NULL, 0}, bv = {0, NULL, 0};
    while (at == bt && at != T_END && at != T_INVALID && tval_cmp(av, bv) == 0) {
        av = get_token(&at, &ba);
        bv = get_token(&bt, &bb);
    }
    int c = tval_cmp(av, bv);
    if (c != 0)
        return c;
    if (at == bt)
        return 0;
    int tt = at;
    if (at == T_SUFFIX && get_token(&tt, &ba).n < 0)
        return -1;
    tt = bt;
    if (bt == T_SUFFIX && get_token(&tt, &bb).n < 0)
        return 1;
    if (at > bt)
        return -1;
    if (bt > at)
        return 1;
    return 0;
}

int vers_apk_cmp(const char *a, const char *b, int *cmp, struct dd_error *err)
{
    int rc = apk_validate(a, err);
    if (rc != 0 || b == NULL)
        return rc;
    rc = apk_validate(b, err);
    if (rc != 0)
        return rc;
    *cmp = apk_compare(a, b);
    return 0;
}
