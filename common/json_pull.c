/* json_pull.c - a zero-copy pull reader for in-memory JSON (RFC 8259).
 *
 * Design: a cursor over the caller's bytes. Structural calls (object_begin/next, array_*)
 * consume punctuation and keys; values are either taken (string, bool) or skipped. Skipping is
 * iterative with a fixed bracket stack, so hostile nesting costs no C stack and at most
 * max_depth levels are accepted. Strings stay spans until json_str_dup() decodes escapes and
 * checks UTF-8. Lockfiles run to tens of megabytes; a tree (jansson) would cost several times
 * that in heap, this costs nothing beyond the caller's output.
 * Invariants: the cursor never passes end; after the first error every call returns false and
 * moves nothing; depth counts the objects/arrays begun by the caller and not yet closed.
 * Deliberately not done: number conversion (callers here need none), duplicate-key detection
 * (the last or first wins as the caller's loop decides), UTF-8 checks on skipped strings.
 */
#include "json_pull.h"

#include <stdlib.h>
#include <string.h>

static bool fail(struct json_pull *j, int code, const char *msg)
{
    if (!j->failed) {
        j->failed = true;
        j->code = code;
        j->msg = msg;
        j->err_off = (size_t)(j->p - j->start);
    }
    return false;
}

void json_pull_init(struct json_pull *j, const uint8_t *data, size_t len, unsigned max_depth)
{
    memset(j, 0, sizeof(*j));
    j->start = (const char *)data;
    j->p = j->start;
    j->end = j->start + len;
    j->max_depth =
        max_depth == 0 || max_depth > JSON_PULL_MAX_DEPTH ? JSON_PULL_MAX_DEPTH : max_depth;
}

