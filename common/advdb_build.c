/* advdb_build.c - turn OSV records (directories, .json files, all.zip bulk files) into one
 * advisory database file (format in advdb_build.h, docs/advdb.md).
 *
 * Design: each accepted record is encoded at once into a words vector (u32 string references
 * and counts) with its strings interned in one de-duplicated pool, so memory stays close to
 * the final file size (the pool de-duplicates the long version lists distro records repeat).
 * Per record we keep (id, modified, position, alive); a later record with the same ID and a
 * newer-or-equal "modified" kills the earlier one, a withdrawn record kills it and is not
 * stored. Index postings (ecosystem, normalised name, record, affected index) are collected
 * as we go; write() drops those of dead records, sorts the rest, groups them into keys and
 * lays out an open-addressing hash table of keys.
 *
 * Zip files are read with libarchive's streaming zip reader: each entry is capped at
 * ADVDB_MAX_FILE_BYTES, a whole zip at ADVDB_MAX_ZIP_ENTRIES entries and ADVDB_MAX_ZIP_BYTES
 * uncompressed; crossing a cap (a zip bomb) or a corrupt archive is an error for that zip.
 *
 * Invariants: string references and word offsets fit in 32 bits (checked: a DB over 4 GiB of
 * strings or records is refused); every record decodes with advdb.c's decoder.
 *
 * Deliberately not done: YAML (PyPA repository format; OSV's own PyPI all.zip is JSON),
 * network (advdb_update.c), following symlinks while walking directories.
 */
#include "advdb_build.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "advdb.h"
#include "buf.h"

#define POOL_MAX_BYTES 0xfffffff0u
#define WORDS_MAX      0x3ffffff0u
#define ORIGIN_MAX     512

struct rec {
    uint32_t id, modified; /* string references */
    uint32_t word_off, n_words;
    uint32_t eco_first, n_eco; /* distinct full ecosystems, in b->rec_ecos */
    bool alive;
    bool from_db; /* copied from an existing DB: replacing it is an update, not a duplicate */
};

struct posting {
    uint32_t eco, name, rec, affected;
};

struct advdb_builder {
    /* string pool */
    char *pool;
    size_t pool_len, pool_cap;
    uint32_t *intern; /* open addressing: string reference + 1, 0 empty */
    size_t intern_cap, intern_n;
    /* records */
    uint32_t *words;
    size_t n_words, words_cap;
    struct rec *recs;
    size_t n_recs, recs_cap;
    uint32_t *rec_ecos;
    size_t n_rec_ecos, rec_ecos_cap;
    uint32_t *ids; /* open addressing by id reference: rec index + 1 */
    size_t ids_cap, ids_n;
    struct posting *posts;
    size_t n_posts, posts_cap;
    struct advdb_build_stats stats;
    advdb_warn_cb warn;
    void *warn_ctx;
    bool copying_db; /* inside advdb_builder_add_db */
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * elem);
    if (q == NULL)
        return DD_ENOMEM;
    *p = q;
    *cap = n;
    return 0;
}

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

static int intern_rehash(struct advdb_builder *b)
{
    size_t cap = b->intern_cap ? b->intern_cap * 2 : 4096;
    uint32_t *t = calloc(cap, sizeof(*t));
    if (t == NULL)
        return DD_ENOMEM;
    for (size_t i = 0; i < b->intern_cap; i++) {
        uint32_t r = b->intern[i];
        if (r == 0)
            continue;
        size_t j = hash_str(b->pool + r - 1) & (cap - 1);
        while (t[j])
            j = (j + 1) & (cap - 1);
        t[j] = r;
    }
    free(b->intern);
    b->intern = t;
    b->intern_cap = cap;
    return 0;
}

