/* lang_java.c - Maven packages in Java archives (.jar/.war/.ear/.par), nested ones included.
 *
 * Design. An archive can be a 300 MB Spring Boot fat jar inside a layer stream, so it is read
 * once, front to back, with libarchive's streaming zip reader (local headers only; the
 * central directory at the end is never needed). The reader pulls from the walker's
 * blob_source; a nested archive (BOOT-INF/lib/x.jar, WEB-INF/lib/y.jar, any *.jar entry) gets
 * its own reader whose read callback pulls the enclosing entry's data from the enclosing
 * reader, recursively, so nothing is buffered whole and nothing touches the disk:
 *
 *   blob_source ──▶ level 0 (app.jar) ──entry data──▶ level 1 (BOOT-INF/lib/a.jar) ──▶ ...
 *
 * Per archive, in one pass: every META-INF/maven/.../pom.properties gives one package
 * (shaded jars hold several); META-INF/MANIFEST.MF and the file name are only a fallback,
 * used when no pom.properties names the archive itself (its artifactId or its version equals
 * the file name's: Debian renames maven-core-3.8.7.jar to maven3-core-3.8.7.jar; or the file
 * name has no version). Fallback order: manifest (version from
 * Implementation-Version or Bundle-Version), then the file name ("snakeyaml-1.33.jar").
 *
 * Invariants. Every byte handed out by a reader is counted: the total over the whole tree is
 * capped (max_total_bytes), one entry may not inflate beyond max_ratio once past
 * ratio_floor_bytes (zip bombs), entries are counted (max_entries), nesting is capped
 * (max_depth: a jar containing itself stops there), pom.properties and MANIFEST.MF reads are
 * capped. Entries whose size is unknown (data descriptor) are drained through the same
 * counters rather than skipped by libarchive, so a skipped bomb is a counted bomb. Errors
 * never stop what was already found: the first one is returned, the packages stay.
 *
 * Not done: no central-directory reading (a zip whose local headers lie is read as the local
 * headers say); no pom.xml parsing; no sha1 lookup of unknown jars (Trivy asks Maven
 * Central; without a group a package is named by its artifactId alone); no decryption.
 */
#include "lang_java.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define JAVA_MAX_VALUE   256        /* bytes of one group, artifact or version */
#define JAVA_MAX_LABEL   4096       /* file_path of a nested archive */
#define JAVA_RATIO_SLACK (1u << 20) /* read-ahead counted before an entry starts */
#define JAVA_MAX_SCRIPT  (1u << 20) /* launch script before the zip data */

void java_limits_default(struct java_limits *l)
{
    l->max_depth = 4;
    l->max_total_bytes = 2ull << 30;
    l->max_entries = 1000000;
    l->max_pom_bytes = 64u << 10;
    l->max_manifest_bytes = 256u << 10;
    l->max_ratio = 250;
    l->ratio_floor_bytes = 16u << 20;
    l->max_pkgs = 10000;
}

void java_props_cleanup(struct java_props *p)
{
    if (p == NULL)
        return;
    free(p->group_id);
    free(p->artifact_id);
    free(p->version);
    p->group_id = p->artifact_id = p->version = NULL;
}

void java_manifest_cleanup(struct java_manifest *m)
{
    if (m == NULL)
        return;
    free(m->impl_title);
    free(m->impl_version);
    free(m->impl_vendor_id);
    free(m->bundle_name);
    free(m->bundle_version);
    memset(m, 0, sizeof(*m));
}

/* ---- small text helpers ---------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t need;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need;
}

/* A usable coordinate: 1..JAVA_MAX_VALUE bytes of valid UTF-8, no whitespace or controls. */
static bool value_ok(const char *s, size_t n)
{
    if (n == 0 || n > JAVA_MAX_VALUE)
        return false;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        if (u[i] <= 0x20 || u[i] == 0x7F)
            return false;
        size_t k = utf8_seq(u + i, n - i);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

/* A group or artifact id as Maven spells them: letters, digits, '.', '-', '_'. */
static bool ident_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > JAVA_MAX_VALUE)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* Replace control bytes and invalid UTF-8 by '?', in place (for labels). */
static void sanitize(char *s)
{
    unsigned char *u = (unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t k = u[i] < 0x20 || u[i] == 0x7F ? 0 : utf8_seq(u + i, n - i);
        if (k == 0) {
            u[i++] = '?';
            continue;
        }
        i += k;
    }
}

static bool ends_with_ci(const char *s, size_t n, const char *suffix)
{
    size_t m = strlen(suffix);
    if (n < m)
        return false;
    for (size_t i = 0; i < m; i++) {
        char c = s[n - m + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != suffix[i])
            return false;
    }
    return true;
}

