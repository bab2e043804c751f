/* lang_gobin.c - Go build info (Go >= 1.18 inline format) and its modinfo lines.
 *
 * Design: three layers, each usable alone (the fuzz target and the tests call each):
 *   go_scan_*          finds the blob in a stream at 16-byte aligned offsets and captures at
 *                      most GO_BLOB_MAX bytes from the magic on (never the binary);
 *   go_buildinfo_parse checks the 32-byte header and reads the two uvarint-prefixed strings;
 *   go_modinfo_parse   turns "mod"/"dep"/"=>" lines into packages.
 * What is reported (compatible with Trivy's gobinary analyzer):
 *   - the toolchain as "stdlib", version "v" + the Go version ("go1.19.8" -> "v1.19.8"; a
 *     prerelease "go1.21rc2" becomes the semver "v1.21.0-rc.2" so it orders correctly);
 *   - the main module ("mod" line) unless its version is "(devel)" or empty;
 *   - every "dep"; when a "=>" line follows, the replacement's path and version win.
 *     Replacements by a local directory ("=> ../fork", no version) and any module without a
 *     version are skipped: no advisory can name them and they make no valid purl.
 * Invariants: every length read from the file is checked against GO_VERSION_MAX /
 * GO_MODINFO_MAX and against the bytes at hand before use.
 * Deliberately not done: the pre-1.18 pointer format (the strings live elsewhere in the
 * binary, usually before the header, so a one-pass stream cannot reach them: such binaries
 * get a per-file DD_EUNSUPPORTED error), "-ldflags -X main.version" guessing, Mach-O / PE.
 */
#include "lang_gobin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLAG_BIG_ENDIAN 1u
#define FLAG_INLINE     2u
#define SENTINEL_LEN    ((size_t)16)
#define PATH_MAX_LEN    4096u /* longest module path or version we keep */

/* ---- modinfo -------------------------------------------------------------------------- */

struct field {
    const char *p;
    size_t n;
};

static bool field_is(struct field f, const char *s)
{
    return f.n == strlen(s) && memcmp(f.p, s, f.n) == 0;
}

/* Split one line at tabs into at most max fields; returns the count. */
static size_t split_tabs(const char *line, size_t n, struct field *out, size_t max)
{
    size_t k = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n && k < max; i++) {
        if (i == n || line[i] == '\t') {
            out[k].p = line + start;
            out[k].n = i - start;
            k++;
            start = i + 1;
        }
    }
    return k;
}

static bool field_ok(struct field f)
{
    if (f.n == 0 || f.n > PATH_MAX_LEN)
        return false;
    for (size_t i = 0; i < f.n; i++) {
        unsigned char c = (unsigned char)f.p[i];
        if (c <= ' ' || c == 0x7f)
            return false;
    }
    return true;
}

struct modref {
    struct field path;
    struct field version;
    bool set;
};

static bool is_local_path(struct field f)
{
    return f.n > 0 && (f.p[0] == '.' || f.p[0] == '/');
}

static int add_pkg(struct pkg_list *out, const char *path, const char *name, size_t name_len,
                   const char *version, size_t version_len)
{
    struct pkg *p;
    int rc = pkg_list_add(out, &p);
    if (rc)
        return rc;
    p->type = PKG_TYPE_GOLANG;
    p->name = dd_strndup(name, name_len);
    p->version = dd_strndup(version, version_len);
    p->file_path = dd_strdup(path);
    if (p->name == NULL || p->version == NULL || p->file_path == NULL) {
        pkg_cleanup(p);
        out->n--;
        return DD_ENOMEM;
    }
    return 0;
}

/* Report one module (a dep or the main module) with its replacement applied. */
static int flush_mod(struct pkg_list *out, const char *path, struct modref *m, struct modref *rep)
{
    struct modref eff = rep->set ? *rep : *m;
    int rc = 0;
    if (m->set && !is_local_path(eff.path) && eff.version.n > 0 &&
        !field_is(eff.version, "(devel)"))
        rc = add_pkg(out, path, eff.path.p, eff.path.n, eff.version.p, eff.version.n);
    m->set = false;
    rep->set = false;
    return rc;
}