/* Intern s; NULL gives ADVDB_NULL_STR. Returns 0 or DD_ENOMEM/DD_ETOOBIG. */
static int intern(struct advdb_builder *b, const char *s, uint32_t *ref)
{
    if (s == NULL) {
        *ref = ADVDB_NULL_STR;
        return 0;
    }
    if ((b->intern_n + 1) * 2 > b->intern_cap && intern_rehash(b) != 0)
        return DD_ENOMEM;
    size_t j = hash_str(s) & (b->intern_cap - 1);
    while (b->intern[j]) {
        if (strcmp(b->pool + b->intern[j] - 1, s) == 0) {
            *ref = b->intern[j] - 1;
            return 0;
        }
        j = (j + 1) & (b->intern_cap - 1);
    }
    size_t n = strlen(s) + 1;
    if (b->pool_len + n > POOL_MAX_BYTES)
        return DD_ETOOBIG;
    if (grow((void **)&b->pool, &b->pool_cap, b->pool_len + n, 1) != 0)
        return DD_ENOMEM;
    memcpy(b->pool + b->pool_len, s, n);
    *ref = (uint32_t)b->pool_len;
    b->intern[j] = (uint32_t)b->pool_len + 1;
    b->intern_n++;
    b->pool_len += n;
    return 0;
}

int advdb_builder_new(struct advdb_builder **out)
{
    struct advdb_builder *b = calloc(1, sizeof(*b));
    if (b == NULL)
        return DD_ENOMEM;
    *out = b;
    return 0;
}

void advdb_builder_free(struct advdb_builder *b)
{
    if (b == NULL)
        return;
    free(b->pool);
    free(b->intern);
    free(b->words);
    free(b->recs);
    free(b->rec_ecos);
    free(b->ids);
    free(b->posts);
    free(b);
}

void advdb_builder_set_warn(struct advdb_builder *b, advdb_warn_cb cb, void *ctx)
{
    b->warn = cb;
    b->warn_ctx = ctx;
}

void advdb_builder_stats(const struct advdb_builder *b, struct advdb_build_stats *out)
{
    *out = b->stats;
}

uint64_t advdb_builder_count(const struct advdb_builder *b)
{
    uint64_t n = 0;
    for (size_t i = 0; i < b->n_recs; i++)
        n += b->recs[i].alive;
    return n;
}

static void warn(struct advdb_builder *b, const char *where, const char *msg)
{
    if (b->warn)
        b->warn(where, msg, b->warn_ctx);
}

/* --- id map ------------------------------------------------------------------------------ */

static int ids_rehash(struct advdb_builder *b)
{
    size_t cap = b->ids_cap ? b->ids_cap * 2 : 4096;
    uint32_t *t = calloc(cap, sizeof(*t));
    if (t == NULL)
        return DD_ENOMEM;
    for (size_t i = 0; i < b->ids_cap; i++) {
        if (b->ids[i] == 0)
            continue;
        uint32_t id = b->recs[b->ids[i] - 1].id;
        size_t j = (size_t)(id * 2654435761u) & (cap - 1);
        while (t[j])
            j = (j + 1) & (cap - 1);
        t[j] = b->ids[i];
    }
    free(b->ids);
    b->ids = t;
    b->ids_cap = cap;
    return 0;
}

/* Slot for id (a string reference): holds rec index + 1 or 0. */
static uint32_t *ids_slot(struct advdb_builder *b, uint32_t id)
{
    size_t j = (size_t)(id * 2654435761u) & (b->ids_cap - 1);
    while (b->ids[j] && b->recs[b->ids[j] - 1].id != id)
        j = (j + 1) & (b->ids_cap - 1);
    return &b->ids[j];
}

/* --- encoding ---------------------------------------------------------------------------- */

struct enc {
    struct advdb_builder *b;
    int rc;
};

static void put(struct enc *e, uint32_t w)
{
    struct advdb_builder *b = e->b;
    if (e->rc)
        return;
    if (b->n_words >= WORDS_MAX) {
        e->rc = DD_ETOOBIG;
        return;
    }
    if (grow((void **)&b->words, &b->words_cap, b->n_words + 1, sizeof(uint32_t)) != 0) {
        e->rc = DD_ENOMEM;
        return;
    }
    b->words[b->n_words++] = w;
}

static void put_str(struct enc *e, const char *s)
{
    uint32_t r = 0;
    if (e->rc)
        return;
    if ((e->rc = intern(e->b, s, &r)) == 0)
        put(e, r);
}

