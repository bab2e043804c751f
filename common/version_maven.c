/* version_maven.c - Maven versions, compared as maven-artifact 3.8's ComparableVersion does.
 *
 * The version is lower-cased and cut into items: '.' ends an item, '-' ends an item and opens
 * a nested list, a switch from digits to non-digits opens a nested list, and a qualifier
 * that is followed by a digit or ends the string opens one too unless the current list is
 * still empty ("1.0.alpha1" = "1.0-alpha1" = [1, [alpha, [1]]] after normalisation;
 * "1.a.1" = [1, a, 1]). An empty item before a separator is the number 0.
 * Numbers (leading zeros stripped; an all-zero string is kept whole) are IntItem up to 9
 * digits, LongItem up to 18, BigIntegerItem beyond - an item of a smaller class is always
 * smaller. Qualifiers: a, b, m directly followed by a digit mean alpha, beta, milestone;
 * ga, final, release mean ""; cr means rc; known ones order
 *   alpha < beta < milestone < rc < snapshot < "" < sp < (unknown, ordered as text).
 * Each list is then normalised (innermost first): walking back from its end, null items
 * (0, "", empty list) are dropped until a non-null item that is not a list.
 *
 * Comparing items: number > list > qualifier; a missing item compares like "null": numbers
 * against 0, qualifiers against "", lists by their items. The tree is a chain (every list
 * is the last item of its parent), so it is kept flat: items in order, each nested list a
 * marker item whose children follow it.
 *
 * ComparableVersion accepts any string; we reject the empty string and bytes outside
 * printable non-space ASCII, where Java's Unicode lower-casing and digit rules would apply.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "version_int.h"

enum mkind { MK_INT, MK_LONG, MK_BIG, MK_STR, MK_LIST };

#define Q_RELEASE 5 /* index of "" among the known qualifiers */
#define Q_UNKNOWN 7

struct mitem {
    enum mkind kind;
    bool removed;
    const char *s; /* digits (numbers) or qualifier text (strings) */
    size_t n;
    int q; /* strings: 0..6 known qualifier, Q_UNKNOWN otherwise */
};

struct mver {
    struct mitem *it;
    int n;
    char *lc;
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static void add(struct mver *v, struct mitem m)
{
    v->it[v->n++] = m;
}

/* Items in the list being filled: those after the last list marker. */
static int current_len(const struct mver *v)
{
    int k = v->n;
    while (k > 0 && v->it[k - 1].kind != MK_LIST)
        k--;
    return v->n - k;
}

static struct mitem num_item(const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && s[k] == '0')
        k++;
    if (k < n) {
        s += k;
        n -= k;
    }
    struct mitem m = {n <= 9 ? MK_INT : (n <= 18 ? MK_LONG : MK_BIG), false, s, n, 0};
    return m;
}

static bool eq(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && memcmp(s, w, n) == 0;
}

static struct mitem str_item(const char *s, size_t n, bool followed_by_digit)
{
    static const char *const KNOWN[] = {"alpha", "beta", "milestone", "rc", "snapshot", "", "sp"};
    struct mitem m = {MK_STR, false, s, n, Q_UNKNOWN};
    if (followed_by_digit && n == 1) {
        if (s[0] == 'a')
            m.q = 0;
        else if (s[0] == 'b')
            m.q = 1;
        else if (s[0] == 'm')
            m.q = 2;
        if (m.q != Q_UNKNOWN)
            return m;
    }
    if (eq(s, n, "ga") || eq(s, n, "final") || eq(s, n, "release")) {
        m.q = Q_RELEASE;
        return m;
    }
    if (eq(s, n, "cr")) {
        m.q = 3;
        return m;
    }
    for (int k = 0; k < 7; k++)
        if (eq(s, n, KNOWN[k]))
            m.q = k;
    return m;
}

static struct mitem parse_item(bool is_num, const char *s, size_t n)
{
    return is_num ? num_item(s, n) : str_item(s, n, false);
}

static bool is_zero(const struct mitem *m)
{
    for (size_t k = 0; k < m->n; k++)
        if (m->s[k] != '0')
            return false;
    return true;
}

/* Index of the next live child of the list whose children start at i, or -1. */
static int next_child(const struct mver *v, int i)
{
    for (; i < v->n; i++) {
        if (!v->it[i].removed)
            return i;
        if (v->it[i].kind == MK_LIST)
            return -1; /* a removed list marker ends its parent's children */
    }
    return -1;
}

/* Position after child i in its parent list, or v->n when i was the last. */
static int after(const struct mver *v, int i)
{
    return v->it[i].kind == MK_LIST ? v->n : i + 1;
}

static bool item_is_null(const struct mver *v, int i)
{
    const struct mitem *m = &v->it[i];
    switch (m->kind) {
    case MK_STR:
        return m->q == Q_RELEASE;
    case MK_LIST:
        return next_child(v, i + 1) < 0;
    default:
        return is_zero(m);
    }
}

/* Normalise the list whose children are it[start..end). */
static void normalize(struct mver *v, int start, int end)
{
    for (int i = end - 1; i >= start; i--) {
        if (item_is_null(v, i))
            v->it[i].removed = true;
        else if (v->it[i].kind != MK_LIST)
            break;
    }
}

