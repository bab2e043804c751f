/* advdb.c - read side of the advisory database: mmap, hash lookup, record decoding.
 *
 * Design: the file (format in advdb_build.h, diagram in docs/advdb.md) is mapped read-only
 * and shared; opening checks only the header and that every section lies inside the file
 * (O(1), well under a millisecond). A lookup hashes (ecosystem, normalised name), probes the
 * bucket table, and for each posting decodes the record into a struct advisory whose strings
 * point straight into the mapping; the pointer arrays live in a small chunked arena owned by
 * the call, so lookups never touch shared mutable state.
 *
 * Invariants: every word and string reference read from the file is bounds-checked before
 * use (the strings section ends in a NUL, so any in-range reference is a terminated string);
 * a corrupt file gives DD_EPARSE, never a wild read. Counts in a record are bounded by the
 * words left, so no allocation exceeds the record's own size times a small factor.
 *
 * Deliberately not done: writing (advdb_build.c), version matching (match.c), checksums at
 * open (advdb_verify does the full walk when a new file is installed).
 */
#include "advdb.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "advdb_build.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "advdb: the file format is little-endian; add byte swapping for this host"
#endif

#define NAME_MAX_BYTES 4096

struct advdb {
    const uint8_t *map;
    size_t map_len;
    struct advdb_header h;
    const char *strings;
    size_t strings_len;
    const uint32_t *words;
    size_t n_words;
    const struct advdb_key *keys;
    const uint32_t *buckets;
    const struct advdb_posting *postings;
};

/* --- helpers shared with the builder ---------------------------------------------------- */

uint32_t advdb_key_hash(const char *ecosystem, const char *name)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)ecosystem; *p; p++)
        h = (h ^ *p) * 16777619u;
    h = (h ^ 0u) * 16777619u;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

int advdb_normalize_name(const char *ecosystem, const char *name, char *out, size_t cap)
{
    size_t n = 0;
    if (cap == 0)
        return DD_ETOOBIG;
    if (strcmp(ecosystem, "PyPI") != 0) {
        n = strlen(name);
        if (n + 1 > cap)
            return DD_ETOOBIG;
        memcpy(out, name, n + 1);
        return (int)n;
    }
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (c == '-' || c == '_' || c == '.') {
            while (p[1] == '-' || p[1] == '_' || p[1] == '.')
                p++;
            c = '-';
        } else if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        if (n + 2 > cap)
            return DD_ETOOBIG;
        out[n++] = c;
    }
    out[n] = '\0';
    return (int)n;
}

/* --- open / close ----------------------------------------------------------------------- */

static bool section_ok(uint64_t off, uint64_t len, uint64_t file, uint64_t align)
{
    return off <= file && len <= file - off && off % align == 0;
}

