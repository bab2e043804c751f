/* advdb.h - the advisory database: built from OSV, opened read-only by scans and workers.
 *
 * One file (see docs/advdb.md for the format and why). Lookups go by (ecosystem, package
 * name) and return the affected entries that name the package, with their advisory; the
 * caller decides what matches (common/match.c). Ecosystem keys are normalised: a lookup for
 * "Debian:12" returns entries written for "Debian:12" only; "npm" for "npm". Names are
 * compared as the ecosystem requires (PyPI: PEP 503 normalised; others exact).
 *
 * Ecosystems: the key is the record's full package.ecosystem string, byte for byte
 * ("Debian:12", "Alpine:v3.18", "AlmaLinux:9", "Ubuntu:22.04:LTS", "Ubuntu:Pro:16.04:LTS").
 * A lookup for a base ecosystem ("Debian", "Ubuntu", "Alpine") is just as exact: it returns
 * only entries whose ecosystem is literally "Debian", which OSV distro feeds do not write
 * (they always carry a release). To know which release strings exist, see
 * advdb_info.variants. Language ecosystems have no release part ("npm", "PyPI", "Go").
 *
 * Withdrawn records are NOT stored: the builder drops them (and a withdrawn update of a
 * stored record removes it), so nothing a lookup returns is withdrawn.
 *
 * Duplicate IDs (AlmaLinux repeats an advisory under each release directory): one record
 * per ID survives, the one with the greatest "modified" (the later-added one on a tie).
 *
 * Threads and processes: the file is mmap'ed read-only and shared by every process that
 * opens it; an open struct advdb may be used by several threads at once (lookups keep their
 * scratch memory on the call, not in the handle).
 */
#ifndef DD_ADVDB_H
#define DD_ADVDB_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "osv.h"

struct advdb;

struct advdb_eco_count {
    char *ecosystem; /* base name: "Debian", "npm" */
    uint64_t records;
};

/* Per-ecosystem position of the last `db update` (the newest modified_id.csv time seen). */
struct advdb_cursor {
    char *ecosystem;     /* mirror directory name: "PyPI", "Debian" */
    char *last_modified; /* RFC 3339 as the mirror wrote it */
};

struct advdb_info {
    char *built_at;     /* RFC 3339, UTC */
    int64_t built_at_s; /* epoch seconds */
    char *source;       /* where it was built from (paths or mirror URL) */
    uint64_t records;   /* advisories stored */
    uint64_t skipped;   /* records rejected at build (listed by the build) */
    struct advdb_eco_count *ecosystems;
    size_t n_ecosystems;
    uint32_t format_version;
    /* Additions (advdb owner): */
    struct advdb_eco_count *variants; /* full ecosystem strings ("Debian:12"), records each */
    size_t n_variants;
    uint64_t withdrawn;  /* withdrawn records dropped at build */
    uint64_t duplicates; /* records dropped because a same-ID record was newer */
    uint64_t entries;    /* (ecosystem, name, affected entry) index postings */
    char *mirror;        /* mirror URL of the last `db update`, or NULL */
    struct advdb_cursor *cursors;
    size_t n_cursors;
};

/* Map the file read-only and check its header and section bounds (cheap: no full scan).
 * A file that is not an advdb, of another format version or truncated is DD_EPARSE /
 * DD_EUNSUPPORTED with a message. advdb_close(NULL) is a no-op. */
int advdb_open(const char *path, struct advdb **out, struct dd_error *err);
void advdb_close(struct advdb *db);
int advdb_get_info(struct advdb *db, struct advdb_info *out, struct dd_error *err);
void advdb_info_cleanup(struct advdb_info *info);

/* Called once per affected entry naming (ecosystem, name). adv is valid only during the call;
 * affected_index says which of adv->affected matched. Return non-zero to stop. */
typedef int (*advdb_hit_cb)(const struct advisory *adv, size_t affected_index, void *ctx);
/* Returns 0 (also when nothing matched or cb stopped early) or DD_EPARSE when the file is
 * corrupt. name is normalised here (PyPI), so pass it as the package spells it. The advisory
 * passed to cb is a borrowed view: never advisory_cleanup it. The struct and its arrays are
 * valid only during the call; its strings point into the mapping and stay valid until
 * advdb_close. Entries come in record order; a package repeated across several
 * affected entries of one record gives one call per entry.
 * Only the entries of adv->affected that name the looked-up package are decoded; the others
 * are empty (every pointer NULL, every count 0): a hit on a 40-package AlmaLinux advisory
 * then reads one word per other package.
 * advdb_foreach hands out complete records. */
int advdb_lookup(struct advdb *db, const char *ecosystem, const char *name, advdb_hit_cb cb,
                 void *ctx, struct dd_error *err);

/* --- additions (advdb owner) ------------------------------------------------------------ */

/* Seconds since the DB was built (negative if built_at is in the future). Scans warn when it
 * is above ADVDB_DEFAULT_MAX_AGE_S or the configured age. */
#define ADVDB_DEFAULT_MAX_AGE_S ((int64_t)2 * 24 * 3600)
int64_t advdb_age_s(struct advdb *db);
int64_t advdb_built_at_s(struct advdb *db);

/* Name normalisation used for the index: PyPI PEP 503 (lowercase, runs of -_. become one
 * '-'), every other ecosystem unchanged. Writes at most cap bytes including the NUL; returns
 * the length or DD_ETOOBIG. */
int advdb_normalize_name(const char *ecosystem, const char *name, char *out, size_t cap);

/* Call cb(adv, 0, ctx) once per stored record, in file order (for rebuilds and checks); the
 * 0 is a placeholder (a record may have no affected entries at all).
 * Non-zero from cb stops the walk and is returned. */
int advdb_foreach(struct advdb *db, advdb_hit_cb cb, void *ctx, struct dd_error *err);

/* Full consistency check: every record decodes, every index entry points at a record start
 * and names an affected entry with that ecosystem and name, counts agree with the header.
 * Used before a new DB replaces the old one. */
int advdb_verify(struct advdb *db, struct dd_error *err);

/* Number of records stored (from the header). */
uint64_t advdb_record_count(struct advdb *db);

#endif
