/* os_release.c - parse os-release and the older per-distribution release files.
 *
 * Design: each parser works on a length-bounded byte range line by line (LF, optional CR), and
 * builds its result in a local struct os_info that is moved into the caller's only on success,
 * so out-params stay untouched on failure. os-release values follow the shell subset the
 * os-release(5) page allows:
 *
 *   KEY=value          unquoted; a backslash escapes the next byte
 *   KEY="va\"lue"      double quotes; backslash escapes only  \ " $ `
 *   KEY='value'        single quotes; no escapes
 *   # comment, blank lines, and lines that are not KEY=... are skipped
 *
 * Invariants: input is capped at OS_RELEASE_MAX_BYTES, a line at OS_RELEASE_MAX_LINE (longer
 * lines are skipped, not truncated); a NUL byte ends the input as far as text is concerned.
 * Deliberately not done: variable expansion ($VAR), multi-line values, validation of UTF-8
 * (values are copied as bytes; consumers treat them as opaque labels).
 */
#include "os_release.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct line_iter {
    const char *p;
    const char *end;
};

static void line_iter_init(struct line_iter *it, const uint8_t *data, size_t len)
{
    it->p = (const char *)data;
    /* Text stops at the first NUL: nothing after it is meaningful in a release file. */
    const char *nul = memchr(data, '\0', len);
    it->end = nul ? nul : (const char *)data + len;
}

