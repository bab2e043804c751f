/* lang_rust.c - Cargo.lock files and cargo-auditable (.dep-v0) dependency lists.
 *
 * Cargo.lock: a small cursor-based reader for the TOML subset Cargo writes - comments, table
 * headers ([[package]], [root], [metadata], [[patch.unused]]), "key = value" with basic or
 * literal strings, integers, booleans, (multi-line) arrays and inline tables. Values outside
 * [[package]]/[root] name/version/source and the top-level "version" are skipped without
 * being stored. Lockfile versions: v1 ([root] + [[package]] + [metadata]), v2 (no version
 * key), v3 and v4 ("version = N"); a higher version is a clear DD_EUNSUPPORTED error.
 * Every [[package]] is reported, workspace members (no "source") included, as Trivy does:
 * they are real crates of the image's application and the report names the lockfile.
 *
 * cargo-auditable: the .dep-v0 payload is zlib; ISA-L inflates it into a buffer capped at
 * CARGO_AUDIT_INFLATED_MAX (DD_EBOMB beyond), jansson parses the JSON (its own depth cap is
 * 2048). Only "runtime" packages are reported (build-time and dev crates are not in the
 * binary), the root crate included - Trivy's choice too.
 * Invariants: the reader never reads past len, arrays nest at most ARRAY_DEPTH_MAX deep.
 * Deliberately not done: full TOML (dotted keys, multi-line strings, dates), the dependency
 * graph, checksums.
 */
#include "lang_rust.h"

#include "analyzer.h"
#include "buf.h"

#include <isa-l/igzip_lib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_DEPTH_MAX  32
#define TOML_STRING_MAX  4096 /* longest string value we decode, bytes */
#define LOCK_VERSION_MAX 4
#define INFLATE_CHUNK    16384

/* ---- Cargo.lock reader ---------------------------------------------------------------- */

struct cur {
    const uint8_t *d;
    size_t len;
    size_t pos;
    size_t line; /* 1-based line of d[pos] */
};

enum table { TAB_TOP, TAB_PACKAGE, TAB_OTHER };

struct lock_pkg {
    char *name;
    char *version;
    size_t line; /* line of its table header */
    bool open;
};

static int peek(const struct cur *c)
{
    return c->pos < c->len ? c->d[c->pos] : -1;
}

static void skip_blank(struct cur *c)
{
    while (c->pos < c->len && (c->d[c->pos] == ' ' || c->d[c->pos] == '\t'))
        c->pos++;
}

/* Skip a comment if present, then require the end of the line (or of the data). */
static bool end_of_line(struct cur *c)
{
    skip_blank(c);
    if (peek(c) == '#') {
        while (c->pos < c->len && c->d[c->pos] != '\n')
            c->pos++;
    }
    if (peek(c) == '\r')
        c->pos++;
    if (c->pos >= c->len)
        return true;
    if (c->d[c->pos] != '\n')
        return false;
    c->pos++;
    c->line++;
    return true;
}

static void skip_line(struct cur *c)
{
    while (c->pos < c->len && c->d[c->pos] != '\n')
        c->pos++;
    if (c->pos < c->len) {
        c->pos++;
        c->line++;
    }
}

