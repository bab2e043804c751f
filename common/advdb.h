/* advdb.h - the advisory database: built from OSV, opened read-only by scans and workers.
 *
 * One file (see docs/advdb.md for the format and why). Lookups go by (ecosystem, package
 * name) and return the affected entries that name the package, with their advisory; the
 * caller decides what matches (common/match.c). Ecosystem keys are normalised: a lookup for
 * "Debian:12" returns entries written for "Debian:12" only; "npm" for "npm". Names are
 * compared as the ecosystem requires (PyPI: PEP 503 normalised; others exact).
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

struct advdb_info {
    char *built_at;       /* RFC 3339, UTC */
    int64_t built_at_s;   /* epoch seconds */
    char *source;         /* where it was built from (paths or mirror URL) */
    uint64_t records;     /* advisories stored */
    uint64_t skipped;     /* records rejected at build (listed by the build) */
    struct advdb_eco_count *ecosystems;
    size_t n_ecosystems;
    uint32_t format_version;
};

int advdb_open(const char *path, struct advdb **out, struct dd_error *err);
void advdb_close(struct advdb *db);
int advdb_get_info(struct advdb *db, struct advdb_info *out, struct dd_error *err);
void advdb_info_cleanup(struct advdb_info *info);

/* Called once per affected entry naming (ecosystem, name). adv is valid only during the call;
 * affected_index says which of adv->affected matched. Return non-zero to stop. */
typedef int (*advdb_hit_cb)(const struct advisory *adv, size_t affected_index, void *ctx);
int advdb_lookup(struct advdb *db, const char *ecosystem, const char *name, advdb_hit_cb cb,
                 void *ctx, struct dd_error *err);

#endif
