/* rpmdb.c - installed RPM packages from the three rpm database formats, and the header parser.
 *
 * Every format stores the same thing: one "header blob" per installed package.
 *
 *   header blob (big-endian)                       database formats (magic decides)
 *   +--------+--------+                            rpmdb.sqlite  "SQLite format 3\0"
 *   | il u32 | dl u32 |                              table Packages(hnum INTEGER, blob BLOB)
 *   +--------+--------+--------+--------+          Packages      Berkeley DB hash, meta page
 *   | tag    | type   | offset | count  | x il       magic 0x00061561 at byte 12 (LE or BE)
 *   +--------+--------+--------+--------+          Packages.db   NDB, "RpmP" at byte 0 (LE)
 *   | data store: dl bytes                |
 *   +-------------------------------------+
 *
 * Design: rpm_header_parse() validates every index entry it uses against dl (offset, count,
 * NUL termination) and never trusts il/dl beyond the blob length. Region tags (61/62/63) are
 * checked for shape and otherwise ignored: we read tags, we do not re-verify signatures.
 * SQLite is opened from memory with sqlite3_deserialize(READONLY) on a ":memory:" connection
 * (never a file), defensive mode, no trusted schema, a blob length limit and a progress
 * handler that bounds the work a hostile schema can cause. Berkeley DB hash files are read
 * page by page: every P_HASH page's data items are either inline (H_KEYDATA) or point to an
 * overflow chain (H_OFFPAGE) that we follow with a hop limit of the file's page count and a
 * length limit of the item's declared total. NDB: the slot pages list (pkgidx, blkoff, blkcnt)
 * and each blob sits between a 16-byte head and a 12-byte tail.
 * Invariants: no read outside data[0..len); allocations are bounded by len (BDB, NDB) or by
 * RPM_HEADER_MAX_BYTES (sqlite). Deliberately not done: BDB btree/queue databases, encrypted
 * or checksummed BDB pages, NDB LZO-compressed blobs, the sqlite WAL file, index tables,
 * signature verification, file lists or dependencies.
 */
#include "rpmdb.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    RPM_TYPE_INT32 = 4,
    RPM_TYPE_STRING = 6,
    RPM_TYPE_BIN = 7,
    RPM_TYPE_STRING_ARRAY = 8,
    RPM_TYPE_I18NSTRING = 9,
    RPM_TYPE_MAX = 9,
};

enum {
    RPMTAG_HEADERIMAGE = 61,
    RPMTAG_HEADERSIGNATURES = 62,
    RPMTAG_HEADERIMMUTABLE = 63,
    RPMTAG_NAME = 1000,
    RPMTAG_VERSION = 1001,
    RPMTAG_RELEASE = 1002,
    RPMTAG_EPOCH = 1003,
    RPMTAG_LICENSE = 1014,
    RPMTAG_ARCH = 1022,
    RPMTAG_SOURCERPM = 1044,
    RPMTAG_OLDFILENAMES = 1027,
    RPMTAG_DIRINDEXES = 1116,
    RPMTAG_BASENAMES = 1117,
    RPMTAG_DIRNAMES = 1118,
};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* ---- header blobs ------------------------------------------------------------------------ */

struct hdr_strings {
    const char *name, *version, *release, *arch, *licence, *sourcerpm;
    int32_t epoch;
    bool has_epoch;
};

/* The string an entry points at, or NULL (with err set) when it is not a NUL-terminated
 * string inside the data store. */
static const char *entry_string(const uint8_t *store, uint32_t dl, uint32_t tag, uint32_t type,
                                uint32_t off, uint32_t count, struct dd_error *err)
{
    if (type != RPM_TYPE_STRING && type != RPM_TYPE_STRING_ARRAY && type != RPM_TYPE_I18NSTRING) {
        dd_error_set(err, DD_EPARSE, "rpm header: tag %u has type %u, not a string", tag, type);
        return NULL;
    }
    if (count == 0 || off >= dl) {
        dd_error_set(err, DD_EPARSE, "rpm header: tag %u offset %u outside %u data bytes", tag, off,
                     dl);
        return NULL;
    }
    if (memchr(store + off, '\0', dl - off) == NULL) {
        dd_error_set(err, DD_EPARSE, "rpm header: tag %u string not NUL-terminated", tag);
        return NULL;
    }
    return (const char *)store + off;
}