static bool archive_name(const char *s, size_t n)
{
    return ends_with_ci(s, n, ".jar") || ends_with_ci(s, n, ".war") || ends_with_ci(s, n, ".ear") ||
           ends_with_ci(s, n, ".par");
}

bool java_archive_want(const char *path)
{
    return path != NULL && archive_name(path, strlen(path));
}

/* ---- pom.properties (java.util.Properties text) ---------------------------------------- */

struct prop_reader {
    const unsigned char *d;
    size_t len;
    size_t i;
    bool eol;    /* the logical line has ended */
    bool bad;    /* malformed \uXXXX */
    bool pushed; /* one character of lookahead */
    unsigned push_cp;
    bool push_esc;
};

static bool prop_ws(unsigned c)
{
    return c == ' ' || c == '\t' || c == '\f';
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Next character of the logical line: 1 with *cp (a code point; bytes are Latin-1) and *esc
 * (it came from an escape), 0 at the end of the line. Continuations are joined. */
static int prop_next(struct prop_reader *p, unsigned *cp, bool *esc)
{
    if (p->pushed) {
        p->pushed = false;
        *cp = p->push_cp;
        *esc = p->push_esc;
        return 1;
    }
    for (;;) {
        if (p->eol || p->i >= p->len) {
            p->eol = true;
            return 0;
        }
        unsigned char c = p->d[p->i];
        if (c == '\r' || c == '\n') {
            p->i++;
            if (c == '\r' && p->i < p->len && p->d[p->i] == '\n')
                p->i++;
            p->eol = true;
            return 0;
        }
        p->i++;
        if (c != '\\') {
            *cp = c;
            *esc = false;
            return 1;
        }
        if (p->i >= p->len) { /* a lone backslash at the very end is dropped */
            p->eol = true;
            return 0;
        }
        c = p->d[p->i++];
        if (c == '\r' || c == '\n') { /* continuation: skip the newline and leading blanks */
            if (c == '\r' && p->i < p->len && p->d[p->i] == '\n')
                p->i++;
            while (p->i < p->len && prop_ws(p->d[p->i]))
                p->i++;
            continue;
        }
        *esc = true;
        switch (c) {
        case 't':
            *cp = '\t';
            break;
        case 'n':
            *cp = '\n';
            break;
        case 'r':
            *cp = '\r';
            break;
        case 'f':
            *cp = '\f';
            break;
        case 'u': {
            unsigned v = 0;
            for (int k = 0; k < 4; k++) {
                int h = p->i < p->len ? hexval(p->d[p->i]) : -1;
                if (h < 0) {
                    p->bad = true;
                    p->eol = true;
                    return 0;
                }
                v = v << 4 | (unsigned)h;
                p->i++;
            }
            *cp = v;
            break;
        }
        default:
            *cp = c;
        }
        return 1;
    }
}

static void prop_unread(struct prop_reader *p, unsigned cp, bool esc)
{
    p->pushed = true;
    p->push_cp = cp;
    p->push_esc = esc;
}

/* Append code point cp as UTF-8 to b (cap bytes, NUL kept); false when it does not fit or
 * is not a character we accept in a value (surrogate halves). */
static bool put_utf8(char *b, size_t *n, size_t cap, unsigned cp)
{
    char tmp[4];
    size_t k;
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return false;
    if (cp < 0x80) {
        tmp[0] = (char)cp;
        k = 1;
    } else if (cp < 0x800) {
        tmp[0] = (char)(0xC0 | cp >> 6);
        tmp[1] = (char)(0x80 | (cp & 0x3F));
        k = 2;
    } else {
        tmp[0] = (char)(0xE0 | cp >> 12);
        tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        tmp[2] = (char)(0x80 | (cp & 0x3F));
        k = 3;
    }
    if (*n + k >= cap)
        return false;
    memcpy(b + *n, tmp, k);
    *n += k;
    b[*n] = '\0';
    return true;
}

enum { POM_GROUP, POM_ARTIFACT, POM_VERSION, POM_NKEYS };

int java_pom_properties_parse(const char *data, size_t len, struct java_props *out,
                              struct dd_error *err)
{
    static const char *const keys[POM_NKEYS] = {"groupId", "artifactId", "version"};
    char *val[POM_NKEYS] = {NULL, NULL, NULL};
    bool bad[POM_NKEYS] = {false, false, false};
    struct prop_reader p = {.d = (const unsigned char *)data, .len = len};
    int rc = 0;
    while (p.i < p.len) {
        unsigned char c = p.d[p.i];
        if (prop_ws(c) || c == '\r' || c == '\n') {
            p.i++;
            continue;
        }
        if (c == '#' || c == '!') {
            while (p.i < p.len && p.d[p.i] != '\r' && p.d[p.i] != '\n')
                p.i++;
            continue;
        }
        p.eol = false;
        p.pushed = false;
        char key[32];
        size_t kn = 0;
        bool key_long = false;
        unsigned cp;
        bool esc;
        while (prop_next(&p, &cp, &esc) == 1) {
            if (!esc && (cp == '=' || cp == ':' || prop_ws(cp))) {
                prop_unread(&p, cp, esc);
                break;
            }
            if (!put_utf8(key, &kn, sizeof(key), cp))
                key_long = true;
        }
        key[kn] = '\0';
        /* separator: blanks, at most one '=' or ':', blanks */
        bool sep = false;
        while (prop_next(&p, &cp, &esc) == 1) {
            if (!esc && prop_ws(cp))
                continue;
            if (!esc && !sep && (cp == '=' || cp == ':')) {
                sep = true;
                continue;
            }
            prop_unread(&p, cp, esc);
            break;
        }
        char v[JAVA_MAX_VALUE + 8];
        size_t vn = 0;
        bool v_bad = false;
        v[0] = '\0';
        while (prop_next(&p, &cp, &esc) == 1) {
            if ((cp < 0x20 && !prop_ws(cp)) || cp == 0x7F || !put_utf8(v, &vn, sizeof(v), cp))
                v_bad = true;
        }
        if (p.bad) {
            rc = dd_error_set(err, DD_EPARSE, "malformed \\uXXXX escape");
            goto out;
        }
        /* trailing blanks are part of a Properties value; not of a coordinate */
        while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t' || v[vn - 1] == '\f'))
            v[--vn] = '\0';
        for (int k = 0; k < POM_NKEYS && !key_long; k++) {
            if (strcmp(key, keys[k]) != 0)
                continue;
            free(val[k]);
            val[k] = NULL;
            bad[k] = v_bad || !value_ok(v, vn);
            if (!bad[k] && (val[k] = dd_strndup(v, vn)) == NULL) {
                rc = dd_error_set(err, DD_ENOMEM, "out of memory");
                goto out;
            }
        }
    }
    for (int k = 0; k < POM_NKEYS; k++) {
        if (bad[k]) {
            rc = dd_error_set(err, DD_EPARSE, "%s is not a usable value", keys[k]);
            goto out;
        }
        if (val[k] == NULL) {
            rc = dd_error_set(err, DD_EPARSE, "no %s", keys[k]);
            goto out;
        }
    }
    out->group_id = val[POM_GROUP];
    out->artifact_id = val[POM_ARTIFACT];
    out->version = val[POM_VERSION];
    return 0;
out:
    for (int k = 0; k < POM_NKEYS; k++)
        free(val[k]);
    return rc;
}

/* ---- MANIFEST.MF ----------------------------------------------------------------------- */

#define MF_VALUE_MAX 1024 /* longer values of the attributes we keep are ignored */

static char **mf_field(struct java_manifest *m, const char *name, size_t n)
{
    static const struct {
        const char *name;
        size_t off;
    } tab[] = {
        {"Implementation-Title", offsetof(struct java_manifest, impl_title)},
        {"Implementation-Version", offsetof(struct java_manifest, impl_version)},
        {"Implementation-Vendor-Id", offsetof(struct java_manifest, impl_vendor_id)},
        {"Bundle-SymbolicName", offsetof(struct java_manifest, bundle_name)},
        {"Bundle-Version", offsetof(struct java_manifest, bundle_version)},
    };
    for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
        if (strlen(tab[i].name) == n && strncasecmp(tab[i].name, name, n) == 0)
            return (char **)(void *)((char *)m + tab[i].off);
    }
    return NULL;
}

