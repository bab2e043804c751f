/* advdb_update.h - refresh the advisory DB from an OSV bulk mirror.
 *
 *   <mirror>/<Ecosystem>/all.zip            every record (first run, or --full)
 *   <mirror>/<Ecosystem>/modified_id.csv    "<RFC 3339 time>,<ID>" lines, newest first
 *   <mirror>/<Ecosystem>/<ID>.json          one record
 *   <mirror>/ecosystems.txt                 one ecosystem per line (--ecosystems all)
 *
 * First run (no DB, or no cursor for an ecosystem): modified_id.csv's newest time becomes the
 * cursor, then all.zip is read. Later runs read modified_id.csv down to the stored cursor and
 * fetch only the IDs listed above it (more than ADVDB_UPDATE_MAX_CHANGED: all.zip again).
 * The new DB = old records + fetched ones (newest "modified" wins, withdrawn ones removed),
 * written to DB.new, opened and verified (advdb_verify, record count not below half the old
 * one), then renamed over DB. Any failed, truncated or corrupt download fails the whole
 * update: DB is left as it was and the error says which URL. A lock file (DB.lock, flock)
 * keeps two updates from racing; readers never need it.
 *
 * Records deleted upstream (not withdrawn, just gone) stay until a --full update.
 */
#ifndef DD_ADVDB_UPDATE_H
#define DD_ADVDB_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "advdb_build.h"
#include "err.h"

#define ADVDB_DEFAULT_MIRROR "https://osv-vulnerabilities.storage.googleapis.com"
#define ADVDB_DEFAULT_ECOSYSTEMS                                                                   \
    "Debian,Ubuntu,Alpine,AlmaLinux,Rocky Linux,Red Hat,npm,PyPI,Go,Maven,RubyGems,crates.io,"     \
    "NuGet,Packagist,Bitnami"
#define ADVDB_UPDATE_MAX_CHANGED 5000         /* more changed IDs: fetch all.zip instead */
#define ADVDB_MAX_ZIP_DOWNLOAD   (2ull << 30) /* bytes of one all.zip */
#define ADVDB_MAX_CSV_BYTES      (256u << 20)

struct advdb_update_opts {
    const char *mirror;            /* no trailing slash needed; NULL: ADVDB_DEFAULT_MIRROR */
    const char *db_path;           /* NULL: advdb_default_path() */
    const char *const *ecosystems; /* mirror directory names; the single name "all" means
                                      every line of <mirror>/ecosystems.txt */
    size_t n_ecosystems;
    bool full;               /* ignore cursors: all.zip for every ecosystem */
    int max_retries;         /* retryable HTTP statuses / transport errors; default 3 */
    long connect_timeout_ms; /* default 10000 */
    long timeout_ms;         /* per transfer; default 600000 */
    advdb_warn_cb warn;      /* malformed records and progress notes; may be NULL */
    void *warn_ctx;
};

void advdb_update_opts_default(struct advdb_update_opts *o);

struct advdb_update_result {
    uint64_t records;         /* in the new DB */
    uint64_t old_records;     /* in the DB it replaced (0 on first run) */
    unsigned full_ecosystems; /* ecosystems read from all.zip */
    unsigned incr_ecosystems; /* ecosystems updated from modified_id.csv */
    uint64_t fetched_records; /* <ID>.json downloads */
    uint64_t skipped;         /* malformed records skipped */
};

int advdb_update(const struct advdb_update_opts *o, struct advdb_update_result *res,
                 struct dd_error *err);

/* $DRYDOCK_DB, else $HOME/.cache/drydock/advisories.db (malloc'd). DD_ENOTFOUND if neither
 * variable is set. */
int advdb_default_path(char **out);

#endif