/* Split "name-version-release.src.rpm" into its parts; false when it has not that shape. */
static bool split_sourcerpm(const char *s, size_t *name_len, const char **ver, size_t *ver_len)
{
    size_t n = strlen(s);
    static const char *const suffixes[] = {".src.rpm", ".nosrc.rpm"};
    bool stripped = false;
    for (size_t i = 0; i < 2 && !stripped; i++) {
        size_t k = strlen(suffixes[i]);
        if (n > k && strcmp(s + n - k, suffixes[i]) == 0) {
            n -= k;
            stripped = true;
        }
    }
    if (!stripped)
        return false;
    const char *rel_dash = NULL;
    const char *ver_dash = NULL;
    for (size_t i = n; i-- > 0;) {
        if (s[i] != '-')
            continue;
        if (rel_dash == NULL) {
            rel_dash = s + i;
        } else {
            ver_dash = s + i;
            break;
        }
    }
    /* name, version and release must all be non-empty */
    if (ver_dash == NULL || ver_dash == s || rel_dash == ver_dash + 1 || rel_dash + 1 == s + n)
        return false;
    *name_len = (size_t)(ver_dash - s);
    *ver = ver_dash + 1;
    *ver_len = (size_t)(s + n - (ver_dash + 1));
    return true;
}

int rpm_header_parse(const uint8_t *blob, size_t len, struct pkg *out, struct dd_error *err)
{
    struct hdr_strings h = {0};
    struct pkg p;
    memset(&p, 0, sizeof(p));
    p.type = PKG_TYPE_RPM;
    p.epoch = -1;
    p.layer = -1;
    int rc = 0;

    if (blob == NULL || len < 8) {
        rc = dd_error_set(err, DD_ETRUNC, "rpm header: %zu bytes, need at least 8", len);
        goto out;
    }
    uint32_t il = be32(blob);
    uint32_t dl = be32(blob + 4);
    if (il == 0 || il > RPM_HEADER_MAX_TAGS) {
        rc = dd_error_set(err, DD_EPARSE, "rpm header: index count %u out of range", il);
        goto out;
    }
    if (dl > RPM_HEADER_MAX_BYTES) {
        rc = dd_error_set(err, DD_EPARSE, "rpm header: data size %u over the cap", dl);
        goto out;
    }
    /* il <= 0xffff and dl <= 64 MiB: no overflow in size_t. */
    size_t need = 8 + (size_t)il * 16 + dl;
    if (need > len) {
        rc = dd_error_set(err, DD_ETRUNC, "rpm header: needs %zu bytes, blob has %zu", need, len);
        goto out;
    }
    const uint8_t *index = blob + 8;
    const uint8_t *store = index + (size_t)il * 16;

    for (uint32_t i = 0; i < il; i++) {
        const uint8_t *e = index + (size_t)i * 16;
        uint32_t tag = be32(e), type = be32(e + 4), off = be32(e + 8), count = be32(e + 12);
        if (type > RPM_TYPE_MAX) {
            rc = dd_error_set(err, DD_EPARSE, "rpm header: entry %u has unknown type %u", i, type);
            goto out;
        }
        const char **slot = NULL;
        switch (tag) {
        case RPMTAG_HEADERIMAGE:
        case RPMTAG_HEADERSIGNATURES:
        case RPMTAG_HEADERIMMUTABLE:
            /* A region tag points at a 16-byte trailer entry inside the data store. */
            if (type != RPM_TYPE_BIN || count != 16 || dl < 16 || off > dl - 16) {
                rc = dd_error_set(err, DD_EPARSE, "rpm header: malformed region tag %u", tag);
                goto out;
            }
            continue;
        case RPMTAG_EPOCH:
            if (h.has_epoch)
                continue;
            if (type != RPM_TYPE_INT32 || count == 0 || dl < 4 || off > dl - 4) {
                rc = dd_error_set(err, DD_EPARSE, "rpm header: malformed EPOCH entry");
                goto out;
            }
            h.epoch = (int32_t)be32(store + off);
            h.has_epoch = true;
            continue;
        case RPMTAG_NAME:
            slot = &h.name;
            break;
        case RPMTAG_VERSION:
            slot = &h.version;
            break;
        case RPMTAG_RELEASE:
            slot = &h.release;
            break;
        case RPMTAG_ARCH:
            slot = &h.arch;
            break;
        case RPMTAG_LICENSE:
            slot = &h.licence;
            break;
        case RPMTAG_SOURCERPM:
            slot = &h.sourcerpm;
            break;
        default:
            continue;
        }
        if (*slot != NULL)
            continue; /* first occurrence wins */
        *slot = entry_string(store, dl, tag, type, off, count, err);
        if (*slot == NULL) {
            rc = DD_EPARSE;
            goto out;
        }
    }
    if (h.name == NULL || h.name[0] == '\0' || h.version == NULL || h.version[0] == '\0') {
        rc = dd_error_set(err, DD_EPARSE, "rpm header: NAME or VERSION missing");
        goto out;
    }
    if (h.has_epoch && h.epoch < 0) {
        rc = dd_error_set(err, DD_EPARSE, "rpm header: negative EPOCH %d", (int)h.epoch);
        goto out;
    }

    p.name = dd_strdup(h.name);
    p.version = dd_strdup(h.version);
    p.release = dd_strdup(h.release);
    p.arch = dd_strdup(h.arch);
    p.licence = dd_strdup(h.licence);
    p.epoch = h.has_epoch ? (int)h.epoch : -1;
    size_t name_len, ver_len;
    const char *ver;
    if (h.sourcerpm && split_sourcerpm(h.sourcerpm, &name_len, &ver, &ver_len)) {
        p.src_name = dd_strndup(h.sourcerpm, name_len);
        p.src_version = dd_strndup(ver, ver_len);
    } else {
        p.src_name = dd_strdup(h.name);
        size_t vl = strlen(h.version);
        size_t rl = h.release ? strlen(h.release) : 0;
        p.src_version = malloc(vl + rl + 2);
        if (p.src_version) {
            memcpy(p.src_version, h.version, vl + 1);
            if (h.release) {
                p.src_version[vl] = '-';
                memcpy(p.src_version + vl + 1, h.release, rl + 1);
            }
        }
    }
    if (!p.name || !p.version || (h.release && !p.release) || (h.arch && !p.arch) ||
        (h.licence && !p.licence) || !p.src_name || !p.src_version) {
        rc = dd_error_set(err, DD_ENOMEM, "rpm header: out of memory");
        goto out;
    }
    *out = p;
    memset(&p, 0, sizeof(p));
out:
    pkg_cleanup(&p);
    return rc;
}