/* Store the collected value in *field (trimmed; BSN parameters cut); invalid values are
 * dropped silently: they cannot name a package. */
static int mf_commit(struct java_manifest *m, char **field, char *v, size_t n, bool overflow)
{
    if (field == NULL || overflow)
        return 0;
    if (field == &m->bundle_name) {
        char *semi = memchr(v, ';', n);
        if (semi)
            n = (size_t)(semi - v);
    }
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    size_t start = 0;
    while (start < n && (v[start] == ' ' || v[start] == '\t'))
        start++;
    if (!value_ok(v + start, n - start)) {
        /* titles may hold spaces ("Apache Commons Lang"): keep them, they are never names */
        if (field != &m->impl_title)
            return 0;
        for (size_t i = start; i < n; i++) {
            unsigned char c = (unsigned char)v[i];
            if (c < 0x20 || c == 0x7F)
                return 0;
        }
        if (n - start == 0)
            return 0;
    }
    char *s = dd_strndup(v + start, n - start);
    if (s == NULL)
        return DD_ENOMEM;
    free(*field);
    *field = s;
    return 0;
}

int java_manifest_parse(const char *data, size_t len, struct java_manifest *out,
                        struct dd_error *err)
{
    char v[MF_VALUE_MAX + 1];
    size_t vn = 0;
    bool overflow = false;
    bool in_header = false;
    char **field = NULL;
    size_t i = 0;
    unsigned line = 0;
    int rc = 0;
    while (i < len) {
        size_t s = i;
        while (i < len && data[i] != '\r' && data[i] != '\n')
            i++;
        size_t e = i;
        if (i < len) {
            if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
                i++;
            i++;
        }
        line++;
        if (e == s)
            break; /* end of the main section */
        if (data[s] == ' ') {
            if (!in_header) {
                rc = dd_error_set(err, DD_EPARSE, "line %u: continuation without a header", line);
                goto out;
            }
            size_t n = e - s - 1;
            if (field && !overflow) {
                if (vn + n > MF_VALUE_MAX)
                    overflow = true;
                else {
                    memcpy(v + vn, data + s + 1, n);
                    vn += n;
                }
            }
            continue;
        }
        if (in_header && (rc = mf_commit(out, field, v, vn, overflow)) != 0)
            goto out;
        size_t k = s;
        while (k < e && ((data[k] >= 'a' && data[k] <= 'z') || (data[k] >= 'A' && data[k] <= 'Z') ||
                         (data[k] >= '0' && data[k] <= '9') || data[k] == '-' || data[k] == '_'))
            k++;
        if (k == s || k >= e || data[k] != ':') {
            rc = dd_error_set(err, DD_EPARSE, "line %u: not a \"Name: value\" header", line);
            goto out;
        }
        in_header = true;
        field = mf_field(out, data + s, k - s);
        k++;
        overflow = false;
        vn = 0;
        if (field) {
            size_t n = e - k;
            if (n > MF_VALUE_MAX)
                overflow = true;
            else {
                memcpy(v, data + k, n);
                vn = n;
            }
        }
    }
    if (in_header)
        rc = mf_commit(out, field, v, vn, overflow);
    if (rc == DD_ENOMEM)
        dd_error_set(err, rc, "out of memory");
out:
    return rc;
}