static int put_utf8(struct buf *b, unsigned long cp)
{
    uint8_t u[4];
    size_t n;
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return DD_EPARSE;
    if (cp < 0x80) {
        u[0] = (uint8_t)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (uint8_t)(0xc0 | (cp >> 6));
        u[1] = (uint8_t)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (uint8_t)(0xe0 | (cp >> 12));
        u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (uint8_t)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (uint8_t)(0xf0 | (cp >> 18));
        u[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (uint8_t)(0x80 | (cp & 0x3f));
        n = 4;
    }
    return buf_append(b, u, n);
}

/* Read a one-line basic ("...") or literal ('...') string at the cursor. With out == NULL
 * the string is only skipped. Returns 0 or DD_EPARSE / DD_ETOOBIG / DD_ENOMEM. */
static int read_string(struct cur *c, char **out)
{
    int q = peek(c);
    struct buf b;
    buf_init(&b, TOML_STRING_MAX);
    int rc = DD_EPARSE;
    if (c->len - c->pos >= 3 && c->d[c->pos + 1] == q && c->d[c->pos + 2] == q)
        goto out; /* multi-line strings: Cargo never writes them */
    c->pos++;
    for (;;) {
        int ch = peek(c);
        if (ch < 0 || ch == '\n' || ch == '\r')
            goto out;
        c->pos++;
        if (ch == q)
            break;
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
            goto out;
        if (ch == '\\' && q == '"') {
            int e = peek(c);
            c->pos++;
            unsigned long cp = 0;
            size_t hex = 0;
            switch (e) {
            case 'b':
                cp = '\b';
                break;
            case 't':
                cp = '\t';
                break;
            case 'n':
                cp = '\n';
                break;
            case 'f':
                cp = '\f';
                break;
            case 'r':
                cp = '\r';
                break;
            case '"':
                cp = '"';
                break;
            case '\\':
                cp = '\\';
                break;
            case 'u':
                hex = 4;
                break;
            case 'U':
                hex = 8;
                break;
            default:
                goto out;
            }
            for (size_t i = 0; i < hex; i++) {
                int h = peek(c);
                c->pos++;
                if (h >= '0' && h <= '9')
                    cp = cp * 16 + (unsigned long)(h - '0');
                else if (h >= 'a' && h <= 'f')
                    cp = cp * 16 + (unsigned long)(h - 'a' + 10);
                else if (h >= 'A' && h <= 'F')
                    cp = cp * 16 + (unsigned long)(h - 'A' + 10);
                else
                    goto out;
            }
            if (out && (rc = put_utf8(&b, cp)) != 0)
                goto out;
            rc = DD_EPARSE;
            continue;
        }
        if (out) {
            uint8_t byte = (uint8_t)ch;
            if ((rc = buf_append(&b, &byte, 1)) != 0)
                goto out;
            rc = DD_EPARSE;
        }
    }
    if (out) {
        size_t n;
        char *s = buf_take(&b, &n);
        if (s == NULL) {
            rc = DD_ENOMEM;
            goto out;
        }
        if (strlen(s) != n) { /* an escaped NUL */
            free(s);
            goto out;
        }
        *out = s;
    }
    rc = 0;
out:
    buf_cleanup(&b);
    return rc;
}

/* Skip an array or inline table (arrays may span lines and nest). */
static int skip_compound(struct cur *c)
{
    char stack[ARRAY_DEPTH_MAX];
    size_t depth = 0;
    for (;;) {
        int ch = peek(c);
        if (ch < 0)
            return DD_EPARSE;
        if (ch == '"' || ch == '\'') {
            int rc = read_string(c, NULL);
            if (rc)
                return rc;
            continue;
        }
        c->pos++;
        if (ch == '[' || ch == '{') {
            if (depth == ARRAY_DEPTH_MAX)
                return DD_ELIMIT;
            stack[depth++] = ch == '[' ? ']' : '}';
        } else if (ch == ']' || ch == '}') {
            if (depth == 0 || stack[depth - 1] != ch)
                return DD_EPARSE;
            if (--depth == 0)
                return 0;
        } else if (ch == '#') {
            while (c->pos < c->len && c->d[c->pos] != '\n')
                c->pos++;
        } else if (ch == '\n') {
            if (depth > 0 && stack[depth - 1] == '}')
                return DD_EPARSE; /* inline tables stay on one line */
            c->line++;
        }
    }
}

/* A bare value (integer, boolean): its bytes up to a blank, comment or line end. */
static void read_bare(struct cur *c, const uint8_t **p, size_t *n)
{
    *p = c->d + c->pos;
    while (c->pos < c->len && c->d[c->pos] != ' ' && c->d[c->pos] != '\t' && c->d[c->pos] != '#' &&
           c->d[c->pos] != '\n' && c->d[c->pos] != '\r')
        c->pos++;
    *n = (size_t)(c->d + c->pos - *p);
}

static bool is_bare_key_char(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-';
}

static int flush_pkg(const char *path, struct lock_pkg *lp, struct pkg_list *out,
                     struct dd_error *err, int *perr)
{
    int rc = 0;
    if (lp->open && (lp->name == NULL || lp->version == NULL)) {
        *perr = dd_error_set(err, DD_EPARSE, "line %zu: package without %s", lp->line,
                             lp->name ? "version" : "name");
    } else if (lp->open) {
        struct pkg *p;
        rc = pkg_list_add(out, &p);
        if (rc == 0) {
            p->type = PKG_TYPE_CARGO;
            p->name = lp->name;
            p->version = lp->version;
            lp->name = lp->version = NULL;
            p->file_path = dd_strdup(path);
            if (p->file_path == NULL)
                rc = DD_ENOMEM;
        }
    }
    free(lp->name);
    free(lp->version);
    memset(lp, 0, sizeof(*lp));
    return rc;
}

/* A table header "[name]" or "[[name]]" at the cursor: which table it opens. */
static int read_header(struct cur *c, enum table *t)
{
    bool arr = c->len - c->pos >= 2 && c->d[c->pos + 1] == '[';
    c->pos += arr ? 2 : 1;
    skip_blank(c);
    const uint8_t *name = c->d + c->pos;
    while (c->pos < c->len && (is_bare_key_char(c->d[c->pos]) || c->d[c->pos] == '.'))
        c->pos++;
    size_t n = (size_t)(c->d + c->pos - name);
    skip_blank(c);
    if (n == 0 || peek(c) != ']')
        return DD_EPARSE;
    c->pos++;
    if (arr) {
        if (peek(c) != ']')
            return DD_EPARSE;
        c->pos++;
    }
    if (!end_of_line(c))
        return DD_EPARSE;
    /* [[package]], or v1's [root]: the root crate */
    bool pkg = (arr && n == 7 && memcmp(name, "package", 7) == 0) ||
               (!arr && n == 4 && memcmp(name, "root", 4) == 0);
    *t = pkg ? TAB_PACKAGE : TAB_OTHER;
    return 0;
}

int cargo_lock_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                     struct dd_error *err)
{
    struct cur c = {data, len, 0, 1};
    enum table tab = TAB_TOP;
    struct lock_pkg lp = {0};
    int perr = 0; /* first parse error; parsing goes on at the next line */
    int rc = 0;
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        c.pos = 3;
    while (c.pos < c.len) {
        skip_blank(&c);
        int ch = peek(&c);
        if (ch == '#' || ch == '\n' || ch == '\r' || ch < 0) {
            if (!end_of_line(&c)) {
                perr = dd_error_set(err, DD_EPARSE, "line %zu: stray carriage return", c.line);
                skip_line(&c);
            }
            continue;
        }
        size_t line = c.line;
        if (ch == '[') {
            if ((rc = flush_pkg(path, &lp, out, err, &perr)) != 0)
                goto out;
            if (read_header(&c, &tab) != 0) {
                perr = dd_error_set(err, DD_EPARSE, "line %zu: malformed table header", line);
                tab = TAB_OTHER;
                skip_line(&c);
                continue;
            }
            if (tab == TAB_PACKAGE) {
                lp.open = true;
                lp.line = line;
            }
            continue;
        }
        /* key */
        char *qkey = NULL;
        const uint8_t *key = c.d + c.pos;
        size_t klen = 0;
        if (ch == '"' || ch == '\'') {
            if (read_string(&c, &qkey) != 0) {
                perr = dd_error_set(err, DD_EPARSE, "line %zu: malformed key", line);
                skip_line(&c);
                continue;
            }
            free(qkey); /* quoted keys only occur in [metadata]: never needed */
            key = NULL;
        } else {
            while (c.pos < c.len && is_bare_key_char(c.d[c.pos]))
                c.pos++;
            klen = (size_t)(c.d + c.pos - key);
        }
        skip_blank(&c);
        if ((key && klen == 0) || peek(&c) != '=') {
            perr = dd_error_set(err, DD_EPARSE, "line %zu: expected key = value", line);
            skip_line(&c);
            continue;
        }
        c.pos++;
        skip_blank(&c);
        /* value */
        char **dst = NULL;
        bool want_version_int = false;
        if (key && tab == TAB_PACKAGE && klen == 4 && memcmp(key, "name", 4) == 0)
            dst = &lp.name;
        else if (key && tab == TAB_PACKAGE && klen == 7 && memcmp(key, "version", 7) == 0)
            dst = &lp.version;
        else if (key && tab == TAB_TOP && klen == 7 && memcmp(key, "version", 7) == 0)
            want_version_int = true;
        int vc = peek(&c);
        int vrc = 0;
        char *sval = NULL; /* kept only once the whole line is read */
        if (vc == '"' || vc == '\'') {
            vrc = read_string(&c, dst ? &sval : NULL);
            if (vrc == DD_ENOMEM) {
                rc = vrc;
                goto out;
            }
            if (vrc == 0 && dst && (*dst != NULL || sval[0] == '\0'))
                vrc = DD_EPARSE; /* duplicate key or empty name/version */
        } else if (vc == '[' || vc == '{') {
            vrc = dst ? DD_EPARSE : skip_compound(&c);
        } else {
            const uint8_t *v;
            size_t vn;
            read_bare(&c, &v, &vn);
            if (vn == 0 || dst)
                vrc = DD_EPARSE;
            if (vrc == 0 && want_version_int) {
                unsigned long lv = 0;
                for (size_t i = 0; i < vn && vrc == 0; i++) {
                    if (v[i] < '0' || v[i] > '9' || lv > 1000)
                        vrc = DD_EPARSE;
                    else
                        lv = lv * 10 + (unsigned long)(v[i] - '0');
                }
                if (vrc == 0 && (lv < 1 || lv > LOCK_VERSION_MAX)) {
                    rc = dd_error_set(err, DD_EUNSUPPORTED, "Cargo.lock version %lu not supported",
                                      lv);
                    goto out;
                }
            }
        }
        if (vrc == 0 && !end_of_line(&c))
            vrc = DD_EPARSE;
        if (vrc == 0 && sval)
            *dst = sval;
        else
            free(sval);
        if (vrc) {
            perr = dd_error_set(err, vrc == DD_ELIMIT ? DD_ELIMIT : DD_EPARSE,
                                "line %zu: malformed value", line);
            skip_line(&c);
        }
    }
    rc = flush_pkg(path, &lp, out, err, &perr);
out:
    free(lp.name);
    free(lp.version);
    if (rc == DD_ENOMEM)
        dd_error_set(err, rc, "out of memory");
    return rc ? rc : perr;
}