/* ---- file lists -------------------------------------------------------------------------- */

/* The count strings of a STRING_ARRAY entry at off: pointers into store in *out (malloc'd). */
static int string_array(const uint8_t *store, uint32_t dl, uint32_t tag, uint32_t type,
                        uint32_t off, uint32_t count, const char ***out, struct dd_error *err)
{
    if (type != RPM_TYPE_STRING_ARRAY)
        return dd_error_set(err, DD_EPARSE, "rpm header: tag %u has type %u, not a string array",
                            tag, type);
    if (count > dl || off > dl)
        return dd_error_set(err, DD_EPARSE, "rpm header: tag %u: %u strings at %u of %u bytes", tag,
                            count, off, dl);
    const char **v = malloc(((size_t)count + 1) * sizeof(*v));
    if (v == NULL)
        return dd_error_set(err, DD_ENOMEM, "rpm header: out of memory");
    uint32_t at = off;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *nul = at < dl ? memchr(store + at, '\0', dl - at) : NULL;
        if (nul == NULL) {
            free(v);
            return dd_error_set(err, DD_EPARSE, "rpm header: tag %u string %u not NUL-terminated",
                                tag, i);
        }
        v[i] = (const char *)store + at;
        at = (uint32_t)(nul - store) + 1;
    }
    *out = v;
    return 0;
}