/* ---- file names ------------------------------------------------------------------------ */

int java_file_name_parse(const char *name, struct java_props *out)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    size_t n = strlen(base);
    if (archive_name(base, n))
        n -= 4;
    if (n < 3 || n > (size_t)2 * JAVA_MAX_VALUE)
        return DD_ENOTFOUND;
    /* The version starts at a "-<digit>". Prefer the last such part whose first dash-separated
     * token holds a dot ("log4j-1.2-api-2.17.1" -> 2.17.1; "foo-2.0-rc-1" -> 2.0-rc-1);
     * without one take the first ("foo-20220101"). */
    size_t first = 0, dotted = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        if (base[i] != '-' || base[i + 1] < '0' || base[i + 1] > '9')
            continue;
        if (first == 0)
            first = i;
        for (size_t j = i + 1; j < n && base[j] != '-'; j++) {
            if (base[j] == '.') {
                dotted = i;
                break;
            }
        }
    }
    size_t cut = dotted ? dotted : first;
    if (cut == 0 || !value_ok(base, cut) || !value_ok(base + cut + 1, n - cut - 1))
        return DD_ENOTFOUND;
    char *a = dd_strndup(base, cut);
    char *v = dd_strndup(base + cut + 1, n - cut - 1);
    if (a == NULL || v == NULL) {
        free(a);
        free(v);
        return DD_ENOMEM;
    }
    out->group_id = NULL;
    out->artifact_id = a;
    out->version = v;
    return 0;
}

/* Coordinates from a manifest: version from Implementation-Version, else Bundle-Version;
 * artifact from the file name (fp, may be NULL), else a token Implementation-Title, else the
 * last part of Bundle-SymbolicName; group from Implementation-Vendor-Id, else the
 * Bundle-SymbolicName before its last dot, else a dotless symbolic name equal to the artifact
 * ("log4j:log4j"). DD_ENOTFOUND when no version or no artifact. */