/* Next line without its terminator (and without a trailing CR); false at the end. */
static bool line_iter_next(struct line_iter *it, const char **line, size_t *n)
{
    if (it->p >= it->end)
        return false;
    const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
    const char *stop = nl ? nl : it->end;
    *line = it->p;
    *n = (size_t)(stop - it->p);
    if (*n > 0 && (*line)[*n - 1] == '\r')
        (*n)--;
    it->p = nl ? nl + 1 : it->end;
    return true;
}

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && isspace((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static void str_lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* Replace *slot with a copy of s[0..n). */
static int set_field(char **slot, const char *s, size_t n)
{
    char *v = dd_strndup(s, n);
    if (v == NULL)
        return DD_ENOMEM;
    free(*slot);
    *slot = v;
    return 0;
}

/* Unquote a shell-like value into dst (at least n + 1 bytes). Returns its length, or -1 when
 * a quote is left open. */
static long unquote(const char *s, size_t n, char *dst)
{
    size_t o = 0;
    size_t i = 0;
    while (i < n) {
        char c = s[i++];
        if (c == '\'') {
            const char *q = memchr(s + i, '\'', n - i);
            if (q == NULL)
                return -1;
            size_t k = (size_t)(q - (s + i));
            memcpy(dst + o, s + i, k);
            o += k;
            i += k + 1;
        } else if (c == '"') {
            bool closed = false;
            while (i < n) {
                c = s[i++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\' && i < n && strchr("\\\"$`", s[i]) != NULL)
                    c = s[i++];
                dst[o++] = c;
            }
            if (!closed)
                return -1;
        } else if (c == '\\' && i < n) {
            dst[o++] = s[i++];
        } else {
            dst[o++] = c;
        }
    }
    /* Unquoted trailing blanks are not part of the value. */
    while (o > 0 && (dst[o - 1] == ' ' || dst[o - 1] == '\t'))
        o--;
    dst[o] = '\0';
    return (long)o;
}

static bool key_is(const char *key, size_t n, const char *want)
{
    return strlen(want) == n && memcmp(key, want, n) == 0;
}

int os_release_parse(const uint8_t *data, size_t len, struct os_info *out, struct dd_error *err)
{
    struct os_info os = {0};
    char *ubuntu_codename = NULL;
    char *value = NULL;
    int rc = 0;
    int lines_ok = 0;
    int lineno = 0;

    if (len > OS_RELEASE_MAX_BYTES) {
        rc = dd_error_set(err, DD_ETOOBIG, "os-release: %zu bytes exceeds the %zu byte cap", len,
                          OS_RELEASE_MAX_BYTES);
        goto out;
    }
    value = malloc(OS_RELEASE_MAX_LINE + 1);
    if (value == NULL) {
        rc = DD_ENOMEM;
        goto out;
    }

    struct line_iter it;
    const char *line;
    size_t n;
    line_iter_init(&it, data, len);
    while (line_iter_next(&it, &line, &n)) {
        lineno++;
        if (n > OS_RELEASE_MAX_LINE)
            continue;
        trim(&line, &n);
        if (n == 0 || line[0] == '#')
            continue;
        size_t k = 0;
        while (k < n && (isalnum((unsigned char)line[k]) || line[k] == '_'))
            k++;
        if (k == 0 || k == n || line[k] != '=')
            continue;
        long vlen = unquote(line + k + 1, n - k - 1, value);
        if (vlen < 0)
            continue; /* unterminated quote: skip the line like a shell would fail it */
        lines_ok++;

        char **slot = NULL;
        if (key_is(line, k, "ID"))
            slot = &os.family;
        else if (key_is(line, k, "VERSION_ID"))
            slot = &os.version;
        else if (key_is(line, k, "VERSION_CODENAME"))
            slot = &os.codename;
        else if (key_is(line, k, "UBUNTU_CODENAME"))
            slot = &ubuntu_codename;
        else if (key_is(line, k, "PRETTY_NAME"))
            slot = &os.name;
        if (slot == NULL)
            continue;
        if (vlen == 0) { /* KEY= clears, as in the shell */
            free(*slot);
            *slot = NULL;
            continue;
        }
        rc = set_field(slot, value, (size_t)vlen);
        if (rc != 0)
            goto out;
    }

    if (lines_ok == 0) {
        rc = dd_error_set(err, DD_EPARSE, "os-release: no KEY=value line in %d lines", lineno);
        goto out;
    }
    if (os.family == NULL) {
        rc = set_field(&os.family, "linux", 5); /* os-release(5): ID defaults to "linux" */
        if (rc != 0)
            goto out;
    }
    str_lower(os.family);
    if (os.codename == NULL && ubuntu_codename != NULL) {
        os.codename = ubuntu_codename;
        ubuntu_codename = NULL;
    }
    *out = os;
    memset(&os, 0, sizeof(os));
out:
    if (rc == DD_ENOMEM)
        dd_error_set(err, rc, "os-release: out of memory");
    free(value);
    free(ubuntu_codename);
    os_info_cleanup(&os);
    return rc;
}

/* The first non-blank line, trimmed; DD_EPARSE when there is none or it is too long. */
static int first_line(const uint8_t *data, size_t len, const char *what, const char **s, size_t *n,
                      struct dd_error *err)
{
    if (len > OS_RELEASE_MAX_BYTES)
        return dd_error_set(err, DD_ETOOBIG, "%s: %zu bytes exceeds the %zu byte cap", what, len,
                            OS_RELEASE_MAX_BYTES);
    struct line_iter it;
    line_iter_init(&it, data, len);
    while (line_iter_next(&it, s, n)) {
        trim(s, n);
        if (*n == 0)
            continue;
        if (*n > OS_RELEASE_MAX_LINE)
            return dd_error_set(err, DD_EPARSE, "%s: first line longer than %d bytes", what,
                                OS_RELEASE_MAX_LINE);
        return 0;
    }
    return dd_error_set(err, DD_EPARSE, "%s: empty", what);
}

/* How much of a line to quote in an error message: the line is a span, not a C string. */
static int quote_len(size_t n)
{
    return n > 60 ? 60 : (int)n;
}

static bool is_version_text(const char *s, size_t n)
{
    if (n == 0 || !isdigit((unsigned char)s[0]))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)s[i]) && strchr(".-_+~", s[i]) == NULL)
            return false;
    }
    return true;
}

int os_release_parse_alpine(const uint8_t *data, size_t len, struct os_info *out,
                            struct dd_error *err)
{
    struct os_info os = {0};
    const char *s = NULL;
    size_t n = 0;
    int rc = first_line(data, len, "alpine-release", &s, &n, err);
    if (rc != 0)
        goto out;
    if (!is_version_text(s, n)) {
        rc = dd_error_set(err, DD_EPARSE, "alpine-release: not a version: \"%.*s\"", quote_len(n),
                          s);
        goto out;
    }
    if (set_field(&os.family, "alpine", 6) || set_field(&os.version, s, n)) {
        rc = dd_error_set(err, DD_ENOMEM, "alpine-release: out of memory");
        goto out;
    }
    *out = os;
    memset(&os, 0, sizeof(os));
out:
    os_info_cleanup(&os);
    return rc;
}