int rpm_header_files(const uint8_t *blob, size_t len, rpm_file_cb cb, void *ctx,
                     struct dd_error *err)
{
    const char **bases = NULL, **dirs = NULL, **old = NULL;
    uint32_t nbases = 0, ndirs = 0, nidx = 0, nold = 0;
    const uint8_t *idx = NULL;
    int rc = 0;
    if (blob == NULL || len < 8)
        return dd_error_set(err, DD_ETRUNC, "rpm header: %zu bytes, need at least 8", len);
    uint32_t il = be32(blob), dl = be32(blob + 4);
    if (il == 0 || il > RPM_HEADER_MAX_TAGS || dl > RPM_HEADER_MAX_BYTES)
        return dd_error_set(err, DD_EPARSE,
                            "rpm header: index count %u or data size %u out of range", il, dl);
    if (8 + (size_t)il * 16 + dl > len)
        return dd_error_set(err, DD_ETRUNC, "rpm header: shorter than its index says");
    const uint8_t *index = blob + 8, *store = index + (size_t)il * 16;
    for (uint32_t i = 0; i < il && rc == 0; i++) {
        const uint8_t *e = index + (size_t)i * 16;
        uint32_t tag = be32(e), type = be32(e + 4), off = be32(e + 8), count = be32(e + 12);
        if (tag == RPMTAG_BASENAMES && bases == NULL) {
            rc = string_array(store, dl, tag, type, off, count, &bases, err);
            nbases = count;
        } else if (tag == RPMTAG_DIRNAMES && dirs == NULL) {
            rc = string_array(store, dl, tag, type, off, count, &dirs, err);
            ndirs = count;
        } else if (tag == RPMTAG_OLDFILENAMES && old == NULL) {
            rc = string_array(store, dl, tag, type, off, count, &old, err);
            nold = count;
        } else if (tag == RPMTAG_DIRINDEXES && idx == NULL) {
            if (type != RPM_TYPE_INT32 || off > dl || count > (dl - off) / 4)
                rc = dd_error_set(err, DD_EPARSE, "rpm header: malformed DIRINDEXES");
            idx = store + off;
            nidx = count;
        }
    }
    char path[4096];
    if (rc == 0 && bases) {
        if (dirs == NULL || idx == NULL || nidx != nbases)
            rc = dd_error_set(err, DD_EPARSE,
                              "rpm header: BASENAMES without matching DIRNAMES "
                              "and DIRINDEXES");
        for (uint32_t i = 0; rc == 0 && i < nbases; i++) {
            uint32_t d = be32(idx + (size_t)i * 4);
            if (d >= ndirs) {
                rc = dd_error_set(err, DD_EPARSE, "rpm header: file %u: directory %u of %u", i, d,
                                  ndirs);
                break;
            }
            int n = snprintf(path, sizeof(path), "%s%s", dirs[d], bases[i]);
            if (n <= 0 || (size_t)n >= sizeof(path))
                continue;
            const char *rel = path; /* relative, like the walker's paths */
            while (*rel == '/')
                rel++;
            if (*rel)
                rc = cb(rel, strlen(rel), ctx);
        }
    } else if (rc == 0 && old) {
        for (uint32_t i = 0; rc == 0 && i < nold; i++) {
            const char *f = old[i];
            while (*f == '/')
                f++;
            size_t n = strlen(f);
            if (n > 0 && n < sizeof(path))
                rc = cb(f, n, ctx);
        }
    }
    free(bases);
    free(dirs);
    free(old);
    return rc;
}

/* ---- shared per-database state ----------------------------------------------------------- */

struct rpmdb_ctx {
    const char *path;
    const char *what; /* path or a generic label, for messages */
    struct pkg_list *out;
    struct dd_error *err;
    size_t headers; /* records seen */
    size_t bad;     /* records that did not parse */
    rpm_file_cb files_cb;
    void *files_ctx;
};

/* Parse one record and append it; a damaged record is counted and remembered in err, and the
 * walk goes on. Returns only hard errors (ENOMEM, ELIMIT). */