static int manifest_props(const struct java_manifest *m, const struct java_props *fp,
                          struct java_props *out)
{
    const char *ver = m->impl_version ? m->impl_version : m->bundle_version;
    const char *bsn = m->bundle_name;
    bool bsn_ok = bsn != NULL && ident_ok(bsn);
    const char *bsn_dot = bsn_ok ? strrchr(bsn, '.') : NULL;
    char *a = NULL, *g = NULL, *v = NULL;
    if (ver == NULL)
        return DD_ENOTFOUND;
    if (fp)
        a = dd_strdup(fp->artifact_id);
    else if (ident_ok(m->impl_title))
        a = dd_strdup(m->impl_title);
    else if (bsn_ok && (bsn_dot == NULL || bsn_dot[1] != '\0'))
        a = dd_strdup(bsn_dot ? bsn_dot + 1 : bsn);
    else
        return DD_ENOTFOUND;
    if (a == NULL)
        return DD_ENOMEM;
    bool want_g = true;
    if (ident_ok(m->impl_vendor_id))
        g = dd_strdup(m->impl_vendor_id);
    else if (bsn_ok && bsn_dot && bsn_dot != bsn)
        g = dd_strndup(bsn, (size_t)(bsn_dot - bsn));
    else if (bsn_ok && bsn_dot == NULL && strcmp(bsn, a) == 0)
        g = dd_strdup(bsn);
    else
        want_g = false;
    v = dd_strdup(ver);
    if (v == NULL || (want_g && g == NULL)) {
        free(a);
        free(g);
        free(v);
        return DD_ENOMEM;
    }
    out->group_id = g;
    out->artifact_id = a;
    out->version = v;
    return 0;
}

/* ---- the streaming archive walk -------------------------------------------------------- */

struct walk {
    const struct java_limits *lim;
    size_t top_len; /* strlen of the file's own path: labels beyond it are nested */
    struct file_facts *out;
    struct dd_error *err;
    int rc;         /* first error */
    bool stop;      /* a tree-wide cap was hit: unwind every level */
    uint64_t total; /* uncompressed bytes handed out, all levels */
    uint64_t entries;
};

struct level {
    struct walk *w;
    unsigned depth;
    char *label; /* file_path of this archive */
    struct archive *a;
    struct blob_source *src; /* level 0 only */
    struct level *parent;    /* nested levels: data is the parent's current entry */
    uint64_t in_bytes;       /* bytes handed to libarchive */
    const char *entry;       /* current entry name (libarchive's, until the next header) */
    uint64_t entry_out;      /* uncompressed bytes of the current entry read so far */
    uint64_t entry_in;       /* in_bytes when the current entry started */
    bool entry_eof;
    bool dead; /* this archive cannot be read further */
    /* level 0: a launch script ("#!/bin/bash ...") may precede the zip data */
    int scan;     /* 0 undecided, 1 looking for a local header, 2 zip data */
    unsigned sig; /* bytes of "PK\3\4" matched so far */
    uint64_t skipped;
    const uint8_t *pend; /* rest of a chunk after a signature that straddled chunks */
    size_t pend_len;
};