/* ---- cargo-auditable ------------------------------------------------------------------ */

static int add_crate(struct pkg_list *out, const char *path, const char *name, const char *version)
{
    struct pkg *p;
    int rc = pkg_list_add(out, &p);
    if (rc)
        return rc;
    p->type = PKG_TYPE_CARGO;
    p->name = dd_strdup(name);
    p->version = dd_strdup(version);
    p->file_path = dd_strdup(path);
    if (p->name == NULL || p->version == NULL || p->file_path == NULL) {
        pkg_cleanup(p);
        out->n--;
        return DD_ENOMEM;
    }
    return 0;
}

static bool text_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= ' ' || ch == 0x7f)
            return false;
    }
    return true;
}

int cargo_auditable_json_parse(const char *path, const uint8_t *json, size_t len,
                               struct pkg_list *out, struct dd_error *err)
{
    json_error_t jerr;
    int rc = 0;
    json_t *root = json_loadb((const char *)json, len, JSON_REJECT_DUPLICATES, &jerr); /* owned */
    if (root == NULL)
        return dd_error_set(err, DD_EPARSE, ".dep-v0 JSON: %s (line %d)", jerr.text, jerr.line);
    json_t *pkgs = json_object_get(root, "packages"); /* borrowed */
    if (!json_is_array(pkgs)) {
        rc = dd_error_set(err, DD_EPARSE, ".dep-v0 JSON: no packages array");
        goto out;
    }
    if (json_array_size(pkgs) > CARGO_AUDIT_PACKAGES_MAX) {
        rc = dd_error_set(err, DD_ELIMIT, ".dep-v0 JSON: more than %u packages",
                          CARGO_AUDIT_PACKAGES_MAX);
        goto out;
    }
    size_t i;
    json_t *e; /* borrowed */
    json_array_foreach(pkgs, i, e)
    {
        const char *name = json_string_value(json_object_get(e, "name"));
        const char *version = json_string_value(json_object_get(e, "version"));
        json_t *kind = json_object_get(e, "kind");
        if (name == NULL || version == NULL || !text_ok(name, 256) || !text_ok(version, 256) ||
            (kind && !json_is_string(kind))) {
            rc = dd_error_set(err, DD_EPARSE, ".dep-v0 JSON: package %zu malformed", i);
            continue;
        }
        if (kind && strcmp(json_string_value(kind), "runtime") != 0)
            continue; /* "build" / "dev": not linked into the binary */
        int arc = add_crate(out, path, name, version);
        if (arc) {
            rc = dd_error_set(err, arc, "out of memory");
            goto out;
        }
    }
out:
    json_decref(root);
    return rc;
}

