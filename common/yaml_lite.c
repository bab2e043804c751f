/* yaml_lite.c - split generated block YAML into (indent, key, value) lines.
 *
 *   packages:                         indent 0, key "packages", value ""
 *     '@babel/core@7.12.3':           indent 2, key "@babel/core@7.12.3" (quoted)
 *       resolution: {integrity: x}    indent 4, key "resolution", value "{integrity: x}"
 *       dev: true  # comment          indent 4, key "dev", value "true"
 *     - lodash                        indent 2, list item, no key, value "lodash"
 *
 * Design: one pass, one line at a time, no allocation: every span points into the caller's
 * bytes. A key is a quoted scalar or plain text up to the first ':' that is followed by a
 * space or the end of the line. Comments are stripped from plain values only where '#'
 * follows whitespace, as YAML says.
 * Invariants: never reads past end; a line longer than YAML_LITE_MAX_LINE is an error, so the
 * work per line is bounded.
 * Deliberately not done: flow collections, block scalars, anchors, escapes in quoted scalars
 * (callers compare lockfile keys, which do not use them), multi-line quoted scalars.
 */
#include "yaml_lite.h"

#include <string.h>

void yaml_lite_init(struct yaml_lite *y, const uint8_t *data, size_t len)
{
    y->p = (const char *)data;
    y->end = y->p + len;
    y->lineno = 0;
}

bool yaml_span_eq(struct yaml_span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, n) == 0;
}

/* Scan a quoted scalar starting at *q (the quote); on success *q is just past the closing
 * quote and *out holds the inside. */
static bool scan_quoted(const char **q, const char *e, struct yaml_span *out)
{
    const char *s = *q;
    char quote = *s++;
    const char *c = s;
    while (c < e) {
        if (quote == '"' && *c == '\\') {
            c += 2;
            continue;
        }
        if (*c == quote) {
            if (quote == '\'' && c + 1 < e && c[1] == '\'') {
                c += 2;
                continue;
            }
            out->p = s;
            out->n = (size_t)(c - s);
            *q = c + 1;
            return true;
        }
        c++;
    }
    return false;
}

static void rtrim(struct yaml_span *s)
{
    while (s->n > 0 && (s->p[s->n - 1] == ' ' || s->p[s->n - 1] == '\t'))
        s->n--;
}

/* Value part of a line: quoted, or plain with a trailing comment removed. */
static bool parse_value(const char *c, const char *e, struct yaml_line *l)
{
    while (c < e && (*c == ' ' || *c == '\t'))
        c++;
    if (c < e && (*c == '"' || *c == '\'')) {
        l->value_quoted = true;
        return scan_quoted(&c, e, &l->value);
    }
    l->value.p = c;
    l->value.n = (size_t)(e - c);
    for (const char *h = c; h < e; h++) {
        if (*h == '#' && (h == c || h[-1] == ' ' || h[-1] == '\t')) {
            l->value.n = (size_t)(h - c);
            break;
        }
    }
    rtrim(&l->value);
    return true;
}

static bool parse_content(const char *c, const char *e, struct yaml_line *l)
{
    if (c < e && (*c == '"' || *c == '\'')) {
        const char *after = c;
        struct yaml_span q;
        if (!scan_quoted(&after, e, &q))
            return false;
        const char *t = after;
        while (t < e && (*t == ' ' || *t == '\t'))
            t++;
        if (t < e && *t == ':' && (t + 1 == e || t[1] == ' ' || t[1] == '\t')) {
            l->has_key = true;
            l->key = q;
            l->key_quoted = true;
            return parse_value(t + 1, e, l);
        }
        return parse_value(c, e, l); /* a quoted scalar on its own */
    }
    if (c < e && *c != '{' && *c != '[') {
        for (const char *k = c; k < e; k++) {
            if (*k == ':' && (k + 1 == e || k[1] == ' ' || k[1] == '\t')) {
                l->has_key = true;
                l->key.p = c;
                l->key.n = (size_t)(k - c);
                rtrim(&l->key);
                return parse_value(k + 1, e, l);
            }
            if (*k == '#' && k > c && (k[-1] == ' ' || k[-1] == '\t'))
                break; /* the rest is a comment: no key on this line */
        }
    }
    return parse_value(c, e, l);
}

int yaml_lite_next(struct yaml_lite *y, struct yaml_line *l, struct dd_error *err)
{
    while (y->p < y->end) {
        const char *s = y->p;
        const char *nl = memchr(s, '\n', (size_t)(y->end - s));
        const char *e = nl ? nl : y->end;
        y->p = nl ? nl + 1 : y->end;
        y->lineno++;
        if ((size_t)(e - s) > YAML_LITE_MAX_LINE)
            return dd_error_set(err, DD_ETOOBIG, "line %zu: line too long", y->lineno);
        if (memchr(s, '\0', (size_t)(e - s)) != NULL)
            return dd_error_set(err, DD_EPARSE, "line %zu: NUL byte", y->lineno);
        if (e > s && e[-1] == '\r')
            e--;
        const char *c = s;
        while (c < e && (*c == ' ' || *c == '\t'))
            c++;
        if (c == e || *c == '#')
            continue;
        if (c == s && e - c >= 3 && (memcmp(c, "---", 3) == 0 || memcmp(c, "...", 3) == 0) &&
            (e - c == 3 || c[3] == ' '))
            continue; /* document markers */
        memset(l, 0, sizeof(*l));
        l->lineno = y->lineno;
        l->indent = (unsigned)(c - s);
        if (*c == '-' && (c + 1 == e || c[1] == ' ')) {
            l->list_item = true;
            c++;
            while (c < e && *c == ' ')
                c++;
        }
        if (!parse_content(c, e, l))
            return dd_error_set(err, DD_EPARSE, "line %zu: unterminated quoted scalar", y->lineno);
        return 1;
    }
    return 0;
}