static void skip_ws(struct json_pull *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* At '"': consume a string, fill out (may be NULL). */
static bool scan_string(struct json_pull *j, struct json_str *out)
{
    if (j->p >= j->end || *j->p != '"')
        return fail(j, DD_EPARSE, "expected a string");
    const char *s = ++j->p;
    bool escaped = false;
    while (j->p < j->end) {
        unsigned char c = (unsigned char)*j->p;
        if (c == '"') {
            if (out) {
                out->p = s;
                out->n = (size_t)(j->p - s);
                out->escaped = escaped;
            }
            j->p++;
            return true;
        }
        if (c < 0x20)
            return fail(j, DD_EPARSE, "control character in string");
        if (c == '\\') {
            escaped = true;
            if (j->end - j->p < 2)
                break;
            char e = j->p[1];
            if (e == 'u') {
                if (j->end - j->p < 6 || !is_hex(j->p[2]) || !is_hex(j->p[3]) || !is_hex(j->p[4]) ||
                    !is_hex(j->p[5]))
                    return fail(j, DD_EPARSE, "bad \\u escape");
                j->p += 6;
                continue;
            }
            if (strchr("\"\\/bfnrt", e) == NULL || e == '\0')
                return fail(j, DD_EPARSE, "bad escape in string");
            j->p += 2;
            continue;
        }
        j->p++;
    }
    return fail(j, DD_EPARSE, "unterminated string");
}

static bool scan_digits(struct json_pull *j)
{
    const char *s = j->p;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
        j->p++;
    return j->p > s;
}

static bool scan_number(struct json_pull *j)
{
    if (j->p < j->end && *j->p == '-')
        j->p++;
    if (j->p < j->end && *j->p == '0')
        j->p++;
    else if (!scan_digits(j))
        return fail(j, DD_EPARSE, "bad number");
    if (j->p < j->end && *j->p == '.') {
        j->p++;
        if (!scan_digits(j))
            return fail(j, DD_EPARSE, "bad number");
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
            j->p++;
        if (!scan_digits(j))
            return fail(j, DD_EPARSE, "bad number");
    }
    return true;
}

static bool scan_literal(struct json_pull *j, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
        return fail(j, DD_EPARSE, "unexpected character");
    j->p += n;
    return true;
}

enum json_kind json_pull_peek(struct json_pull *j)
{
    if (j->failed)
        return JSON_KIND_NONE;
    skip_ws(j);
    if (j->p >= j->end)
        return JSON_KIND_NONE;
    switch (*j->p) {
    case '{':
        return JSON_KIND_OBJECT;
    case '[':
        return JSON_KIND_ARRAY;
    case '"':
        return JSON_KIND_STRING;
    case 't':
        return JSON_KIND_TRUE;
    case 'f':
        return JSON_KIND_FALSE;
    case 'n':
        return JSON_KIND_NULL;
    default:
        if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
            return JSON_KIND_NUMBER;
        return JSON_KIND_NONE;
    }
}

static bool scan_scalar(struct json_pull *j)
{
    switch (json_pull_peek(j)) {
    case JSON_KIND_STRING:
        return scan_string(j, NULL);
    case JSON_KIND_NUMBER:
        return scan_number(j);
    case JSON_KIND_TRUE:
        return scan_literal(j, "true");
    case JSON_KIND_FALSE:
        return scan_literal(j, "false");
    case JSON_KIND_NULL:
        return scan_literal(j, "null");
    default:
        if (j->p >= j->end)
            return fail(j, DD_EPARSE, "unexpected end of input");
        return fail(j, DD_EPARSE, "unexpected character");
    }
}

static bool open_container(struct json_pull *j, char open)
{
    if (json_pull_peek(j) != (open == '{' ? JSON_KIND_OBJECT : JSON_KIND_ARRAY))
        return fail(j, DD_EPARSE, open == '{' ? "expected an object" : "expected an array");
    if (j->depth >= j->max_depth)
        return fail(j, DD_ELIMIT, "nesting too deep");
    j->depth++;
    j->p++;
    return true;
}

bool json_pull_object_begin(struct json_pull *j)
{
    return open_container(j, '{');
}

bool json_pull_array_begin(struct json_pull *j)
{
    return open_container(j, '[');
}

/* Shared by object_next and array_next: handle ',' or the closing bracket. */
static bool next_item(struct json_pull *j, size_t *i, char close)
{
    if (j->failed)
        return false;
    skip_ws(j);
    if (j->p >= j->end)
        return fail(j, DD_EPARSE, "unexpected end of input");
    if (*j->p == close) {
        j->p++;
        if (j->depth > 0)
            j->depth--;
        return false;
    }
    if (*i > 0) {
        if (*j->p != ',')
            return fail(j, DD_EPARSE, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
        j->p++;
        skip_ws(j);
    }
    (*i)++;
    return true;
}

bool json_pull_object_next(struct json_pull *j, size_t *i, struct json_str *key)
{
    if (!next_item(j, i, '}'))
        return false;
    if (!scan_string(j, key))
        return false;
    skip_ws(j);
    if (j->p >= j->end || *j->p != ':')
        return fail(j, DD_EPARSE, "expected ':'");
    j->p++;
    return true;
}

bool json_pull_array_next(struct json_pull *j, size_t *i)
{
    return next_item(j, i, ']');
}

bool json_pull_string(struct json_pull *j, struct json_str *out)
{
    if (json_pull_peek(j) != JSON_KIND_STRING) {
        if (!j->failed)
            json_pull_skip(j);
        return fail(j, DD_EPARSE, "expected a string");
    }
    return scan_string(j, out);
}

bool json_pull_number(struct json_pull *j, struct json_str *out)
{
    if (json_pull_peek(j) != JSON_KIND_NUMBER) {
        if (!j->failed)
            json_pull_skip(j);
        return fail(j, DD_EPARSE, "expected a number");
    }
    const char *s = j->p;
    if (!scan_number(j))
        return false;
    out->p = s;
    out->n = (size_t)(j->p - s);
    out->escaped = false;
    return true;
}

bool json_pull_bool(struct json_pull *j, bool *out)
{
    enum json_kind k = json_pull_peek(j);
    if (k == JSON_KIND_TRUE || k == JSON_KIND_FALSE) {
        if (!scan_literal(j, k == JSON_KIND_TRUE ? "true" : "false"))
            return false;
        *out = k == JSON_KIND_TRUE;
        return true;
    }
    json_pull_skip(j);
    return false;
}

bool json_pull_skip(struct json_pull *j)
{
    char stack[JSON_PULL_MAX_DEPTH];
    unsigned sp = 0;
    if (j->failed)
        return false;
    for (;;) {
        /* Read one value: open a container or consume a scalar. */
        enum json_kind k = json_pull_peek(j);
        if (k == JSON_KIND_OBJECT || k == JSON_KIND_ARRAY) {
            if (j->depth + sp >= j->max_depth)
                return fail(j, DD_ELIMIT, "nesting too deep");
            char open = *j->p++;
            stack[sp++] = open;
            skip_ws(j);
            if (j->p < j->end && *j->p == (open == '{' ? '}' : ']')) {
                j->p++;
                sp--;
            } else if (open == '{') {
                skip_ws(j);
                if (!scan_string(j, NULL))
                    return false;
                skip_ws(j);
                if (j->p >= j->end || *j->p != ':')
                    return fail(j, DD_EPARSE, "expected ':'");
                j->p++;
                continue;
            } else {
                continue;
            }
        } else if (!scan_scalar(j)) {
            return false;
        }
        /* After a value: close containers or move to the next member/element. */
        for (;;) {
            if (sp == 0)
                return true;
            skip_ws(j);
            if (j->p >= j->end)
                return fail(j, DD_EPARSE, "unexpected end of input");
            char top = stack[sp - 1];
            if (*j->p == (top == '{' ? '}' : ']')) {
                j->p++;
                sp--;
                continue;
            }
            if (*j->p != ',')
                return fail(j, DD_EPARSE,
                            top == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
            j->p++;
            if (top == '{') {
                skip_ws(j);
                if (!scan_string(j, NULL))
                    return false;
                skip_ws(j);
                if (j->p >= j->end || *j->p != ':')
                    return fail(j, DD_EPARSE, "expected ':'");
                j->p++;
            }
            break;
        }
    }
}

bool json_pull_end(struct json_pull *j)
{
    if (j->failed)
        return false;
    skip_ws(j);
    if (j->p != j->end && !(j->p + 1 == j->end && *j->p == '\0'))
        return fail(j, DD_EPARSE, "trailing data after the JSON value");
    return true;
}

int json_pull_error(const struct json_pull *j, struct dd_error *err)
{
    if (!j->failed)
        return 0;
    size_t line = 1;
    for (const char *c = j->start; c < j->start + j->err_off; c++) {
        if (*c == '\n')
            line++;
    }
    return dd_error_set(err, j->code, "line %zu: %s", line, j->msg);
}

static unsigned hex4(const char *p)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else
            v |= (unsigned)(c - 'A' + 10);
    }
    return v;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decode s into o (room for s->n + 1 bytes: escapes never grow); returns the length or
 * (size_t)-1 on a bad escape or an escaped NUL. */
static size_t decode(const struct json_str *s, char *o)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n;) {
        char c = s->p[i];
        if (c != '\\') {
            o[n++] = c;
            i++;
            continue;
        }
        if (i + 1 >= s->n)
            return (size_t)-1;
        char e = s->p[i + 1];
        i += 2;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            o[n++] = e;
            break;
        case 'b':
            o[n++] = '\b';
            break;
        case 'f':
            o[n++] = '\f';
            break;
        case 'n':
            o[n++] = '\n';
            break;
        case 'r':
            o[n++] = '\r';
            break;
        case 't':
            o[n++] = '\t';
            break;
        case 'u': {
            if (i + 4 > s->n)
                return (size_t)-1;
            unsigned cp = hex4(s->p + i);
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (i + 6 > s->n || s->p[i] != '\\' || s->p[i + 1] != 'u')
                    return (size_t)-1;
                unsigned lo = hex4(s->p + i + 2);
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return (size_t)-1;
                i += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0) {
                return (size_t)-1;
            }
            n += put_utf8(o + n, cp); /* \uXXXX (6 bytes) -> at most 3; a pair (12) -> 4 */
            break;
        }
        default:
            return (size_t)-1;
        }
    }
    o[n] = '\0';
    return n;
}

bool json_str_eq(const struct json_str *s, const char *lit)
{
    size_t ln = strlen(lit);
    if (!s->escaped)
        return s->n == ln && memcmp(s->p, lit, ln) == 0;
    if (s->n < ln)
        return false; /* decoding never lengthens */
    char *tmp = malloc(s->n + 1);
    if (tmp == NULL)
        return false;
    size_t n = decode(s, tmp);
    bool eq = n == ln && memcmp(tmp, lit, ln) == 0;
    free(tmp);
    return eq;
}

char *json_str_dup(const struct json_str *s, size_t max_bytes)
{
    char *o = malloc(s->n + 1);
    if (o == NULL)
        return NULL;
    size_t n;
    if (s->escaped) {
        n = decode(s, o);
    } else {
        memcpy(o, s->p, s->n);
        o[s->n] = '\0';
        n = s->n;
    }
    if (n == (size_t)-1 || n > max_bytes || memchr(o, '\0', n) != NULL || !utf8_valid(o, n)) {
        free(o);
        return NULL;
    }
    return o;
}

bool utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = u[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((u[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (u[i + k] & 0x3Fu);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}