int go_modinfo_parse(const char *path, const char *goversion, const char *modinfo, size_t len,
                     struct pkg_list *out, struct dd_error *err)
{
    int rc = 0;
    char *stdv = NULL;
    if (len > GO_MODINFO_MAX)
        return dd_error_set(err, DD_ETOOBIG, "modinfo of %zu bytes", len);
    if (goversion && go_stdlib_version(goversion, &stdv) == 0) {
        int arc = add_pkg(out, path, "stdlib", 6, stdv, strlen(stdv));
        free(stdv);
        if (arc)
            return dd_error_set(err, arc, "out of memory");
    }
    struct modref cur = {0}, rep = {0};
    size_t line_no = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *line = modinfo + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + (nl != NULL);
        line_no++;
        if (n == 0)
            continue;
        struct field f[5];
        size_t k = split_tabs(line, n, f, 5);
        if (field_is(f[0], "dep") || field_is(f[0], "mod")) {
            if (flush_mod(out, path, &cur, &rep) != 0)
                return dd_error_set(err, DD_ENOMEM, "out of memory");
            if (k < 3 || !field_ok(f[1]) || (f[2].n && !field_ok(f[2]))) {
                rc = dd_error_set(err, DD_EPARSE, "modinfo line %zu: malformed %.*s line", line_no,
                                  (int)f[0].n, f[0].p);
                continue;
            }
            cur = (struct modref){f[1], f[2], true};
        } else if (field_is(f[0], "=>")) {
            if (!cur.set || rep.set) {
                rc = dd_error_set(err, DD_EPARSE, "modinfo line %zu: replacement without module",
                                  line_no);
                continue;
            }
            if (k < 2 || !field_ok(f[1]) || (k >= 3 && f[2].n && !field_ok(f[2]))) {
                rc = dd_error_set(err, DD_EPARSE, "modinfo line %zu: malformed replacement",
                                  line_no);
                cur.set = false; /* neither the old nor a garbled new module is reliable */
                continue;
            }
            rep = (struct modref){f[1], k >= 3 ? f[2] : (struct field){"", 0}, true};
        }
        /* "path", "build", "go" and unknown lines carry no module */
    }
    if (flush_mod(out, path, &cur, &rep) != 0)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    return rc;
}

int go_stdlib_version(const char *goversion, char **out)
{
    const char *p = goversion;
    if (strncmp(p, "go", 2) != 0)
        return DD_EPARSE;
    p += 2;
    size_t n = strcspn(p, " \t");
    if (n == 0 || n > 64)
        return DD_EPARSE;
    /* numbers: MAJOR.MINOR[.PATCH] */
    size_t i = 0, parts = 0;
    for (;;) {
        size_t d = 0;
        while (i < n && p[i] >= '0' && p[i] <= '9')
            i++, d++;
        if (d == 0)
            return DD_EPARSE;
        parts++;
        if (i < n && p[i] == '.' && parts < 3) {
            i++;
            continue;
        }
        break;
    }
    if (parts < 2 && i == n)
        return DD_EPARSE; /* "go1": never a release name */
    char v[96];
    if (i == n) {
        snprintf(v, sizeof(v), "v%.*s", (int)n, p);
    } else {
        const char *pre = p + i;
        size_t pre_n = n - i;
        size_t tag = 0;
        if (pre_n > 2 && strncmp(pre, "rc", 2) == 0)
            tag = 2;
        else if (pre_n > 4 && strncmp(pre, "beta", 4) == 0)
            tag = 4;
        if (tag == 0)
            return DD_EPARSE;
        for (size_t j = tag; j < pre_n; j++) {
            if (pre[j] < '0' || pre[j] > '9')
                return DD_EPARSE;
        }
        snprintf(v, sizeof(v), "v%.*s%s-%.*s.%.*s", (int)i, p, parts == 2 ? ".0" : "", (int)tag,
                 pre, (int)(pre_n - tag), pre + tag);
    }
    char *s = dd_strdup(v);
    if (s == NULL)
        return DD_ENOMEM;
    *out = s;
    return 0;
}