static int ctx_add_header(struct rpmdb_ctx *c, const uint8_t *blob, size_t len)
{
    if (++c->headers > RPMDB_MAX_PACKAGES)
        return dd_error_set(c->err, DD_ELIMIT, "%s: more than %d packages", c->what,
                            RPMDB_MAX_PACKAGES);
    struct dd_error herr = {0};
    struct pkg p = {0};
    int rc = rpm_header_parse(blob, len, &p, &herr);
    if (rc == DD_ENOMEM)
        return dd_error_set(c->err, rc, "%s: out of memory", c->what);
    if (rc != 0) {
        c->bad++;
        dd_error_set(c->err, rc, "%s: record %zu: %s", c->what, c->headers, herr.msg);
        return 0;
    }
    if (p.name == NULL || strcmp(p.name, "gpg-pubkey") == 0) { /* gpg-pubkey: imported keys */
        pkg_cleanup(&p);
        return 0;
    }
    if (c->path) {
        p.file_path = strdup(c->path);
        if (p.file_path == NULL) {
            pkg_cleanup(&p);
            return dd_error_set(c->err, DD_ENOMEM, "%s: out of memory", c->what);
        }
    }
    struct pkg *slot;
    if (pkg_list_add(c->out, &slot) != 0) {
        pkg_cleanup(&p);
        return dd_error_set(c->err, DD_ENOMEM, "%s: out of memory", c->what);
    }
    *slot = p;
    if (c->files_cb) {
        struct dd_error ferr = {0};
        rc = rpm_header_files(blob, len, c->files_cb, c->files_ctx, &ferr);
        if (rc == DD_ENOMEM)
            return dd_error_set(c->err, rc, "%s: out of memory", c->what);
        if (rc) {
            c->bad++;
            dd_error_set(c->err, rc, "%s: record %zu: file list: %s", c->what, c->headers,
                         ferr.msg);
        }
    }
    return 0;
}

/* ---- SQLite ------------------------------------------------------------------------------ */

#define SQLITE_PROGRESS_OPS   10000 /* VM instructions between progress callbacks */
#define SQLITE_PROGRESS_LIMIT 50000 /* callbacks before we give up: 5e8 instructions */

static int on_sqlite_progress(void *arg)
{
    unsigned *calls = arg;
    return ++*calls > SQLITE_PROGRESS_LIMIT; /* non-zero interrupts the statement */
}

static int rpmdb_parse_sqlite(struct rpmdb_ctx *c, const uint8_t *data, size_t len)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    unsigned char *copy = NULL;
    unsigned progress_calls = 0;
    int rc = 0;

    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL) !=
        SQLITE_OK) {
        rc = dd_error_set(c->err, DD_ENOMEM, "%s: cannot open an in-memory sqlite", c->what);
        goto out;
    }
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, (int *)NULL);
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, (int)RPM_HEADER_MAX_BYTES);
    sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 1 << 20);
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    sqlite3_progress_handler(db, SQLITE_PROGRESS_OPS, on_sqlite_progress, &progress_calls);

    /* The bytes are const: hand sqlite a private copy only when we must patch the header.
     * Bytes 18/19 == 2 mark WAL mode, which an in-memory database cannot open; as a read-only
     * snapshot, the legacy rollback mode (1) reads the same pages. */
    unsigned char *image = (unsigned char *)(uintptr_t)data;
    unsigned flags = SQLITE_DESERIALIZE_READONLY;
    if (len >= 20 && (data[18] == 2 || data[19] == 2)) {
        copy = sqlite3_malloc64(len);
        if (copy == NULL) {
            rc = dd_error_set(c->err, DD_ENOMEM, "%s: out of memory", c->what);
            goto out;
        }
        memcpy(copy, data, len);
        copy[18] = copy[19] = 1;
        image = copy;
        flags |= SQLITE_DESERIALIZE_FREEONCLOSE;
    }
    int src = sqlite3_deserialize(db, "main", image, (sqlite3_int64)len, (sqlite3_int64)len, flags);
    copy = NULL; /* owned by sqlite now, even on failure */
    if (src != SQLITE_OK) {
        rc = dd_error_set(c->err, DD_EPARSE, "%s: sqlite: %s", c->what, sqlite3_errmsg(db));
        goto out;
    }
    /* A table, not a view, and nothing else: the schema is attacker-controlled. */
    if (sqlite3_prepare_v2(db,
                           "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                           "name = 'Packages'",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        rc = dd_error_set(c->err, DD_EPARSE, "%s: sqlite: no Packages table (%s)", c->what,
                          sqlite3_errmsg(db));
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT blob FROM Packages", -1, &st, NULL) != SQLITE_OK) {
        rc = dd_error_set(c->err, DD_EPARSE, "%s: sqlite: %s", c->what, sqlite3_errmsg(db));
        goto out;
    }
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const void *blob = sqlite3_column_blob(st, 0);
        int n = sqlite3_column_bytes(st, 0);
        rc = ctx_add_header(c, blob, blob ? (size_t)n : 0);
        if (rc != 0)
            goto out;
    }
    if (step != SQLITE_DONE) {
        rc = dd_error_set(c->err, step == SQLITE_INTERRUPT ? DD_ELIMIT : DD_EPARSE,
                          "%s: sqlite: %s", c->what, sqlite3_errmsg(db));
        goto out;
    }
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    sqlite3_free(copy);
    return rc;
}