int os_release_parse_debian_version(const uint8_t *data, size_t len, struct os_info *out,
                                    struct dd_error *err)
{
    struct os_info os = {0};
    const char *s = NULL;
    size_t n = 0;
    int rc = first_line(data, len, "debian_version", &s, &n, err);
    if (rc != 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)s[i]) && strchr(".-_+~/", s[i]) == NULL) {
            rc = dd_error_set(err, DD_EPARSE, "debian_version: unexpected text \"%.*s\"",
                              quote_len(n), s);
            goto out;
        }
    }
    if (set_field(&os.family, "debian", 6) != 0) {
        rc = dd_error_set(err, DD_ENOMEM, "debian_version: out of memory");
        goto out;
    }
    if (is_version_text(s, n)) {
        rc = set_field(&os.version, s, n);
    } else {
        /* "bookworm/sid": testing or unstable; keep the codename part. */
        const char *slash = memchr(s, '/', n);
        rc = set_field(&os.codename, s, slash ? (size_t)(slash - s) : n);
    }
    if (rc != 0) {
        rc = dd_error_set(err, DD_ENOMEM, "debian_version: out of memory");
        goto out;
    }
    *out = os;
    memset(&os, 0, sizeof(os));
out:
    os_info_cleanup(&os);
    return rc;
}

/* Case-insensitive search for needle in s[0..n). */
static const char *find_ci(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++) {
        if (strncasecmp(s + i, needle, k) == 0)
            return s + i;
    }
    return NULL;
}

int os_release_parse_redhat(const uint8_t *data, size_t len, const char *family_hint,
                            struct os_info *out, struct dd_error *err)
{
    static const struct {
        const char *text;
        const char *family;
    } families[] = {
        {"almalinux", "almalinux"}, {"rocky", "rocky"},           {"centos", "centos"},
        {"fedora", "fedora"},       {"red hat", "rhel"},          {"oracle", "oracle"},
        {"amazon", "amzn"},         {"scientific", "scientific"},
    };
    struct os_info os = {0};
    const char *s = NULL;
    size_t n = 0;
    int rc = first_line(data, len, "redhat-release", &s, &n, err);
    if (rc != 0)
        goto out;

    const char *family = NULL;
    for (size_t i = 0; i < sizeof(families) / sizeof(families[0]) && !family; i++) {
        if (find_ci(s, n, families[i].text))
            family = families[i].family;
    }
    if (family == NULL)
        family = family_hint ? family_hint : "rhel";

    /* "<Name> release <version> (<codename>)": version is the word after "release". */
    const char *rel = find_ci(s, n, " release ");
    if (rel == NULL) {
        rc = dd_error_set(err, DD_EPARSE, "redhat-release: no \"release\" in \"%.*s\"",
                          quote_len(n), s);
        goto out;
    }
    const char *v = rel + strlen(" release ");
    const char *end = s + n;
    while (v < end && *v == ' ')
        v++;
    const char *ve = v;
    while (ve < end && !isspace((unsigned char)*ve))
        ve++;
    if (!is_version_text(v, (size_t)(ve - v))) {
        rc =
            dd_error_set(err, DD_EPARSE, "redhat-release: no version in \"%.*s\"", quote_len(n), s);
        goto out;
    }
    const char *cs = memchr(ve, '(', (size_t)(end - ve));
    const char *ce = cs ? memchr(cs, ')', (size_t)(end - cs)) : NULL;

    if (set_field(&os.family, family, strlen(family)) ||
        set_field(&os.version, v, (size_t)(ve - v)) || set_field(&os.name, s, n) ||
        (ce && ce > cs + 1 && set_field(&os.codename, cs + 1, (size_t)(ce - cs - 1)))) {
        rc = dd_error_set(err, DD_ENOMEM, "redhat-release: out of memory");
        goto out;
    }
    *out = os;
    memset(&os, 0, sizeof(os));
out:
    os_info_cleanup(&os);
    return rc;
}
