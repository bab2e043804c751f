/* advdb_build.h - build an advisory database file from OSV records, and the file format the
 * reader (advdb.c) shares with the builder.
 *
 *   b = advdb_builder_new(); advdb_builder_add_path(b, "osv/"), (b, "PyPI/all.zip") ...;
 *   advdb_builder_write(b, "advisories.db", &meta)   -> writes FILE.tmp, fsyncs, renames.
 *
 * A malformed record is a located warning ("PyPI/all.zip:PYSEC-x: affected[0]...: reason")
 * handed to the warn callback and counted; the rest loads. A source that cannot be read at
 * all (missing file, corrupt zip, zip bomb) returns an error for that source only: records
 * already taken from it stay, later sources still load.
 */
#ifndef DD_ADVDB_BUILD_H
#define DD_ADVDB_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "osv.h"

/* --- file format (little-endian; docs/advdb.md has the diagram) ----------------------- */
#define ADVDB_MAGIC          "DDADVDB1"
#define ADVDB_FORMAT_VERSION 1u
#define ADVDB_NULL_STR       0xffffffffu /* string reference meaning NULL */

struct advdb_header {
    char magic[8];
    uint32_t format_version;
    uint32_t header_bytes; /* sizeof(struct advdb_header) */
    uint64_t file_bytes;
    int64_t built_at_s;                /* epoch seconds */
    uint64_t meta_off, meta_len;       /* JSON metadata, NUL-terminated (len excludes NUL) */
    uint64_t strings_off, strings_len; /* NUL-terminated strings; last byte is NUL */
    uint64_t records_off, records_len; /* u32 words, records back to back; len in bytes */
    uint64_t keys_off;                 /* struct advdb_key[n_keys] */
    uint64_t buckets_off;              /* u32[n_buckets]: key index + 1, 0 = empty */
    uint64_t postings_off;             /* struct advdb_posting[n_postings] */
    uint32_t n_keys, n_buckets;        /* n_buckets: power of two, >= 2 * n_keys */
    uint32_t n_postings, n_records;
};

struct advdb_key {
    uint32_t hash;          /* advdb_key_hash(ecosystem, normalised name) */
    uint32_t ecosystem;     /* string reference */
    uint32_t name;          /* string reference, normalised */
    uint32_t first_posting; /* index into postings */
    uint32_t n_postings;
};

struct advdb_posting {
    uint32_t record;   /* word offset of the record in the records section */
    uint32_t affected; /* index into the record's affected entries */
};

uint32_t advdb_key_hash(const char *ecosystem, const char *name);

/* --- builder ----------------------------------------------------------------------------- */
#define ADVDB_MAX_FILE_BYTES   OSV_MAX_RECORD_BYTES /* one record file or zip entry */
#define ADVDB_MAX_ZIP_ENTRIES  (1u << 20)
#define ADVDB_MAX_ZIP_BYTES    (8ull << 30) /* uncompressed bytes read from one zip */
#define ADVDB_MAX_DIR_DEPTH    32
#define ADVDB_MAX_RECORDS      (4u << 20)
#define ADVDB_WARN_DEFAULT_CAP 50

/* where: "file" or "file:record-id"; msg: the reason. */
typedef void (*advdb_warn_cb)(const char *where, const char *msg, void *ctx);

struct advdb_build_stats {
    uint64_t loaded;     /* records accepted (before duplicate resolution) */
    uint64_t skipped;    /* malformed records and unreadable entries */
    uint64_t yaml;       /* YAML files skipped (of skipped) */
    uint64_t withdrawn;  /* withdrawn records dropped */
    uint64_t duplicates; /* older same-ID records dropped */
    uint64_t failed_sources;
};

struct advdb_build_meta {
    const char *source;                   /* free text: paths or mirror URL */
    const char *mirror;                   /* NULL unless built by `db update` */
    const char *const *cursor_ecosystems; /* n_cursors pairs; may be NULL */
    const char *const *cursor_times;
    size_t n_cursors;
    int64_t built_at_s; /* 0: now */
};

struct advdb_builder;

int advdb_builder_new(struct advdb_builder **out);
void advdb_builder_free(struct advdb_builder *b);
void advdb_builder_set_warn(struct advdb_builder *b, advdb_warn_cb cb, void *ctx);

/* Add one parsed record (copied; adv stays the caller's). Withdrawn records and older
 * duplicates are counted and dropped; a withdrawn record also removes an older stored one. */
int advdb_builder_add(struct advdb_builder *b, const struct advisory *adv, struct dd_error *err);
/* Parse and add one JSON record; a malformed one is warned about as "origin:ID: reason",
 * counted as skipped, and returns 0 (only ENOMEM-class failures return an error). */
int advdb_builder_add_json(struct advdb_builder *b, const uint8_t *json, size_t len,
                           const char *origin, struct dd_error *err);
/* A directory (recursively, *.json; .yaml and .yml files are skipped with a warning), a .zip bulk
 * file (entries *.json, read in streaming mode) or a single .json file. */
int advdb_builder_add_path(struct advdb_builder *b, const char *path, struct dd_error *err);
/* A zip archive from memory (db update's downloads). origin names it in warnings. */
int advdb_builder_add_zip_mem(struct advdb_builder *b, const void *data, size_t len,
                              const char *origin, struct dd_error *err);
/* Copy every record of an existing DB into the builder (incremental update). */
struct advdb;
int advdb_builder_add_db(struct advdb_builder *b, struct advdb *db, struct dd_error *err);

void advdb_builder_stats(const struct advdb_builder *b, struct advdb_build_stats *out);
/* Records that will be written (alive after duplicate and withdrawal resolution). */
uint64_t advdb_builder_count(const struct advdb_builder *b);

/* Write path.tmp, fsync, rename to path. The builder stays usable (write can be repeated). */
int advdb_builder_write(struct advdb_builder *b, const char *path,
                        const struct advdb_build_meta *meta, struct dd_error *err);

#endif