/* ---- Berkeley DB hash -------------------------------------------------------------------- */

#define BDB_HASH_MAGIC    0x00061561u
#define BDB_PAGE_HDR      26 /* lsn 8, pgno 4, prev 4, next 4, entries 2, hf_offset 2, level, type */
#define BDB_P_HASH_UNSORT 2
#define BDB_P_OVERFLOW    7
#define BDB_P_HASHMETA    8
#define BDB_P_HASH        13
#define BDB_H_KEYDATA     1
#define BDB_H_OFFPAGE     3

struct bdb {
    const uint8_t *data;
    size_t npages;
    uint32_t pagesize;
    bool swap; /* file is big-endian */
};

static uint32_t bdb_u32(const struct bdb *b, const uint8_t *p)
{
    return b->swap ? be32(p) : le32(p);
}

static uint16_t bdb_u16(const struct bdb *b, const uint8_t *p)
{
    return b->swap ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

/* Collect an overflow chain of total length tlen starting at pgno into a fresh buffer. */
static int bdb_read_overflow(const struct bdb *b, uint32_t pgno, uint32_t tlen, uint8_t **outp,
                             struct dd_error *err, const char *what)
{
    /* Each overflow page holds at most pagesize - header bytes: tlen cannot exceed the file. */
    if (tlen == 0 || tlen > b->npages * (size_t)(b->pagesize - BDB_PAGE_HDR))
        return dd_error_set(err, DD_EPARSE, "%s: overflow item of %u bytes", what, tlen);
    uint8_t *buf = malloc(tlen);
    if (buf == NULL)
        return dd_error_set(err, DD_ENOMEM, "%s: out of memory", what);
    size_t got = 0;
    size_t hops = 0;
    while (got < tlen) {
        if (pgno == 0 || pgno >= b->npages || ++hops > b->npages) {
            free(buf);
            return dd_error_set(err, DD_EPARSE, "%s: overflow chain broken at page %u", what, pgno);
        }
        const uint8_t *pg = b->data + (size_t)pgno * b->pagesize;
        uint16_t n = bdb_u16(b, pg + 22); /* hf_offset: bytes used on an overflow page */
        if (pg[25] != BDB_P_OVERFLOW || n == 0 || n > b->pagesize - BDB_PAGE_HDR ||
            n > tlen - got) {
            free(buf);
            return dd_error_set(err, DD_EPARSE, "%s: bad overflow page %u", what, pgno);
        }
        memcpy(buf + got, pg + BDB_PAGE_HDR, n);
        got += n;
        pgno = bdb_u32(b, pg + 16);
    }
    *outp = buf;
    return 0;
}

static int rpmdb_parse_bdb(struct rpmdb_ctx *c, const uint8_t *data, size_t len)
{
    struct bdb b = {.data = data};
    if (le32(data + 12) == BDB_HASH_MAGIC)
        b.swap = false;
    else if (be32(data + 12) == BDB_HASH_MAGIC)
        b.swap = true;
    else
        return dd_error_set(c->err, DD_EUNSUPPORTED, "%s: not a Berkeley DB hash", c->what);
    b.pagesize = bdb_u32(&b, data + 20);
    if (b.pagesize < 512 || b.pagesize > 65536 || (b.pagesize & (b.pagesize - 1)) != 0)
        return dd_error_set(c->err, DD_EPARSE, "%s: bad page size %u", c->what, b.pagesize);
    if (len < b.pagesize)
        return dd_error_set(c->err, DD_ETRUNC, "%s: shorter than one page", c->what);
    if (data[25] != BDB_P_HASHMETA)
        return dd_error_set(c->err, DD_EPARSE, "%s: page 0 is not a hash meta page", c->what);
    if (data[24] != 0 || (data[26] & 0x01) != 0)
        return dd_error_set(c->err, DD_EUNSUPPORTED, "%s: encrypted or checksummed database",
                            c->what);
    b.npages = len / b.pagesize;

    /* Walk pages in file order: every live hash page is visited once, no bucket chains. */
    for (size_t pgno = 1; pgno < b.npages; pgno++) {
        const uint8_t *pg = data + pgno * b.pagesize;
        if (pg[25] != BDB_P_HASH && pg[25] != BDB_P_HASH_UNSORT)
            continue;
        uint16_t entries = bdb_u16(&b, pg + 20);
        if ((size_t)BDB_PAGE_HDR + (size_t)entries * 2 > b.pagesize) {
            dd_error_set(c->err, DD_EPARSE, "%s: page %zu: %u entries do not fit", c->what, pgno,
                         entries);
            c->bad++;
            continue;
        }
        /* Entries come in key/data pairs; items grow down from the page end, so item i spans
         * [inp[i], inp[i-1]) with inp[-1] = pagesize. */
        for (uint16_t i = 1; i < entries; i += 2) {
            size_t off = bdb_u16(&b, pg + BDB_PAGE_HDR + (size_t)2 * i);
            size_t koff = bdb_u16(&b, pg + BDB_PAGE_HDR + (size_t)2 * (i - 1));
            size_t kend =
                i >= 2 ? bdb_u16(&b, pg + BDB_PAGE_HDR + (size_t)2 * (i - 2)) : b.pagesize;
            if (off < BDB_PAGE_HDR + 2 * (size_t)entries || off >= koff || koff >= kend ||
                kend > b.pagesize) {
                dd_error_set(c->err, DD_EPARSE, "%s: page %zu: item %u out of bounds", c->what,
                             pgno, i);
                c->bad++;
                continue;
            }
            /* rpm's key 0 holds the next instance number, not a package. */
            const uint8_t *key = pg + koff;
            if (key[0] == BDB_H_KEYDATA && kend - koff == 5 && bdb_u32(&b, key + 1) == 0)
                continue;
            const uint8_t *item = pg + off;
            size_t item_len = koff - off;
            if (item[0] == BDB_H_KEYDATA) {
                int rc = ctx_add_header(c, item + 1, item_len - 1);
                if (rc != 0)
                    return rc;
            } else if (item[0] == BDB_H_OFFPAGE) {
                if (item_len < 12) {
                    dd_error_set(c->err, DD_EPARSE, "%s: page %zu: short off-page item", c->what,
                                 pgno);
                    c->bad++;
                    continue;
                }
                uint8_t *blob = NULL;
                uint32_t tlen = bdb_u32(&b, item + 8);
                int rc = bdb_read_overflow(&b, bdb_u32(&b, item + 4), tlen, &blob, c->err, c->what);
                if (rc == DD_ENOMEM)
                    return rc;
                if (rc != 0) {
                    c->bad++;
                    continue;
                }
                rc = ctx_add_header(c, blob, tlen);
                free(blob);
                if (rc != 0)
                    return rc;
            }
        }
    }
    return 0;
}

/* ---- NDB (SUSE) -------------------------------------------------------------------------- */

#define NDB_HEADER_SIZE 32
#define NDB_SLOT_SIZE   16
#define NDB_BLK_SIZE    16
#define NDB_PAGE_SIZE   4096
#define NDB_BLOB_HEAD   16 /* magic, pkgidx, timestamp, bloblen */
#define NDB_BLOB_TAIL   12 /* adler32, bloblen, magic */

static uint32_t magic4(const char m[4])
{
    return le32((const uint8_t *)m);
}

static int rpmdb_parse_ndb(struct rpmdb_ctx *c, const uint8_t *data, size_t len)
{
    if (len < NDB_HEADER_SIZE)
        return dd_error_set(c->err, DD_ETRUNC, "%s: NDB header truncated", c->what);
    if (le32(data + 4) != 0)
        return dd_error_set(c->err, DD_EUNSUPPORTED, "%s: NDB version %u", c->what, le32(data + 4));
    uint32_t slotnpages = le32(data + 12);
    if (slotnpages == 0 || slotnpages > len / NDB_PAGE_SIZE)
        return dd_error_set(c->err, DD_EPARSE, "%s: NDB slot pages %u do not fit", c->what,
                            slotnpages);
    size_t slots_end = (size_t)slotnpages * NDB_PAGE_SIZE;
    size_t fileblks = len / NDB_BLK_SIZE;
    size_t minblk = slots_end / NDB_BLK_SIZE;

    for (size_t o = NDB_HEADER_SIZE; o + NDB_SLOT_SIZE <= slots_end; o += NDB_SLOT_SIZE) {
        const uint8_t *s = data + o;
        if (le32(s) != magic4("Slot")) {
            dd_error_set(c->err, DD_EPARSE, "%s: NDB slot at %zu has a bad magic", c->what, o);
            c->bad++;
            break; /* rpm rejects the whole slot table here; keep what we have */
        }
        uint32_t pkgidx = le32(s + 4), blkoff = le32(s + 8), blkcnt = le32(s + 12);
        if (blkoff == 0)
            continue; /* free slot */
        if (pkgidx == 0 || blkoff < minblk || blkcnt == 0 || blkoff > fileblks ||
            blkcnt > fileblks - blkoff ||
            (size_t)blkcnt * NDB_BLK_SIZE < NDB_BLOB_HEAD + NDB_BLOB_TAIL) {
            dd_error_set(c->err, DD_EPARSE, "%s: NDB slot at %zu out of bounds", c->what, o);
            c->bad++;
            continue;
        }
        const uint8_t *b = data + (size_t)blkoff * NDB_BLK_SIZE;
        size_t room = (size_t)blkcnt * NDB_BLK_SIZE;
        uint32_t bloblen = le32(b + 12);
        if (le32(b) != magic4("BlbS") || le32(b + 4) != pkgidx ||
            bloblen > room - NDB_BLOB_HEAD - NDB_BLOB_TAIL) {
            dd_error_set(c->err, DD_EPARSE, "%s: NDB blob %u is damaged", c->what, pkgidx);
            c->bad++;
            continue;
        }
        const uint8_t *tail = b + NDB_BLOB_HEAD + bloblen;
        if (le32(tail + 4) != bloblen || le32(tail + 8) != magic4("BlbE")) {
            dd_error_set(c->err, DD_EPARSE, "%s: NDB blob %u has a bad tail", c->what, pkgidx);
            c->bad++;
            continue;
        }
        int rc = ctx_add_header(c, b + NDB_BLOB_HEAD, bloblen);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---- entry point ------------------------------------------------------------------------- */

int rpmdb_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                struct dd_error *err)
{
    return rpmdb_parse_files(path, data, len, out, NULL, NULL, err);
}

int rpmdb_parse_files(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                      rpm_file_cb files_cb, void *files_ctx, struct dd_error *err)
{
    struct rpmdb_ctx c = {
        .path = path,
        .what = path ? path : "rpmdb",
        .out = out,
        .err = err,
        .files_cb = files_cb,
        .files_ctx = files_ctx,
    };
    int rc;
    if (len >= 16 && memcmp(data, "SQLite format 3", 16) == 0)
        rc = rpmdb_parse_sqlite(&c, data, len);
    else if (len >= 4 && memcmp(data, "RpmP", 4) == 0)
        rc = rpmdb_parse_ndb(&c, data, len);
    else if (len >= 512 && (le32(data + 12) == BDB_HASH_MAGIC || be32(data + 12) == BDB_HASH_MAGIC))
        rc = rpmdb_parse_bdb(&c, data, len);
    else
        rc = dd_error_set(err, DD_EUNSUPPORTED, "%s: not an rpm database (sqlite, BDB hash, NDB)",
                          c.what);
    if (rc == 0 && c.bad > 0) /* err already holds the first problem */
        rc = err && err->code ? err->code : DD_EPARSE;
    return rc;
}