int advdb_open(const char *path, struct advdb **out, struct dd_error *err)
{
    struct advdb *db = NULL;
    int fd = -1, rc;
    struct stat st;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = -errno;
        dd_error_set(err, rc, "advisory DB %s: %s", path, strerror(errno));
        goto out;
    }
    if (fstat(fd, &st) != 0) {
        rc = -errno;
        dd_error_set(err, rc, "advisory DB %s: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size < sizeof(struct advdb_header)) {
        rc = dd_error_set(err, DD_EPARSE, "advisory DB %s: not a drydock advisory database", path);
        goto out;
    }
    db = calloc(1, sizeof(*db));
    if (db == NULL) {
        rc = dd_error_set(err, DD_ENOMEM, "advisory DB %s: out of memory", path);
        goto out;
    }
    db->map_len = (size_t)st.st_size;
    void *m = mmap(NULL, db->map_len, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        rc = -errno;
        dd_error_set(err, rc, "advisory DB %s: mmap: %s", path, strerror(errno));
        goto out;
    }
    db->map = m;
    memcpy(&db->h, db->map, sizeof(db->h));
    const struct advdb_header *h = &db->h;
    if (memcmp(h->magic, ADVDB_MAGIC, 8) != 0) {
        rc = dd_error_set(err, DD_EPARSE, "advisory DB %s: not a drydock advisory database", path);
        goto out;
    }
    if (h->format_version != ADVDB_FORMAT_VERSION || h->header_bytes != sizeof(*h)) {
        rc = dd_error_set(err, DD_EUNSUPPORTED,
                          "advisory DB %s: format version %u, this drydock reads %u; rebuild it "
                          "with 'drydock db build' or 'drydock db update'",
                          path, h->format_version, ADVDB_FORMAT_VERSION);
        goto out;
    }
    uint64_t fl = db->map_len;
    if (h->file_bytes != fl || h->meta_len >= fl ||
        !section_ok(h->meta_off, h->meta_len + 1, fl, 1) ||
        !section_ok(h->strings_off, h->strings_len, fl, 1) || h->strings_len == 0 ||
        !section_ok(h->records_off, h->records_len, fl, 4) || h->records_len % 4 != 0 ||
        !section_ok(h->keys_off, (uint64_t)h->n_keys * sizeof(struct advdb_key), fl, 4) ||
        !section_ok(h->buckets_off, (uint64_t)h->n_buckets * 4, fl, 4) ||
        !section_ok(h->postings_off, (uint64_t)h->n_postings * sizeof(struct advdb_posting), fl,
                    4) ||
        h->n_buckets == 0 || (h->n_buckets & (h->n_buckets - 1)) != 0 ||
        h->n_keys >= h->n_buckets) {
        rc = dd_error_set(err, DD_EPARSE,
                          "advisory DB %s: truncated or corrupt (size %llu, header says %llu)",
                          path, (unsigned long long)fl, (unsigned long long)h->file_bytes);
        goto out;
    }
    db->strings = (const char *)db->map + h->strings_off;
    db->strings_len = h->strings_len;
    if (db->strings[db->strings_len - 1] != '\0' || db->map[h->meta_off + h->meta_len] != 0) {
        rc = dd_error_set(err, DD_EPARSE, "advisory DB %s: corrupt string section", path);
        goto out;
    }
    db->words = (const uint32_t *)(const void *)(db->map + h->records_off);
    db->n_words = h->records_len / 4;
    db->keys = (const struct advdb_key *)(const void *)(db->map + h->keys_off);
    db->buckets = (const uint32_t *)(const void *)(db->map + h->buckets_off);
    db->postings = (const struct advdb_posting *)(const void *)(db->map + h->postings_off);
    *out = db;
    db = NULL;
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    advdb_close(db);
    return rc;
}

void advdb_close(struct advdb *db)
{
    if (db == NULL)
        return;
    if (db->map)
        munmap((void *)db->map, db->map_len);
    free(db);
}

uint64_t advdb_record_count(struct advdb *db)
{
    return db->h.n_records;
}

int64_t advdb_built_at_s(struct advdb *db)
{
    return db->h.built_at_s;
}

int64_t advdb_age_s(struct advdb *db)
{
    return (int64_t)time(NULL) - db->h.built_at_s;
}

/* --- decoding ---------------------------------------------------------------------------- */

/* Chunked bump allocator: pointers stay valid until arena_cleanup (no realloc). */
struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

struct arena {
    struct arena_chunk *head;
    struct arena_chunk *stack; /* caller-provided first chunk, never freed */
};