/* ---- the blob ------------------------------------------------------------------------- */

/* Read a uvarint at *pos; DD_ETRUNC when data ends inside it, DD_EPARSE when it is longer
 * than 10 bytes or overflows 64 bits. */
static int uvarint(const uint8_t *d, size_t len, size_t *pos, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 10; i++) {
        if (*pos >= len)
            return DD_ETRUNC;
        uint8_t b = d[(*pos)++];
        if (i == 9 && b > 1)
            return DD_EPARSE;
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) {
            *out = v;
            return 0;
        }
    }
    return DD_EPARSE;
}

/* Find the version and modinfo strings; *end is the blob's length when complete. */
static int blob_split(const uint8_t *d, size_t len, struct field *ver, struct field *mod,
                      size_t *end, struct dd_error *err)
{
    if (len < 16)
        return DD_ETRUNC;
    if (memcmp(d, GO_BUILDINFO_MAGIC, GO_BUILDINFO_MAGIC_LEN) != 0)
        return dd_error_set(err, DD_EPARSE, "no Go build info magic");
    uint8_t ptrsize = d[14], flags = d[15];
    if (ptrsize != 4 && ptrsize != 8)
        return dd_error_set(err, DD_EPARSE, "Go build info: pointer size %u", ptrsize);
    if ((flags & FLAG_INLINE) == 0)
        return dd_error_set(err, DD_EUNSUPPORTED, "Go < 1.18 build info not supported");
    size_t pos = GO_BUILDINFO_HDR_LEN;
    uint64_t vlen = 0, mlen = 0;
    int rc = uvarint(d, len, &pos, &vlen);
    if (rc == DD_EPARSE)
        return dd_error_set(err, rc, "Go build info: bad version length");
    if (rc)
        return rc;
    if (vlen == 0 || vlen > GO_VERSION_MAX)
        return dd_error_set(err, DD_EPARSE, "Go build info: version of %llu bytes",
                            (unsigned long long)vlen);
    if (len - pos < vlen)
        return DD_ETRUNC;
    *ver = (struct field){(const char *)d + pos, (size_t)vlen};
    pos += (size_t)vlen;
    rc = uvarint(d, len, &pos, &mlen);
    if (rc == DD_EPARSE)
        return dd_error_set(err, rc, "Go build info: bad modinfo length");
    if (rc)
        return rc;
    if (mlen > GO_MODINFO_MAX)
        return dd_error_set(err, DD_ETOOBIG, "Go build info: modinfo of %llu bytes",
                            (unsigned long long)mlen);
    if (len - pos < mlen)
        return DD_ETRUNC;
    *mod = (struct field){(const char *)d + pos, (size_t)mlen};
    *end = pos + (size_t)mlen;
    return 0;
}