static int qual_cmp(const struct mitem *a, const struct mitem *b)
{
    if (a->q != b->q)
        return a->q < b->q ? -1 : 1;
    if (a->q != Q_UNKNOWN)
        return 0;
    return vers_bytecmp(a->s, a->n, b->s, b->n);
}

static int list_cmp(const struct mver *va, int a0, const struct mver *vb, int b0);

/* this (non-null) compared with null. */
static int item_cmp_null(const struct mver *v, int i)
{
    const struct mitem *m = &v->it[i];
    switch (m->kind) {
    case MK_STR:
        return m->q < Q_RELEASE ? -1 : (m->q > Q_RELEASE ? 1 : 0);
    case MK_LIST:
        for (int c = next_child(v, i + 1); c >= 0; c = next_child(v, after(v, c))) {
            int r = item_cmp_null(v, c);
            if (r != 0)
                return r;
        }
        return 0;
    default:
        return is_zero(m) ? 0 : 1;
    }
}

static int item_cmp(const struct mver *va, int i, const struct mver *vb, int j)
{
    const struct mitem *a = &va->it[i], *b = &vb->it[j];
    bool an = a->kind <= MK_BIG, bn = b->kind <= MK_BIG;
    if (an && bn) {
        if (a->kind != b->kind)
            return a->kind < b->kind ? -1 : 1;
        return vers_numcmp(a->s, a->n, b->s, b->n);
    }
    if (an)
        return 1;
    if (bn)
        return -1;
    if (a->kind == MK_STR && b->kind == MK_STR)
        return qual_cmp(a, b);
    if (a->kind == MK_STR)
        return -1;
    if (b->kind == MK_STR)
        return 1;
    return list_cmp(va, i + 1, vb, j + 1);
}

/* Compare the lists whose children start at a0 and b0. */
static int list_cmp(const struct mver *va, int a0, const struct mver *vb, int b0)
{
    int i = next_child(va, a0), j = next_child(vb, b0);
    while (i >= 0 || j >= 0) {
        int r;
        if (i < 0)
            r = -item_cmp_null(vb, j);
        else if (j < 0)
            r = item_cmp_null(va, i);
        else
            r = item_cmp(va, i, vb, j);
        if (r != 0)
            return r;
        if (i >= 0)
            i = next_child(va, after(va, i));
        if (j >= 0)
            j = next_child(vb, after(vb, j));
    }
    return 0;
}

static void mver_free(struct mver *v)
{
    free(v->it);
    free(v->lc);
    v->it = NULL;
    v->lc = NULL;
}

static int mver_parse(const char *s, struct mver *v, struct dd_error *err)
{
    size_t len = strlen(s);
    memset(v, 0, sizeof(*v));
    if (len == 0)
        return vers_fail(err, "Maven", s, "empty");
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return vers_fail(err, "Maven", s, "space, control or non-ASCII byte");
    v->lc = malloc(len + 1);
    v->it = calloc(3 * len + 3, sizeof(*v->it));
    if (v->lc == NULL || v->it == NULL) {
        mver_free(v);
        dd_error_set(err, DD_ENOMEM, "out of memory");
        return DD_ENOMEM;
    }
    for (size_t i = 0; i <= len; i++)
        v->lc[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
    const char *p = v->lc;
    bool isdig = false;
    size_t start = 0;
    static const struct mitem LIST = {MK_LIST, false, "", 0, 0};
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        int cur_len = current_len(v);
        if (c == '.' || c == '-') {
            if (i == start)
                add(v, num_item("0", 1));
            else
                add(v, parse_item(isdig, p + start, i - start));
            start = i + 1;
            if (c == '-')
                add(v, LIST);
        } else if (is_digit(c)) {
            if (!isdig && i > start) {
                /* "1.0.X1" is read as "1.0-X1": the qualifier opens a list unless the
                 * current one is still empty. */
                if (cur_len > 0)
                    add(v, LIST);
                add(v, str_item(p + start, i - start, true));
                start = i;
                add(v, LIST);
            }
            isdig = true;
        } else {
            if (isdig && i > start) {
                add(v, parse_item(true, p + start, i - start));
                start = i;
                add(v, LIST);
            }
            isdig = false;
        }
    }
    int cur_len = current_len(v);
    if (len > start) {
        /* A trailing ".X" qualifier is read as "-X" too. */
        if (!isdig && cur_len > 0)
            add(v, LIST);
        add(v, parse_item(isdig, p + start, len - start));
    }
    /* Normalise innermost list first: each list's children run up to the next marker. */
    int end = v->n;
    for (int i = v->n - 1; i >= -1; i--) {
        if (i == -1 || v->it[i].kind == MK_LIST) {
            normalize(v, i + 1, end);
            end = i + 1;
        }
    }
    return 0;
}

int vers_maven_cmp(const char *a, const char *b, int *cmp, struct dd_error *err)
{
    struct mver va, vb;
    memset(&vb, 0, sizeof(vb));
    int rc = mver_parse(a, &va, err);
    if (rc != 0 || b == NULL)
        goto out;
    rc = mver_parse(b, &vb, err);
    if (rc != 0)
        goto out;
    *cmp = list_cmp(&va, 0, &vb, 0);
out:
    mver_free(&va);
    mver_free(&vb);
    return rc;
}