static void *arena_alloc(struct arena *a, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    if (n == 0)
        n = sizeof(max_align_t);
    struct arena_chunk *c = a->head;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > 16384 ? n : 16384;
        c = malloc(sizeof(*c) + cap);
        if (c == NULL)
            return NULL;
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

/* Keep the newest chunk, drop the rest, rewind. */
static void arena_reset(struct arena *a)
{
    while (a->head && a->head != a->stack) {
        struct arena_chunk *n = a->head->next;
        free(a->head);
        a->head = n;
    }
    if (a->head)
        a->head->used = 0;
}

static void arena_cleanup(struct arena *a)
{
    arena_reset(a);
    a->head = NULL;
}

/* Storage for a first chunk on the caller's stack: lookups rarely need more. */
#define ARENA_STACK_BYTES 8192
union arena_stack {
    struct arena_chunk c;
    max_align_t align[ARENA_STACK_BYTES / sizeof(max_align_t)];
};

static void arena_init(struct arena *a, union arena_stack *st)
{
    st->c.next = NULL;
    st->c.used = 0;
    st->c.cap = sizeof(*st) - sizeof(struct arena_chunk);
    a->head = a->stack = &st->c;
}

struct cursor {
    const struct advdb *db;
    size_t pos, end; /* word indexes */
    bool bad;
};

static uint32_t rd(struct cursor *c)
{
    if (c->pos >= c->end) {
        c->bad = true;
        return 0;
    }
    return c->db->words[c->pos++];
}

static char *rd_str(struct cursor *c)
{
    uint32_t r = rd(c);
    if (r == ADVDB_NULL_STR)
        return NULL;
    if (r >= c->db->strings_len) {
        c->bad = true;
        return NULL;
    }
    return (char *)(uintptr_t)(c->db->strings + r); /* borrowed, read-only */
}

/* Count read for an array of per-element words each; bounded by what is left. */
static size_t rd_count(struct cursor *c, size_t words_per)
{
    uint32_t n = rd(c);
    if (c->bad || (uint64_t)n * words_per > c->end - c->pos) {
        c->bad = true;
        return 0;
    }
    return n;
}

static char **rd_strv(struct cursor *c, struct arena *a, size_t n)
{
    if (n == 0)
        return NULL;
    char **v = arena_alloc(a, n * sizeof(*v));
    if (v == NULL) {
        c->bad = true;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = rd_str(c);
    return v;
}

static struct osv_severity *rd_sev(struct cursor *c, struct arena *a, size_t n)
{
    if (n == 0)
        return NULL;
    struct osv_severity *s = arena_alloc(a, n * sizeof(*s));
    if (s == NULL) {
        c->bad = true;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        s[i].type = rd_str(c);
        s[i].score = rd_str(c);
    }
    return s;
}

/* Decode the record starting at word `at`. On success *next is the word after it.
 * full/n_full: affected indexes to decode completely (ascending); the others get ecosystem,
 * name, purl and severity only. full == NULL: every entry completely. */
static int decode(const struct advdb *db, size_t at, struct arena *a, struct advisory *adv,
                  size_t *next, const uint32_t *full, size_t n_full)
{
    struct cursor c = {.db = db, .pos = at, .end = db->n_words, .bad = false};
    size_t fi = 0;
    memset(adv, 0, sizeof(*adv));
    adv->id = rd_str(&c);
    adv->summary = rd_str(&c);
    adv->details = rd_str(&c);
    adv->published = rd_str(&c);
    adv->modified = rd_str(&c);
    adv->withdrawn = rd_str(&c);
    adv->db_severity = rd_str(&c);
    adv->n_aliases = rd_count(&c, 1);
    adv->aliases = rd_strv(&c, a, adv->n_aliases);
    adv->n_upstream = rd_count(&c, 1);
    adv->upstream = rd_strv(&c, a, adv->n_upstream);
    adv->n_severity = rd_count(&c, 2);
    adv->severity = rd_sev(&c, a, adv->n_severity);
    adv->n_references = rd_count(&c, 1);
    adv->references = rd_strv(&c, a, adv->n_references);
    size_t naff = rd_count(&c, 8);
    if (naff && !c.bad) {
        adv->affected = arena_alloc(a, naff * sizeof(*adv->affected));
        if (adv->affected == NULL)
            return DD_ENOMEM;
        memset(adv->affected, 0, naff * sizeof(*adv->affected));
        adv->n_affected = naff;
    }
    for (size_t i = 0; i < naff && !c.bad; i++) {
        struct osv_affected *f = &adv->affected[i];
        uint32_t len = rd(&c);
        if (c.bad || len < 7 || len > c.end - c.pos) {
            c.bad = true;
            break;
        }
        size_t entry_end = c.pos + len;
        while (full && fi < n_full && full[fi] < i)
            fi++;
        if (full && !(fi < n_full && full[fi] == i)) {
            c.pos = entry_end; /* shallow: an empty entry (a 40-package bulletin costs 40 hops) */
            continue;
        }
        f->ecosystem = rd_str(&c);
        f->name = rd_str(&c);
        if (f->ecosystem == NULL || f->name == NULL)
            c.bad = true;
        f->purl = rd_str(&c);
        f->severity = rd_str(&c);
        c.end = entry_end; /* the entry's counts may not reach past its own length */
        f->n_ranges = rd_count(&c, 2);
        if (f->n_ranges && !c.bad) {
            f->ranges = arena_alloc(a, f->n_ranges * sizeof(*f->ranges));
            if (f->ranges == NULL)
                return DD_ENOMEM;
        }
        for (size_t r = 0; r < f->n_ranges && !c.bad; r++) {
            struct osv_range * or = &f->ranges[r];
            or->type = (enum osv_range_type)rd(&c);
            or->n_events = rd_count(&c, 2);
            or->events = NULL;
            if (or->type > OSV_RANGE_OTHER)
                c.bad = true;
            if (or->n_events && !c.bad) {
                or->events = arena_alloc(a, or->n_events * sizeof(* or->events));
                if (or->events == NULL)
                    return DD_ENOMEM;
            }
            for (size_t e = 0; e < or->n_events && !c.bad; e++) {
                uint32_t k = rd(&c);
                if (k > OSV_EV_LIMIT)
                    c.bad = true;
                or->events[e].kind = (enum osv_event_kind)k;
                or->events[e].value = rd_str(&c);
                if (or->events[e].value == NULL)
                    c.bad = true;
            }
        }
        f->n_versions = rd_count(&c, 1);
        f->versions = rd_strv(&c, a, f->n_versions);
        f->n_pkg_severity = rd_count(&c, 2);
        f->pkg_severity = rd_sev(&c, a, f->n_pkg_severity);
        if (c.pos != entry_end)
            c.bad = true;
        c.end = db->n_words;
    }
    if (c.bad || adv->id == NULL)
        return DD_EPARSE;
    *next = c.pos;
    return 0;
}

/* --- lookup ------------------------------------------------------------------------------ */

static const struct advdb_key *find_key(const struct advdb *db, const char *eco, const char *name)
{
    uint32_t h = advdb_key_hash(eco, name);
    uint32_t mask = db->h.n_buckets - 1;
    for (uint32_t i = 0, b = h & mask; i < db->h.n_buckets; i++, b = (b + 1) & mask) {
        uint32_t k = db->buckets[b];
        if (k == 0)
            return NULL;
        if (k > db->h.n_keys)
            return NULL; /* corrupt: treat as a miss; verify reports it */
        const struct advdb_key *key = &db->keys[k - 1];
        if (key->hash != h || key->ecosystem >= db->strings_len || key->name >= db->strings_len)
            continue;
        if (strcmp(db->strings + key->ecosystem, eco) == 0 &&
            strcmp(db->strings + key->name, name) == 0)
            return key;
    }
    return NULL;
}

int advdb_lookup(struct advdb *db, const char *ecosystem, const char *name, advdb_hit_cb cb,
                 void *ctx, struct dd_error *err)
{
    char norm[NAME_MAX_BYTES];
    union arena_stack st;
    struct arena a;
    struct advisory adv;
    size_t cur = SIZE_MAX, next;
    int rc = 0;

    arena_init(&a, &st);

    if (db == NULL || ecosystem == NULL || name == NULL || cb == NULL)
        return dd_error_set(err, DD_EINVAL, "advdb_lookup: NULL argument");
    if (advdb_normalize_name(ecosystem, name, norm, sizeof(norm)) < 0)
        return 0; /* longer than any name we index */
    const struct advdb_key *key = find_key(db, ecosystem, norm);
    if (key == NULL)
        return 0;
    if (key->first_posting > db->h.n_postings ||
        key->n_postings > db->h.n_postings - key->first_posting)
        return dd_error_set(err, DD_EPARSE, "advisory DB: corrupt index entry for %s/%s", ecosystem,
                            name);
    for (uint32_t i = 0; i < key->n_postings; i++) {
        const struct advdb_posting *p = &db->postings[key->first_posting + i];
        if (p->record != cur) {
            /* Entries of this record that name the package: decoded in full. */
            uint32_t full[64];
            size_t n_full = 0;
            for (uint32_t k = i; k < key->n_postings && n_full < 64; k++) {
                const struct advdb_posting *q = &db->postings[key->first_posting + k];
                if (q->record != p->record)
                    break;
                full[n_full++] = q->affected;
            }
            arena_reset(&a);
            rc = decode(db, p->record, &a, &adv, &next, n_full < 64 ? full : NULL, n_full);
            if (rc != 0) {
                dd_error_set(err, rc, "advisory DB: corrupt record at word %u", p->record);
                goto out;
            }
            cur = p->record;
        }
        if (p->affected >= adv.n_affected) {
            rc = dd_error_set(err, DD_EPARSE, "advisory DB: %s: index names affected[%u]", adv.id,
                              p->affected);
            goto out;
        }
        if (cb(&adv, p->affected, ctx) != 0)
            break;
    }
out:
    arena_cleanup(&a);
    return rc;
}

int advdb_foreach(struct advdb *db, advdb_hit_cb cb, void *ctx, struct dd_error *err)
{
    struct arena a = {NULL, NULL};
    struct advisory adv;
    size_t pos = 0, next;
    uint32_t n = 0;
    int rc = 0;
    while (pos < db->n_words) {
        arena_reset(&a);
        if ((rc = decode(db, pos, &a, &adv, &next, NULL, 0)) != 0) {
            dd_error_set(err, rc, "advisory DB: corrupt record at word %zu", pos);
            goto out;
        }
        n++;
        if ((rc = cb(&adv, 0, ctx)) != 0)
            goto out;
        pos = next;
    }
    if (n != db->h.n_records)
        rc = dd_error_set(err, DD_EPARSE, "advisory DB: %u records, header says %u", n,
                          db->h.n_records);
out:
    arena_cleanup(&a);
    return rc;
}

int advdb_verify(struct advdb *db, struct dd_error *err)
{
    struct arena a = {NULL, NULL};
    uint8_t *starts = NULL; /* bitmap of record start words */
    struct advisory adv;
    size_t pos = 0, next;
    uint32_t n = 0;
    uint64_t postings = 0;
    int rc = 0;

    starts = calloc(db->n_words / 8 + 1, 1);
    if (starts == NULL)
        return dd_error_set(err, DD_ENOMEM, "advisory DB: out of memory");
    while (pos < db->n_words) {
        arena_reset(&a);
        if ((rc = decode(db, pos, &a, &adv, &next, NULL, 0)) != 0) {
            dd_error_set(err, rc, "advisory DB: corrupt record at word %zu", pos);
            goto out;
        }
        starts[pos / 8] |= (uint8_t)(1u << (pos % 8));
        n++;
        pos = next;
    }
    if (n != db->h.n_records) {
        rc = dd_error_set(err, DD_EPARSE, "advisory DB: %u records, header says %u", n,
                          db->h.n_records);
        goto out;
    }
    for (uint32_t k = 0; k < db->h.n_keys; k++) {
        const struct advdb_key *key = &db->keys[k];
        if (key->ecosystem >= db->strings_len || key->name >= db->strings_len ||
            key->first_posting > db->h.n_postings ||
            key->n_postings > db->h.n_postings - key->first_posting) {
            rc = dd_error_set(err, DD_EPARSE, "advisory DB: index key %u out of range", k);
            goto out;
        }
        const char *eco = db->strings + key->ecosystem, *name = db->strings + key->name;
        if (find_key(db, eco, name) != key || key->hash != advdb_key_hash(eco, name)) {
            rc = dd_error_set(err, DD_EPARSE, "advisory DB: index key %s/%s not reachable", eco,
                              name);
            goto out;
        }
        for (uint32_t i = 0; i < key->n_postings; i++) {
            const struct advdb_posting *p = &db->postings[key->first_posting + i];
            char norm[NAME_MAX_BYTES];
            if (p->record >= db->n_words || !(starts[p->record / 8] & (1u << (p->record % 8)))) {
                rc = dd_error_set(err, DD_EPARSE, "advisory DB: posting to a non-record");
                goto out;
            }
            arena_reset(&a);
            if ((rc = decode(db, p->record, &a, &adv, &next, NULL, 0)) != 0)
                goto out;
            if (p->affected >= adv.n_affected ||
                strcmp(adv.affected[p->affected].ecosystem, eco) != 0 ||
                advdb_normalize_name(eco, adv.affected[p->affected].name, norm, sizeof(norm)) < 0 ||
                strcmp(norm, name) != 0) {
                rc = dd_error_set(err, DD_EPARSE, "advisory DB: %s: index entry %s/%s mismatch",
                                  adv.id, eco, name);
                goto out;
            }
            postings++;
        }
    }
    if (postings != db->h.n_postings)
        rc = dd_error_set(err, DD_EPARSE, "advisory DB: %llu postings reachable, header says %u",
                          (unsigned long long)postings, db->h.n_postings);
out:
    free(starts);
    arena_cleanup(&a);
    return rc;
}

/* --- info -------------------------------------------------------------------------------- */

static char *jdup(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static int counts_from(json_t *obj, struct advdb_eco_count **out, size_t *n_out)
{
    const char *k;
    json_t *v;
    size_t n = json_is_object(obj) ? json_object_size(obj) : 0, i = 0;
    *out = NULL;
    *n_out = 0;
    if (n == 0)
        return 0;
    struct advdb_eco_count *c = calloc(n, sizeof(*c));
    if (c == NULL)
        return DD_ENOMEM;
    json_object_foreach(obj, k, v)
    {
        size_t l = strlen(k) + 1;
        c[i].ecosystem = malloc(l);
        if (c[i].ecosystem == NULL)
            break;
        memcpy(c[i].ecosystem, k, l);
        c[i].records = json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
        i++;
    }
    *out = c;
    *n_out = i;
    return i == n ? 0 : DD_ENOMEM;
}

void advdb_info_cleanup(struct advdb_info *info)
{
    if (info == NULL)
        return;
    free(info->built_at);
    free(info->source);
    free(info->mirror);
    for (size_t i = 0; info->ecosystems && i < info->n_ecosystems; i++)
        free(info->ecosystems[i].ecosystem);
    free(info->ecosystems);
    for (size_t i = 0; info->variants && i < info->n_variants; i++)
        free(info->variants[i].ecosystem);
    free(info->variants);
    for (size_t i = 0; info->cursors && i < info->n_cursors; i++) {
        free(info->cursors[i].ecosystem);
        free(info->cursors[i].last_modified);
    }
    free(info->cursors);
    memset(info, 0, sizeof(*info));
}

static uint64_t juint(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
}

int advdb_get_info(struct advdb *db, struct advdb_info *out, struct dd_error *err)
{
    struct advdb_info info;
    json_error_t jerr;
    json_t *meta = NULL; /* owned */
    int rc = 0;

    memset(&info, 0, sizeof(info));
    meta = json_loadb((const char *)db->map + db->h.meta_off, db->h.meta_len, 0, &jerr);
    if (!json_is_object(meta)) {
        rc = dd_error_set(err, DD_EPARSE, "advisory DB: metadata does not parse: %s", jerr.text);
        goto out;
    }
    info.built_at = jdup(meta, "built_at");
    info.source = jdup(meta, "source");
    info.mirror = jdup(meta, "mirror");
    info.built_at_s = db->h.built_at_s;
    info.records = db->h.n_records;
    info.entries = db->h.n_postings;
    info.skipped = juint(meta, "skipped");
    info.withdrawn = juint(meta, "withdrawn");
    info.duplicates = juint(meta, "duplicates");
    info.format_version = db->h.format_version;
    if (counts_from(json_object_get(meta, "ecosystems"), &info.ecosystems, &info.n_ecosystems) !=
            0 ||
        counts_from(json_object_get(meta, "variants"), &info.variants, &info.n_variants) != 0) {
        rc = dd_error_set(err, DD_ENOMEM, "advisory DB: out of memory");
        goto out;
    }
    json_t *cur = json_object_get(meta, "cursors");
    if (json_is_object(cur) && json_object_size(cur) > 0) {
        const char *k;
        json_t *v;
        info.cursors = calloc(json_object_size(cur), sizeof(*info.cursors));
        if (info.cursors == NULL) {
            rc = dd_error_set(err, DD_ENOMEM, "advisory DB: out of memory");
            goto out;
        }
        json_object_foreach(cur, k, v)
        {
            if (!json_is_string(v))
                continue;
            struct advdb_cursor *c = &info.cursors[info.n_cursors++];
            c->ecosystem = strdup(k);
            c->last_modified = strdup(json_string_value(v));
            if (c->ecosystem == NULL || c->last_modified == NULL) {
                rc = dd_error_set(err, DD_ENOMEM, "advisory DB: out of memory");
                goto out;
            }
        }
    }
    if (info.built_at == NULL || info.source == NULL) {
        rc = dd_error_set(err, DD_EPARSE, "advisory DB: metadata lacks built_at or source");
        goto out;
    }
    *out = info;
    memset(&info, 0, sizeof(info));
out:
    advdb_info_cleanup(&info);
    json_decref(meta);
    return rc;
}