int go_buildinfo_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                       struct dd_error *err)
{
    struct field ver = {0}, mod = {0};
    size_t end = 0;
    int rc = blob_split(data, len, &ver, &mod, &end, err);
    if (rc == DD_ETRUNC)
        return dd_error_set(err, rc, "Go build info truncated");
    if (rc)
        return rc;
    for (size_t i = 0; i < ver.n; i++) {
        unsigned char c = (unsigned char)ver.p[i];
        if (c < ' ' || c == 0x7f)
            return dd_error_set(err, DD_EPARSE, "Go build info: control byte in version");
    }
    char *goversion = dd_strndup(ver.p, ver.n);
    if (goversion == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    /* Go's own reader: the sentinels are there only when modinfo[len-17] is '\n' */
    const char *m = mod.p;
    size_t mn = mod.n;
    if (mn >= 2 * SENTINEL_LEN + 1 && m[mn - SENTINEL_LEN - 1] == '\n') {
        m += SENTINEL_LEN;
        mn -= 2 * SENTINEL_LEN;
    } else {
        mn = 0;
    }
    rc = go_modinfo_parse(path, goversion, m, mn, out, err);
    free(goversion);
    return rc;
}

/* ---- streaming search ----------------------------------------------------------------- */

void go_scan_init(struct go_scan *s)
{
    memset(s, 0, sizeof(*s));
    buf_init(&s->blob, GO_BLOB_MAX);
}

void go_scan_cleanup(struct go_scan *s)
{
    if (s == NULL)
        return;
    buf_cleanup(&s->blob);
}

/* A header worth capturing: the magic, a sane pointer size and no unknown flags. A magic
 * with other bytes after it (a string constant in some other program) is skipped. */
static bool block_is_header(const uint8_t *b)
{
    return b[0] == 0xff && memcmp(b, GO_BUILDINFO_MAGIC, GO_BUILDINFO_MAGIC_LEN) == 0 &&
           (b[14] == 4 || b[14] == 8) && (b[15] & ~(FLAG_BIG_ENDIAN | FLAG_INLINE)) == 0;
}

static int capture(struct go_scan *s, const uint8_t *data, size_t len)
{
    size_t room = s->blob.max - s->blob.len;
    size_t take = len < room ? len : room;
    if (take && buf_append(&s->blob, data, take) != 0)
        return DD_ENOMEM;
    struct field ver = {0}, mod = {0};
    size_t end = 0;
    int rc = blob_split(s->blob.data, s->blob.len, &ver, &mod, &end, NULL);
    if (rc != DD_ETRUNC || s->blob.len == s->blob.max)
        s->complete = true; /* complete, bad, or as much as we will ever take */
    return s->complete ? 1 : 0;
}

int go_scan_feed(struct go_scan *s, const uint8_t *data, size_t len)
{
    if (s->complete)
        return 1;
    if (s->found) {
        s->pos += len;
        return capture(s, data, len);
    }
    size_t i = 0;
    while (i < len) {
        if (s->blk_len > 0 || (s->pos + i) % 16 != 0 || len - i < 16) {
            /* assemble one aligned block across chunk boundaries */
            if (s->blk_len == 0 && (s->pos + i) % 16 != 0) {
                size_t skip = 16 - (size_t)((s->pos + i) % 16);
                i += skip < len - i ? skip : len - i;
                continue;
            }
            size_t take = 16 - s->blk_len;
            if (take > len - i)
                take = len - i;
            memcpy(s->blk + s->blk_len, data + i, take);
            s->blk_len += take;
            i += take;
            if (s->blk_len < 16)
                break;
            s->blk_len = 0;
            if (block_is_header(s->blk)) {
                s->found = true;
                s->found_off = s->pos + i - 16;
                s->pos += len;
                if (buf_append(&s->blob, s->blk, 16) != 0)
                    return DD_ENOMEM;
                return capture(s, data + i, len - i);
            }
            continue;
        }
        /* fast path: whole aligned blocks inside this chunk */
        for (; len - i >= 16; i += 16) {
            if (data[i] == 0xff && block_is_header(data + i)) {
                s->found = true;
                s->found_off = s->pos + i;
                s->pos += len;
                return capture(s, data + i, len - i);
            }
        }
    }
    s->pos += len;
    return 0;
}

void go_scan_skip(struct go_scan *s, uint64_t len)
{
    if (s->found || len == 0)
        return;
    s->pos += len;
    s->blk_len = 0; /* a partial block cannot continue across a gap */
}

int go_scan_finish(struct go_scan *s, const char *path, struct pkg_list *out, struct dd_error *err)
{
    if (!s->found)
        return 0;
    return go_buildinfo_parse(path, s->blob.data, s->blob.len, out, err);
}
