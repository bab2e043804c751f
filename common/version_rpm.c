/* version_rpm.c - RPM [epoch:]version[-release] strings, compared as rpm 4.18 does.
 *
 * Splitting follows rpm's parseEVR(): leading digits followed by ':' are the epoch (an empty
 * epoch means 0), the release is what follows the last '-'. Comparison is what rpm 4.18's
 * rpm.vercmp() does on such strings: epochs (absent = "0"), then versions, then releases,
 * each with rpmvercmp(); a string with a release (even an empty one) is newer than the same
 * version without one, so "3.0.7" < "3.0.7-1" and "0:3.0.7-24.el9" = "3.0.7-24.el9".
 *
 * rpmvercmp(): split into maximal alphabetic or numeric segments, ignoring every other
 * character as a separator. '~' sorts before anything, even the end of the string; '^'
 * sorts after the end of the string but before any further segment. A numeric segment beats
 * an alphabetic one; numeric segments compare by value, alphabetic ones with strcmp; when one
 * string runs out of segments, the longer one wins.
 *
 * rpm itself accepts any string. We reject what cannot come from a package header or an
 * advisory: the empty string, spaces and control bytes, and an empty version part. Other
 * bytes (even non-ASCII ones) are separators, as in rpm.
 */
#include <stdbool.h>
#include <string.h>

#include "version_int.h"

struct rpm_evr {
    const char *e; /* NULL: absent */
    size_t e_len;
    const char *v;
    size_t v_len;
    const char *r; /* NULL: absent */
    size_t r_len;
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

static int rpm_parse(const char *s, struct rpm_evr *out, struct dd_error *err)
{
    size_t n = strlen(s);
    if (n == 0)
        return vers_fail(err, "RPM", s, "empty");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] == 0x7f)
            return vers_fail(err, "RPM", s, "space or control byte");
    size_t i = 0;
    while (i < n && is_digit(s[i]))
        i++;
    out->e = NULL;
    out->e_len = 0;
    size_t vstart = 0;
    if (i < n && s[i] == ':') {
        out->e = i == 0 ? "0" : s;
        out->e_len = i == 0 ? 1 : i;
        vstart = i + 1;
    }
    const char *hy = strrchr(s + vstart, '-');
    size_t vend = hy ? (size_t)(hy - s) : n;
    out->v = s + vstart;
    out->v_len = vend - vstart;
    out->r = hy ? hy + 1 : NULL;
    out->r_len = hy ? n - vend - 1 : 0;
    return 0;
}

static int rpmvercmp(const char *a, size_t an, const char *b, size_t bn)
{
    if (an == bn && memcmp(a, b, an) == 0)
        return 0;
    size_t i = 0, j = 0;
    while (i < an || j < bn) {
        while (i < an && !is_alnum(a[i]) && a[i] != '~' && a[i] != '^')
            i++;
        while (j < bn && !is_alnum(b[j]) && b[j] != '~' && b[j] != '^')
            j++;
        char ca = i < an ? a[i] : '\0', cb = j < bn ? b[j] : '\0';
        if (ca == '~' || cb == '~') {
            if (ca != '~')
                return 1;
            if (cb != '~')
                return -1;
            i++;
            j++;
            continue;
        }
        if (ca == '^' || cb == '^') {
            if (ca == '\0')
                return -1;
            if (cb == '\0')
                return 1;
            if (ca != '^')
                return 1;
            if (cb != '^')
                return -1;
            i++;
            j++;
            continue;
        }
        if (ca == '\0' || cb == '\0')
            break;
        size_t i0 = i, j0 = j;
        bool isnum = is_digit(ca);
        if (isnum) {
            while (i < an && is_digit(a[i]))
                i++;
            while (j < bn && is_digit(b[j]))
                j++;
        } else {
            while (i < an && is_alpha(a[i]))
                i++;
            while (j < bn && is_alpha(b[j]))
                j++;
        }
        if (j == j0)
            return isnum ? 1 : -1;
        int c = isnum ? vers_numcmp(a + i0, i - i0, b + j0, j - j0)
                      : vers_bytecmp(a + i0, i - i0, b + j0, j - j0);
        if (c != 0)
            return c;
    }
    if (i >= an && j >= bn)
        return 0;
    return i >= an ? -1 : 1;
}

int vers_rpm_cmp(const char *a, const char *b, int *cmp, struct dd_error *err)
{
    struct rpm_evr va, vb;
    int rc = rpm_parse(a, &va, err);
    if (rc != 0 || b == NULL)
        return rc;
    rc = rpm_parse(b, &vb, err);
    if (rc != 0)
        return rc;
    int c =
        rpmvercmp(va.e ? va.e : "0", va.e ? va.e_len : 1, vb.e ? vb.e : "0", vb.e ? vb.e_len : 1);
    if (c == 0)
        c = rpmvercmp(va.v, va.v_len, vb.v, vb.v_len);
    if (c == 0 && va.r != NULL && vb.r != NULL)
        c = rpmvercmp(va.r, va.r_len, vb.r, vb.r_len);
    else if (c == 0 && (va.r != NULL) != (vb.r != NULL))
        c = va.r != NULL ? 1 : -1;
    *cmp = c;
    return 0;
}