static void walk_fail(struct level *lv, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record an error, prefixed with the nested path when the archive is not the file itself. */
static void walk_fail(struct level *lv, int code, const char *fmt, ...)
{
    struct walk *w = lv->w;
    char msg[DD_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (w->rc == 0)
        w->rc = code;
    const char *rel = lv->label + w->top_len;
    if (rel[0])
        dd_error_set(w->err, code, "%.200s: %s", rel + 2, msg);
    else
        dd_error_set(w->err, code, "%s", msg);
    if (code == DD_ENOMEM)
        w->stop = true;
}

/* Next block of the current entry of lv, counted: 1 with data, 0 at its end, <0 error. */
static int entry_read(struct level *lv, const void **data, size_t *len)
{
    struct walk *w = lv->w;
    const struct java_limits *lim = w->lim;
    if (lv->dead || w->stop)
        return DD_ECANCELLED;
    if (lv->entry_eof)
        return 0;
    for (int empty = 0; empty < 1000; empty++) {
        const void *blk;
        size_t n;
        la_int64_t off;
        int r = archive_read_data_block(lv->a, &blk, &n, &off);
        if (r == ARCHIVE_EOF) {
            lv->entry_eof = true;
            return 0;
        }
        if (r < ARCHIVE_WARN) {
            const char *why = archive_error_string(lv->a);
            lv->entry_eof = true;
            if (r == ARCHIVE_FATAL)
                lv->dead = true;
            walk_fail(lv, DD_EPARSE, "%.300s: %s", lv->entry, why ? why : "unreadable data");
            return DD_EPARSE;
        }
        if (n == 0)
            continue;
        lv->entry_out += n;
        w->total += n;
        if (w->total > lim->max_total_bytes) {
            w->stop = true;
            walk_fail(lv, DD_EBOMB, "more than %llu bytes uncompressed in the archive",
                      (unsigned long long)lim->max_total_bytes);
            return DD_EBOMB;
        }
        uint64_t in = lv->in_bytes - lv->entry_in + JAVA_RATIO_SLACK;
        if (lv->entry_out > lim->ratio_floor_bytes && lv->entry_out / in > lim->max_ratio) {
            lv->dead = true;
            walk_fail(lv, DD_EBOMB, "%.300s: inflates more than %u:1 (zip bomb)", lv->entry,
                      lim->max_ratio);
            return DD_EBOMB;
        }
        *data = blk;
        *len = n;
        return 1;
    }
    lv->dead = true;
    walk_fail(lv, DD_EPARSE, "%.300s: no progress reading data", lv->entry);
    return DD_EPARSE;
}

static la_ssize_t on_read_nested(struct archive *a, void *ctx, const void **buf)
{
    struct level *lv = ctx;
    const void *d;
    size_t n;
    int r = entry_read(lv->parent, &d, &n);
    if (r < 0) {
        archive_set_error(a, EIO, "the enclosing archive cannot be read");
        return -1;
    }
    if (r == 0)
        return 0;
    lv->in_bytes += n;
    *buf = d;
    return (la_ssize_t)n;
}

static la_ssize_t on_read_top(struct archive *a, void *ctx, const void **buf)
{
    static const uint8_t sig[4] = {'P', 'K', 3, 4};
    struct level *lv = ctx;
    if (lv->pend_len) {
        size_t n = lv->pend_len;
        *buf = lv->pend;
        lv->pend_len = 0;
        lv->in_bytes += n;
        return (la_ssize_t)n;
    }
    for (;;) {
        const uint8_t *d;
        size_t n;
        struct dd_error e = {0};
        int rc = lv->src->next(lv->src->ctx, &d, &n, &e);
        if (rc) {
            walk_fail(lv, rc, "read: %s", e.msg[0] ? e.msg : dd_strerror(rc));
            archive_set_error(a, EIO, "read failed");
            return -1;
        }
        if (n == 0)
            return 0;
        if (lv->scan == 0)
            lv->scan = d[0] == '#' ? 1 : 2;
        if (lv->scan == 2) {
            lv->in_bytes += n;
            *buf = d;
            return (la_ssize_t)n;
        }
        for (size_t j = 0; j < n; j++) {
            lv->sig = d[j] == sig[lv->sig] ? lv->sig + 1 : d[j] == 'P' ? 1 : 0;
            if (lv->sig < 4)
                continue;
            lv->scan = 2;
            if (j >= 3) { /* the whole signature is in this chunk */
                lv->in_bytes += n - (j - 3);
                *buf = d + j - 3;
                return (la_ssize_t)(n - (j - 3));
            }
            lv->pend = d + j + 1;
            lv->pend_len = n - j - 1;
            lv->in_bytes += 4;
            *buf = sig;
            return 4;
        }
        lv->skipped += n;
        if (lv->skipped > JAVA_MAX_SCRIPT) {
            walk_fail(lv, DD_EPARSE, "no zip data in the first %u bytes", JAVA_MAX_SCRIPT);
            archive_set_error(a, EINVAL, "not a zip archive");
            return -1;
        }
    }
}

struct props_vec {
    struct java_props *v;
    size_t n;
    size_t cap;
};

static void props_vec_cleanup(struct props_vec *pv)
{
    for (size_t i = 0; i < pv->n; i++)
        java_props_cleanup(&pv->v[i]);
    free(pv->v);
    memset(pv, 0, sizeof(*pv));
}

/* Read the rest of the current entry into a fresh NUL-terminated buffer of at most cap
 * bytes. Returns 0 (*truncated set when more followed), or <0 (error already recorded). */
static int entry_slurp(struct level *lv, size_t cap, char **out, size_t *out_len, bool *truncated)
{
    char *b = malloc(cap + 1);
    size_t n = 0;
    int r;
    *truncated = false;
    if (b == NULL) {
        walk_fail(lv, DD_ENOMEM, "out of memory");
        return DD_ENOMEM;
    }
    const void *d;
    size_t len;
    while ((r = entry_read(lv, &d, &len)) == 1) {
        size_t room = cap - n;
        if (len > room) {
            memcpy(b + n, d, room);
            n += room;
            *truncated = true;
            break;
        }
        memcpy(b + n, d, len);
        n += len;
    }
    if (r < 0) {
        free(b);
        return r;
    }
    b[n] = '\0';
    *out = b;
    *out_len = n;
    return 0;
}

static void read_pom(struct level *lv, struct props_vec *poms)
{
    char *text = NULL;
    size_t len;
    bool trunc;
    struct java_props p = {0};
    struct dd_error e = {0};
    if (entry_slurp(lv, lv->w->lim->max_pom_bytes, &text, &len, &trunc) != 0)
        return;
    if (trunc) {
        walk_fail(lv, DD_ETOOBIG, "%.300s: larger than %zu bytes", lv->entry,
                  lv->w->lim->max_pom_bytes);
        goto out;
    }
    int rc = java_pom_properties_parse(text, len, &p, &e);
    if (rc) {
        walk_fail(lv, rc, "%.300s: %s", lv->entry, e.msg);
        goto out;
    }
    if (poms->n == poms->cap) {
        size_t cap = poms->cap ? poms->cap * 2 : 4;
        struct java_props *v = realloc(poms->v, cap * sizeof(*v));
        if (v == NULL) {
            walk_fail(lv, DD_ENOMEM, "out of memory");
            goto out;
        }
        poms->v = v;
        poms->cap = cap;
    }
    poms->v[poms->n++] = p;
    memset(&p, 0, sizeof(p));
out:
    java_props_cleanup(&p);
    free(text);
}

static void read_manifest(struct level *lv, struct java_manifest *mf)
{
    char *text = NULL;
    size_t len;
    bool trunc;
    struct dd_error e = {0};
    if (entry_slurp(lv, lv->w->lim->max_manifest_bytes, &text, &len, &trunc) != 0)
        return;
    int rc = java_manifest_parse(text, len, mf, &e);
    if (rc)
        walk_fail(lv, rc, "%.300s: %s", lv->entry, e.msg);
    free(text);
}

static void level_run(struct level *lv);

static void nested_run(struct level *lv, const char *name)
{
    struct walk *w = lv->w;
    if (lv->depth >= w->lim->max_depth) {
        walk_fail(lv, DD_ELIMIT, "%.300s: archives nested deeper than %u levels", name,
                  w->lim->max_depth);
        return;
    }
    size_t a = strlen(lv->label), b = strlen(name);
    if (a + 2 + b >= JAVA_MAX_LABEL) {
        walk_fail(lv, DD_ETOOBIG, "%.300s: nested path longer than %d bytes", name, JAVA_MAX_LABEL);
        return;
    }
    struct level child = {.w = w, .depth = lv->depth + 1, .parent = lv};
    child.label = malloc(a + 2 + b + 1);
    if (child.label == NULL) {
        walk_fail(lv, DD_ENOMEM, "out of memory");
        return;
    }
    memcpy(child.label, lv->label, a);
    memcpy(child.label + a, "!/", 2);
    memcpy(child.label + a + 2, name, b + 1);
    sanitize(child.label + a + 2);
    level_run(&child);
    free(child.label);
}

static bool pom_path(const char *name)
{
    size_t n = strlen(name);
    return strncmp(name, "META-INF/maven/", 15) == 0 && n > 15 + 15 &&
           strcmp(name + n - 15, "/pom.properties") == 0;
}

static int add_pkg(struct level *lv, const struct java_props *p)
{
    struct walk *w = lv->w;
    struct pkg *pk;
    if (w->out->pkgs.n >= w->lim->max_pkgs) {
        w->stop = true;
        walk_fail(lv, DD_ELIMIT, "more than %zu packages", w->lim->max_pkgs);
        return DD_ELIMIT;
    }
    /* one archive may carry the same pom.properties twice (duplicate zip entries) */
    for (size_t i = 0; i < w->out->pkgs.n; i++) {
        const struct pkg *q = &w->out->pkgs.v[i];
        const char *colon = strchr(q->name, ':');
        const char *qa = colon ? colon + 1 : q->name;
        size_t gl = colon ? (size_t)(colon - q->name) : 0;
        bool same_g = p->group_id ? colon && strlen(p->group_id) == gl &&
                                        strncmp(q->name, p->group_id, gl) == 0
                                  : colon == NULL;
        if (same_g && strcmp(qa, p->artifact_id) == 0 && strcmp(q->version, p->version) == 0 &&
            strcmp(q->file_path, lv->label) == 0)
            return 0;
    }
    size_t n = strlen(p->artifact_id) + (p->group_id ? strlen(p->group_id) + 1 : 0) + 1;
    char *name = malloc(n);
    if (name == NULL)
        goto nomem;
    if (p->group_id)
        snprintf(name, n, "%s:%s", p->group_id, p->artifact_id);
    else
        snprintf(name, n, "%s", p->artifact_id);
    if (pkg_list_add(&w->out->pkgs, &pk)) {
        free(name);
        goto nomem;
    }
    pk->type = PKG_TYPE_MAVEN;
    pk->name = name;
    pk->version = dd_strdup(p->version);
    pk->file_path = dd_strdup(lv->label);
    if (pk->version == NULL || pk->file_path == NULL)
        goto nomem;
    return 0;
nomem:
    walk_fail(lv, DD_ENOMEM, "out of memory");
    return DD_ENOMEM;
}

/* The packages of one archive, once all its entries are seen. */
static void emit(struct level *lv, const struct props_vec *poms, const struct java_manifest *mf)
{
    const char *base = strrchr(lv->label, '/');
    base = base ? base + 1 : lv->label;
    struct java_props fp = {0}, fb = {0};
    bool fp_ok = java_file_name_parse(base, &fp) == 0;
    bool identified = poms->n > 0 && !fp_ok;
    for (size_t i = 0; i < poms->n; i++) {
        if (add_pkg(lv, &poms->v[i]))
            goto out;
        if (fp_ok && (strcmp(poms->v[i].artifact_id, fp.artifact_id) == 0 ||
                      strcmp(poms->v[i].version, fp.version) == 0))
            identified = true;
    }
    if (identified)
        goto out;
    const struct java_props *use = NULL;
    int rc = mf ? manifest_props(mf, fp_ok ? &fp : NULL, &fb) : DD_ENOTFOUND;
    if (rc == DD_ENOMEM) {
        walk_fail(lv, rc, "out of memory");
        goto out;
    }
    if (rc == 0)
        use = &fb;
    else if (fp_ok)
        use = &fp;
    if (use == NULL)
        goto out;
    for (size_t i = 0; i < poms->n; i++) {
        if (strcmp(poms->v[i].artifact_id, use->artifact_id) == 0)
            goto out;
    }
    add_pkg(lv, use);
out:
    java_props_cleanup(&fp);
    java_props_cleanup(&fb);
}

static void level_run(struct level *lv)
{
    struct walk *w = lv->w;
    struct props_vec poms = {0};
    struct java_manifest mf = {0};
    bool have_mf = false;
    lv->a = archive_read_new();
    if (lv->a == NULL) {
        walk_fail(lv, DD_ENOMEM, "out of memory");
        return;
    }
    archive_read_support_format_zip_streamable(lv->a);
    if (archive_read_open(lv->a, lv, NULL, lv->parent ? on_read_nested : on_read_top, NULL) !=
        ARCHIVE_OK) {
        if (!w->stop && !(lv->parent && lv->parent->dead)) {
            const char *why = archive_error_string(lv->a);
            walk_fail(lv, DD_EPARSE, "not a zip archive (%s)", why ? why : "unknown format");
        }
        goto out;
    }
    while (!lv->dead && !w->stop) {
        struct archive_entry *e;
        int r = archive_read_next_header(lv->a, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN) {
            const char *why = archive_error_string(lv->a);
            if (!(lv->parent && lv->parent->dead) && !w->stop)
                walk_fail(lv, DD_EPARSE, "zip: %s", why ? why : "bad local header");
            break;
        }
        if (++w->entries > w->lim->max_entries) {
            w->stop = true;
            walk_fail(lv, DD_ELIMIT, "more than %llu zip entries",
                      (unsigned long long)w->lim->max_entries);
            break;
        }
        const char *name = archive_entry_pathname(e);
        if (name == NULL)
            name = archive_entry_pathname_utf8(e);
        lv->entry = name ? name : "?";
        lv->entry_out = 0;
        lv->entry_in = lv->in_bytes;
        lv->entry_eof = false;
        if (name && archive_entry_filetype(e) == AE_IFREG) {
            size_t n = strlen(name);
            if (pom_path(name))
                read_pom(lv, &poms);
            else if (!have_mf && strcasecmp(name, "META-INF/MANIFEST.MF") == 0) {
                read_manifest(lv, &mf);
                have_mf = true;
            } else if (archive_name(name, n))
                nested_run(lv, name);
        }
        /* libarchive skips an entry of known size by its compressed size; one whose size
         * comes after the data must be inflated to find its end: do that here, counted */
        if (!archive_entry_size_is_set(e)) {
            const void *d;
            size_t len;
            while (entry_read(lv, &d, &len) == 1)
                ;
        }
    }
    emit(lv, &poms, have_mf ? &mf : NULL);
out:
    archive_read_free(lv->a);
    lv->a = NULL;
    props_vec_cleanup(&poms);
    java_manifest_cleanup(&mf);
}

int java_archive_parse(const char *path, struct blob_source *src, const struct java_limits *limits,
                       struct file_facts *out, struct dd_error *err)
{
    struct java_limits def;
    if (limits == NULL) {
        java_limits_default(&def);
        limits = &def;
    }
    struct walk w = {.lim = limits, .top_len = strlen(path), .out = out, .err = err};
    struct level top = {.w = &w, .src = src};
    top.label = dd_strdup(path);
    if (top.label == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    level_run(&top);
    free(top.label);
    return w.rc;
}

static int on_parse_stream(const char *path, uint64_t size, struct blob_source *src,
                           struct file_facts *out, struct dd_error *err)
{
    (void)size;
    return java_archive_parse(path, src, NULL, out, err);
}

const struct analyzer analyzer_jar = {
    .name = "jar",
    .version = 1,
    .max_file_bytes = 0,
    .want = java_archive_want,
    .parse = NULL,
    .want_entry = NULL,
    .parse_stream = on_parse_stream,
};