int cargo_auditable_parse(const char *path, const uint8_t *z, size_t zlen, struct pkg_list *out,
                          struct dd_error *err)
{
    int rc = 0;
    struct buf json;
    buf_init(&json, CARGO_AUDIT_INFLATED_MAX);
    struct inflate_state *st = NULL;
    uint8_t *chunk = malloc(INFLATE_CHUNK);
    if (zlen > UINT32_MAX) {
        rc = dd_error_set(err, DD_ETOOBIG, ".dep-v0 of %zu bytes", zlen);
        goto out;
    }
    st = malloc(sizeof(*st));
    if (st == NULL || chunk == NULL) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    isal_inflate_init(st);
    st->crc_flag = ISAL_ZLIB;
    st->next_in = (uint8_t *)(uintptr_t)z; /* ISA-L never writes its input */
    st->avail_in = (uint32_t)zlen;
    for (;;) {
        st->next_out = chunk;
        st->avail_out = INFLATE_CHUNK;
        int r = isal_inflate(st);
        if (r < 0) {
            rc = dd_error_set(err, DD_EPARSE, ".dep-v0: %s",
                              r == ISAL_INCORRECT_CHECKSUM ? "zlib checksum mismatch"
                              : r == ISAL_INVALID_WRAPPER  ? "not a zlib stream"
                                                           : "corrupt deflate data");
            goto out;
        }
        size_t got = INFLATE_CHUNK - st->avail_out;
        if (got && buf_append(&json, chunk, got) != 0) {
            rc = dd_error_set(err, DD_EBOMB, ".dep-v0 inflates past %zu bytes",
                              CARGO_AUDIT_INFLATED_MAX);
            goto out;
        }
        if (st->block_state == ISAL_BLOCK_FINISH)
            break;
        if (got == 0 && st->avail_in == 0) {
            rc = dd_error_set(err, DD_ETRUNC, ".dep-v0: zlib stream truncated");
            goto out;
        }
    }
    rc = cargo_auditable_json_parse(path, json.data ? json.data : (const uint8_t *)"", json.len,
                                    out, err);
out:
    free(st);
    free(chunk);
    buf_cleanup(&json);
    return rc;
}

/* ---- the Cargo.lock analyzer ---------------------------------------------------------- */

static bool want_cargo_lock(const char *path)
{
    const char *base = strrchr(path, '/');
    return strcmp(base ? base + 1 : path, "Cargo.lock") == 0;
}

static int parse_cargo_lock(const char *path, const uint8_t *data, size_t len,
                            struct file_facts *out, struct dd_error *err)
{
    return cargo_lock_parse(path, data, len, &out->pkgs, err);
}

const struct analyzer analyzer_cargo_lock = {
    .name = "cargo-lock",
    .version = 1,
    .max_file_bytes = CARGO_LOCK_MAX_BYTES,
    .want = want_cargo_lock,
    .parse = parse_cargo_lock,
};