static void put_strv(struct enc *e, char *const *v, size_t n)
{
    put(e, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        put_str(e, v[i]);
}

/* A string list without repeats (first kept): interned strings compare by reference.
 * References are stored so; the matcher relies on a record's being unique (osv.h). */
static void put_strv_unique(struct enc *e, char *const *v, size_t n)
{
    struct advdb_builder *b = e->b;
    size_t count_at = b->n_words;
    put(e, 0); /* patched below */
    uint32_t kept = 0;
    for (size_t i = 0; i < n && !e->rc; i++) {
        uint32_t r = 0;
        if ((e->rc = intern(b, v[i], &r)) != 0)
            break;
        bool seen = false;
        for (uint32_t k = 0; k < kept && !seen; k++)
            seen = b->words[count_at + 1 + k] == r;
        if (!seen) {
            put(e, r);
            kept++;
        }
    }
    if (!e->rc)
        b->words[count_at] = kept;
}

static void put_sev(struct enc *e, const struct osv_severity *s, size_t n)
{
    put(e, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        put_str(e, s[i].type);
        put_str(e, s[i].score);
    }
}

static void encode(struct enc *e, const struct advisory *a)
{
    put_str(e, a->id);
    put_str(e, a->summary);
    put_str(e, a->details);
    put_str(e, a->published);
    put_str(e, a->modified);
    put_str(e, a->withdrawn);
    put_str(e, a->db_severity);
    put_strv(e, a->aliases, a->n_aliases);
    put_strv(e, a->upstream, a->n_upstream);
    put_sev(e, a->severity, a->n_severity);
    put_strv_unique(e, a->references, a->n_references);
    put(e, (uint32_t)a->n_affected);
    for (size_t i = 0; i < a->n_affected; i++) {
        const struct osv_affected *f = &a->affected[i];
        size_t len_at = e->b->n_words;
        put(e, 0); /* words in this entry after this one, patched below */
        put_str(e, f->ecosystem);
        put_str(e, f->name);
        put_str(e, f->purl);
        put_str(e, f->severity);
        put(e, (uint32_t)f->n_ranges);
        for (size_t r = 0; r < f->n_ranges; r++) {
            put(e, (uint32_t)f->ranges[r].type);
            put(e, (uint32_t)f->ranges[r].n_events);
            for (size_t k = 0; k < f->ranges[r].n_events; k++) {
                put(e, (uint32_t)f->ranges[r].events[k].kind);
                put_str(e, f->ranges[r].events[k].value);
            }
        }
        put_strv(e, f->versions, f->n_versions);
        put_sev(e, f->pkg_severity, f->n_pkg_severity);
        if (e->rc == 0)
            e->b->words[len_at] = (uint32_t)(e->b->n_words - len_at - 1);
    }
}

static int add_postings(struct advdb_builder *b, const struct advisory *a, uint32_t rec_idx,
                        struct rec *r)
{
    char norm[4096];
    r->eco_first = (uint32_t)b->n_rec_ecos;
    r->n_eco = 0;
    for (size_t i = 0; i < a->n_affected; i++) {
        const struct osv_affected *f = &a->affected[i];
        uint32_t eco, name;
        int rc;
        if (f->ecosystem == NULL || f->name == NULL)
            continue;
        if (advdb_normalize_name(f->ecosystem, f->name, norm, sizeof(norm)) < 0)
            continue; /* a name longer than 4 KiB can never be looked up */
        if ((rc = intern(b, f->ecosystem, &eco)) != 0 || (rc = intern(b, norm, &name)) != 0)
            return rc;
        if (grow((void **)&b->posts, &b->posts_cap, b->n_posts + 1, sizeof(*b->posts)) != 0)
            return DD_ENOMEM;
        b->posts[b->n_posts++] = (struct posting){eco, name, rec_idx, (uint32_t)i};
        bool seen = false;
        for (uint32_t k = 0; k < r->n_eco; k++)
            seen |= b->rec_ecos[r->eco_first + k] == eco;
        if (!seen) {
            if (grow((void **)&b->rec_ecos, &b->rec_ecos_cap, b->n_rec_ecos + 1,
                     sizeof(uint32_t)) != 0)
                return DD_ENOMEM;
            b->rec_ecos[b->n_rec_ecos++] = eco;
            r->n_eco++;
        }
    }
    return 0;
}

int advdb_builder_add(struct advdb_builder *b, const struct advisory *adv, struct dd_error *err)
{
    uint32_t id, mod;
    int rc;

    if (adv->id == NULL)
        return dd_error_set(err, DD_EINVAL, "advisory without an id");
    if (b->n_recs >= ADVDB_MAX_RECORDS)
        return dd_error_set(err, DD_ELIMIT, "more than %u records", ADVDB_MAX_RECORDS);
    if ((rc = intern(b, adv->id, &id)) != 0 ||
        (rc = intern(b, adv->modified ? adv->modified : "", &mod)) != 0)
        return dd_error_set(err, rc, "%s: %s", adv->id, dd_strerror(rc));
    if ((b->ids_n + 1) * 2 > b->ids_cap && ids_rehash(b) != 0)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    uint32_t *slot = ids_slot(b, id);
    if (*slot) {
        struct rec *old = &b->recs[*slot - 1];
        if (strcmp(b->pool + mod, b->pool + old->modified) < 0) {
            b->stats.duplicates++;
            return 0; /* what we hold is newer */
        }
        if (old->alive && !adv->withdrawn && !old->from_db)
            b->stats.duplicates++;
        old->alive = false;
    }
    if (grow((void **)&b->recs, &b->recs_cap, b->n_recs + 1, sizeof(*b->recs)) != 0)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    uint32_t idx = (uint32_t)b->n_recs;
    struct rec *r = &b->recs[idx];
    memset(r, 0, sizeof(*r));
    r->id = id;
    r->modified = mod;
    r->from_db = b->copying_db;
    r->word_off = (uint32_t)b->n_words;
    if (!*slot)
        b->ids_n++;
    *slot = idx + 1;
    b->n_recs++;
    if (adv->withdrawn) {
        b->stats.withdrawn++; /* a tombstone: kills older copies, stores nothing */
        return 0;
    }
    size_t words_before = b->n_words, posts_before = b->n_posts, ecos_before = b->n_rec_ecos;
    struct enc e = {b, 0};
    encode(&e, adv);
    rc = e.rc ? e.rc : add_postings(b, adv, idx, r);
    if (rc) {
        b->n_words = words_before;
        b->n_posts = posts_before;
        b->n_rec_ecos = ecos_before;
        r->n_eco = 0;
        return dd_error_set(err, rc, "%s: %s", adv->id, dd_strerror(rc));
    }
    r->n_words = (uint32_t)(b->n_words - words_before);
    r->alive = true;
    b->stats.loaded++;
    return 0;
}

int advdb_builder_add_json(struct advdb_builder *b, const uint8_t *json, size_t len,
                           const char *origin, struct dd_error *err)
{
    struct advisory adv;
    struct dd_error perr = {0};
    char where[ORIGIN_MAX + 160];
    int rc = osv_parse(json, len, &adv, &perr);
    if (rc) {
        b->stats.skipped++;
        /* perr.msg starts with the record ID ("GHSA-x: ...") or "osv: " when unknown:
         * warn as "origin:GHSA-x" + "reason". */
        const char *msg = perr.msg, *sep = strstr(perr.msg, ": ");
        if (strncmp(msg, "osv: ", 5) == 0) {
            snprintf(where, sizeof(where), "%.*s", ORIGIN_MAX, origin);
            msg += 5;
        } else if (sep != NULL && sep - msg < 150) {
            snprintf(where, sizeof(where), "%.*s:%.*s", ORIGIN_MAX, origin, (int)(sep - msg), msg);
            msg = sep + 2;
        } else {
            snprintf(where, sizeof(where), "%.*s", ORIGIN_MAX, origin);
        }
        warn(b, where, msg);
        return rc == DD_ENOMEM ? dd_error_set(err, rc, "%s: out of memory", origin) : 0;
    }
    rc = advdb_builder_add(b, &adv, err);
    advisory_cleanup(&adv);
    return rc;
}

/* --- sources ----------------------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int add_archive(struct advdb_builder *b, struct archive *ar, const char *origin,
                       struct dd_error *err)
{
    struct archive_entry *ent;
    struct buf body;
    uint64_t entries = 0, total = 0;
    char where[ORIGIN_MAX + 300];
    int rc = 0, r;

    buf_init(&body, ADVDB_MAX_FILE_BYTES);
    while ((r = archive_read_next_header(ar, &ent)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
        const char *name = archive_entry_pathname(ent);
        if (++entries > ADVDB_MAX_ZIP_ENTRIES) {
            rc = dd_error_set(err, DD_ELIMIT, "%s: more than %u entries", origin,
                              ADVDB_MAX_ZIP_ENTRIES);
            goto out;
        }
        if (name == NULL || archive_entry_filetype(ent) != AE_IFREG || !ends_with(name, ".json"))
            continue;
        snprintf(where, sizeof(where), "%.*s:%.200s", ORIGIN_MAX, origin, name);
        if (archive_entry_size_is_set(ent) && archive_entry_size(ent) > ADVDB_MAX_FILE_BYTES) {
            rc = dd_error_set(err, DD_EBOMB, "%s: entry declares %lld bytes (cap %u)", where,
                              (long long)archive_entry_size(ent), ADVDB_MAX_FILE_BYTES);
            goto out;
        }
        buf_reset(&body);
        for (;;) {
            char chunk[65536];
            la_ssize_t n = archive_read_data(ar, chunk, sizeof(chunk));
            if (n == 0)
                break;
            if (n < 0) {
                rc = dd_error_set(err, DD_EPARSE, "%s: corrupt zip: %s", where,
                                  archive_error_string(ar) ? archive_error_string(ar) : "?");
                goto out;
            }
            total += (uint64_t)n;
            if (total > ADVDB_MAX_ZIP_BYTES || buf_append(&body, chunk, (size_t)n) != 0) {
                rc = dd_error_set(err, DD_EBOMB,
                                  "%s: inflates past %u bytes (zip bomb or not an OSV record)",
                                  where, ADVDB_MAX_FILE_BYTES);
                goto out;
            }
        }
        if ((rc = advdb_builder_add_json(b, body.data, body.len, where, err)) != 0)
            goto out;
    }
    if (r != ARCHIVE_EOF) {
        rc = dd_error_set(err, DD_EPARSE, "%s: corrupt zip: %s", origin,
                          archive_error_string(ar) ? archive_error_string(ar) : "?");
        goto out;
    }
out:
    buf_cleanup(&body);
    return rc;
}

static struct archive *zip_reader(void)
{
    struct archive *ar = archive_read_new();
    if (ar == NULL)
        return NULL;
    archive_read_support_format_zip_streamable(ar);
    return ar;
}

static int add_zip_file(struct advdb_builder *b, const char *path, struct dd_error *err)
{
    struct archive *ar = zip_reader();
    int rc;
    if (ar == NULL)
        return dd_error_set(err, DD_ENOMEM, "%s: out of memory", path);
    if (archive_read_open_filename(ar, path, 65536) != ARCHIVE_OK) {
        rc = dd_error_set(err, DD_EIO, "%s: %s", path,
                          archive_error_string(ar) ? archive_error_string(ar) : "cannot open");
        goto out;
    }
    rc = add_archive(b, ar, path, err);
out:
    archive_read_free(ar);
    return rc;
}

int advdb_builder_add_zip_mem(struct advdb_builder *b, const void *data, size_t len,
                              const char *origin, struct dd_error *err)
{
    struct archive *ar = zip_reader();
    int rc;
    if (ar == NULL)
        return dd_error_set(err, DD_ENOMEM, "%s: out of memory", origin);
    if (archive_read_open_memory(ar, data, len) != ARCHIVE_OK) {
        rc = dd_error_set(err, DD_EPARSE, "%s: corrupt zip: %s", origin,
                          archive_error_string(ar) ? archive_error_string(ar) : "?");
        goto out;
    }
    rc = add_archive(b, ar, origin, err);
out:
    archive_read_free(ar);
    return rc;
}

static int read_file(const char *path, struct buf *out, struct dd_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc = 0;
    if (fd < 0)
        return dd_error_set(err, -errno, "%s: %s", path, strerror(errno));
    for (;;) {
        char chunk[65536];
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = dd_error_set(err, -errno, "%s: %s", path, strerror(errno));
            break;
        }
        if (buf_append(out, chunk, (size_t)n) != 0) {
            rc = dd_error_set(err, DD_ETOOBIG, "%s: larger than %u bytes", path,
                              ADVDB_MAX_FILE_BYTES);
            break;
        }
    }
    close(fd);
    return rc;
}

static int add_json_file(struct advdb_builder *b, const char *path, struct dd_error *err)
{
    struct buf body;
    struct dd_error ferr = {0};
    buf_init(&body, ADVDB_MAX_FILE_BYTES);
    int rc = read_file(path, &body, &ferr);
    if (rc == 0) {
        rc = advdb_builder_add_json(b, body.data, body.len, path, err);
    } else {
        b->stats.skipped++;
        warn(b, path, ferr.msg);
        rc = 0;
    }
    buf_cleanup(&body);
    return rc;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static int add_dir(struct advdb_builder *b, const char *path, int depth, struct dd_error *err)
{
    DIR *d = NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;

    if (depth > ADVDB_MAX_DIR_DEPTH)
        return dd_error_set(err, DD_ELIMIT, "%s: directories nested deeper than %d", path,
                            ADVDB_MAX_DIR_DEPTH);
    d = opendir(path);
    if (d == NULL)
        return dd_error_set(err, -errno, "%s: %s", path, strerror(errno));
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (grow((void **)&names, &cap, n + 1, sizeof(*names)) != 0 ||
            (names[n] = strdup(de->d_name)) == NULL) {
            rc = dd_error_set(err, DD_ENOMEM, "out of memory");
            goto out;
        }
        n++;
    }
    if (n > 1)
        qsort(names, n, sizeof(*names), cmp_str);
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t l = strlen(path) + strlen(names[i]) + 2;
        char *child = malloc(l);
        struct stat st;
        if (child == NULL) {
            rc = dd_error_set(err, DD_ENOMEM, "out of memory");
            break;
        }
        snprintf(child, l, "%s/%s", path, names[i]);
        if (lstat(child, &st) != 0) {
            warn(b, child, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            rc = add_dir(b, child, depth + 1, err);
        } else if (S_ISREG(st.st_mode) && ends_with(names[i], ".json")) {
            rc = add_json_file(b, child, err);
        } else if (S_ISREG(st.st_mode) &&
                   (ends_with(names[i], ".yaml") || ends_with(names[i], ".yml"))) {
            b->stats.skipped++;
            b->stats.yaml++;
            warn(b, child, "YAML records are not read (OSV JSON only); skipped");
        }
        free(child);
    }
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return rc;
}

int advdb_builder_add_path(struct advdb_builder *b, const char *path, struct dd_error *err)
{
    struct stat st;
    int rc;
    if (stat(path, &st) != 0)
        rc = dd_error_set(err, -errno, "%s: %s", path, strerror(errno));
    else if (S_ISDIR(st.st_mode))
        rc = add_dir(b, path, 0, err);
    else if (ends_with(path, ".zip"))
        rc = add_zip_file(b, path, err);
    else if (ends_with(path, ".json"))
        rc = add_json_file(b, path, err);
    else if (ends_with(path, ".yaml") || ends_with(path, ".yml")) {
        b->stats.skipped++;
        b->stats.yaml++;
        warn(b, path, "YAML records are not read (OSV JSON only); skipped");
        rc = 0;
    } else
        rc = dd_error_set(err, DD_EUNSUPPORTED,
                          "%s: not a directory, .zip bulk file or .json record", path);
    if (rc)
        b->stats.failed_sources++;
    return rc;
}

static int on_db_record(const struct advisory *adv, size_t idx, void *ctx)
{
    (void)idx;
    struct advdb_builder *b = ctx;
    return advdb_builder_add(b, adv, NULL);
}

int advdb_builder_add_db(struct advdb_builder *b, struct advdb *db, struct dd_error *err)
{
    b->copying_db = true;
    int rc = advdb_foreach(db, on_db_record, b, err);
    b->copying_db = false;
    if (rc)
        dd_error_set(err, rc, "copying the old database: %s", dd_strerror(rc));
    return rc;
}

/* --- writing ----------------------------------------------------------------------------- */

/* Order by interned references: equal strings share one reference, so this groups each
 * (ecosystem, name) key together without comparing bytes. */
static int cmp_u32(uint32_t a, uint32_t b)
{
    return a < b ? -1 : a > b;
}

static int cmp_post(const void *x, const void *y)
{
    const struct posting *p = x, *q = y;
    int c = cmp_u32(p->eco, q->eco);
    if (c == 0)
        c = cmp_u32(p->name, q->name);
    if (c == 0)
        c = cmp_u32(p->rec, q->rec);
    if (c == 0)
        c = cmp_u32(p->affected, q->affected);
    return c;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static int pad4(int fd, uint64_t *off)
{
    static const char zero[4] = {0};
    size_t n = (size_t)((4 - *off % 4) % 4);
    *off += n;
    return n ? write_all(fd, zero, n) : 0;
}

static void count_eco(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    json_object_set_new(obj, key, json_integer(v ? json_integer_value(v) + 1 : 1));
}

static char *build_meta(const struct advdb_builder *b, const struct advdb_build_meta *m,
                        int64_t now, uint64_t records)
{
    json_t *root = json_object(), *ecos = json_object(), *vars = json_object(),
           *curs = json_object(); /* all owned until set_new */
    char ts[32], *out = NULL;
    struct tm tm;
    time_t t = (time_t)now;
    gmtime_r(&t, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
    for (size_t i = 0; i < b->n_recs; i++) {
        const struct rec *r = &b->recs[i];
        if (!r->alive)
            continue;
        /* base counts once per record even when it names several releases */
        json_t *bases = json_object();
        for (uint32_t k = 0; k < r->n_eco; k++) {
            const char *eco = b->pool + b->rec_ecos[r->eco_first + k];
            char base[256];
            size_t bl = strcspn(eco, ":");
            snprintf(base, sizeof(base), "%.*s", (int)(bl < 255 ? bl : 255), eco);
            count_eco(vars, eco);
            json_object_set_new(bases, base, json_true());
        }
        const char *k;
        json_t *v;
        json_object_foreach(bases, k, v)
        {
            count_eco(ecos, k);
        }
        json_decref(bases);
    }
    for (size_t i = 0; i < m->n_cursors; i++)
        json_object_set_new(curs, m->cursor_ecosystems[i], json_string(m->cursor_times[i]));
    json_object_set_new(root, "format_version", json_integer(ADVDB_FORMAT_VERSION));
    json_object_set_new(root, "built_at", json_string(ts));
    json_object_set_new(root, "built_at_s", json_integer(now));
    json_object_set_new(root, "source", json_string(m->source ? m->source : ""));
    if (m->mirror)
        json_object_set_new(root, "mirror", json_string(m->mirror));
    json_object_set_new(root, "records", json_integer((json_int_t)records));
    json_object_set_new(root, "skipped", json_integer((json_int_t)b->stats.skipped));
    json_object_set_new(root, "withdrawn", json_integer((json_int_t)b->stats.withdrawn));
    json_object_set_new(root, "duplicates", json_integer((json_int_t)b->stats.duplicates));
    json_object_set_new(root, "ecosystems", ecos);
    json_object_set_new(root, "variants", vars);
    json_object_set_new(root, "cursors", curs);
    out = json_dumps(root, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(root);
    return out;
}

int advdb_builder_write(struct advdb_builder *b, const char *path,
                        const struct advdb_build_meta *meta, struct dd_error *err)
{
    uint32_t *new_off = NULL, *buckets = NULL;
    struct posting *posts = NULL;
    struct advdb_key *keys = NULL;
    struct advdb_posting *out_posts = NULL;
    char *meta_json = NULL, *tmp = NULL;
    int fd = -1, rc = 0;
    size_t n_posts = 0, n_keys = 0, n_buckets = 16;
    uint64_t records = 0, rec_words = 0;

    int64_t now = meta->built_at_s ? meta->built_at_s : (int64_t)time(NULL);
    new_off = malloc((b->n_recs + 1) * sizeof(*new_off));
    posts = malloc((b->n_posts + 1) * sizeof(*posts));
    if (new_off == NULL || posts == NULL) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < b->n_recs; i++) {
        new_off[i] = (uint32_t)rec_words;
        if (b->recs[i].alive) {
            rec_words += b->recs[i].n_words;
            records++;
        }
    }
    for (size_t i = 0; i < b->n_posts; i++)
        if (b->recs[b->posts[i].rec].alive)
            posts[n_posts++] = b->posts[i];
    qsort(posts, n_posts, sizeof(*posts), cmp_post);
    for (size_t i = 0; i < n_posts; i++)
        if (i == 0 || posts[i].eco != posts[i - 1].eco || posts[i].name != posts[i - 1].name)
            n_keys++;
    while (n_buckets < 2 * n_keys + 2)
        n_buckets *= 2;
    keys = calloc(n_keys + 1, sizeof(*keys));
    buckets = calloc(n_buckets, sizeof(*buckets));
    out_posts = malloc((n_posts + 1) * sizeof(*out_posts));
    meta_json = build_meta(b, meta, now, records);
    tmp = malloc(strlen(path) + 5);
    if (keys == NULL || buckets == NULL || out_posts == NULL || meta_json == NULL || tmp == NULL) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    size_t k = 0;
    for (size_t i = 0; i < n_posts; i++) {
        if (i == 0 || posts[i].eco != posts[i - 1].eco || posts[i].name != posts[i - 1].name) {
            struct advdb_key *key = &keys[k++];
            key->ecosystem = posts[i].eco;
            key->name = posts[i].name;
            key->hash = advdb_key_hash(b->pool + posts[i].eco, b->pool + posts[i].name);
            key->first_posting = (uint32_t)i;
            uint32_t j = key->hash & (uint32_t)(n_buckets - 1);
            while (buckets[j])
                j = (j + 1) & (uint32_t)(n_buckets - 1);
            buckets[j] = (uint32_t)k;
        }
        keys[k - 1].n_postings++;
        out_posts[i].record = new_off[posts[i].rec];
        out_posts[i].affected = posts[i].affected;
    }

    struct advdb_header h;
    memset(&h, 0, sizeof(h));
    memcpy(h.magic, ADVDB_MAGIC, 8);
    h.format_version = ADVDB_FORMAT_VERSION;
    h.header_bytes = sizeof(h);
    h.built_at_s = now;
    h.n_keys = (uint32_t)n_keys;
    h.n_buckets = (uint32_t)n_buckets;
    h.n_postings = (uint32_t)n_posts;
    h.n_records = (uint32_t)records;
    uint64_t off = sizeof(h);
    h.meta_off = off;
    h.meta_len = strlen(meta_json);
    off += h.meta_len + 1;
    off += (4 - off % 4) % 4;
    h.records_off = off;
    h.records_len = rec_words * 4;
    off += h.records_len;
    h.keys_off = off;
    off += n_keys * sizeof(*keys);
    h.buckets_off = off;
    off += n_buckets * 4;
    h.postings_off = off;
    off += n_posts * sizeof(*out_posts);
    h.strings_off = off;
    h.strings_len = b->pool_len + 1; /* trailing NUL even when the pool is empty */
    off += h.strings_len;
    h.file_bytes = off;

    snprintf(tmp, strlen(path) + 5, "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = dd_error_set(err, -errno, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    uint64_t w = 0;
    if ((rc = write_all(fd, &h, sizeof(h))) != 0 ||
        (rc = write_all(fd, meta_json, h.meta_len + 1)) != 0)
        goto werr;
    w = sizeof(h) + h.meta_len + 1;
    if ((rc = pad4(fd, &w)) != 0)
        goto werr;
    for (size_t i = 0; i < b->n_recs; i++)
        if (b->recs[i].alive && (rc = write_all(fd, b->words + b->recs[i].word_off,
                                                (size_t)b->recs[i].n_words * 4)) != 0)
            goto werr;
    if ((rc = write_all(fd, keys, n_keys * sizeof(*keys))) != 0 ||
        (rc = write_all(fd, buckets, n_buckets * 4)) != 0 ||
        (rc = write_all(fd, out_posts, n_posts * sizeof(*out_posts))) != 0 ||
        (b->pool_len && (rc = write_all(fd, b->pool, b->pool_len)) != 0) ||
        (rc = write_all(fd, "", 1)) != 0)
        goto werr;
    if (fsync(fd) != 0) {
        rc = -errno;
        goto werr;
    }
    if (close(fd) != 0) {
        fd = -1;
        rc = -errno;
        goto werr;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        rc = -errno;
        goto werr;
    }
    goto out;
werr:
    dd_error_set(err, rc, "writing %s: %s", tmp, dd_strerror(rc));
    unlink(tmp);
out:
    if (fd >= 0)
        close(fd);
    free(tmp);
    free(meta_json);
    free(out_posts);
    free(buckets);
    free(keys);
    free(posts);
    free(new_off);
    return rc;
}
