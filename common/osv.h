/* osv.h - OSV records (ossf/osv-schema) as drydock uses them.
 *
 * osv_parse() turns one record's JSON into a struct advisory; every string is owned by it.
 * Only what matching and reporting need is kept. Unknown fields are ignored; wrong types in
 * fields we use are errors naming the field and the record ID ("GHSA-x: affected[2].ranges[0]
 * .events[1]: 'fixed' must be a string").
 */
#ifndef DD_OSV_H
#define DD_OSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define OSV_MAX_RECORD_BYTES (8u << 20)
/* Element caps per array (a record over a cap is rejected with DD_ETOOBIG). Real records stay
 * far below: the largest Ubuntu kernel USNs list a few thousand versions per package. */
#define OSV_MAX_AFFECTED   4096
#define OSV_MAX_RANGES     256
#define OSV_MAX_EVENTS     1024
#define OSV_MAX_VERSIONS   65536
#define OSV_MAX_ALIASES    1024 /* aliases and upstream each */
#define OSV_MAX_SEVERITY   64   /* severity[] at top level and per affected entry */
#define OSV_MAX_REFERENCES 4096

enum osv_range_type { OSV_RANGE_ECOSYSTEM, OSV_RANGE_SEMVER, OSV_RANGE_GIT, OSV_RANGE_OTHER };
enum osv_event_kind { OSV_EV_INTRODUCED, OSV_EV_FIXED, OSV_EV_LAST_AFFECTED, OSV_EV_LIMIT };

struct osv_event {
    enum osv_event_kind kind;
    char *value; /* "0" for introduced means "from the beginning" */
};

struct osv_range {
    enum osv_range_type type;
    struct osv_event *events;
    size_t n_events;
};

struct osv_severity {
    char *type;  /* "CVSS_V3", "CVSS_V4", "CVSS_V2", "Ubuntu" ... */
    char *score; /* the vector or value */
};

struct osv_affected {
    char *ecosystem; /* as written: "Debian:12", "npm", "Ubuntu:Pro:22.04:LTS" */
    char *name;      /* package name as the ecosystem spells it (Debian: source package) */
    char *purl;      /* package.purl or NULL */
    struct osv_range *ranges;
    size_t n_ranges;
    char **versions; /* explicit affected versions */
    size_t n_versions;
    char *severity; /* per-package severity when the source gives one (Ubuntu priority,
                       Debian urgency in database_specific/ecosystem_specific), else NULL */
    struct osv_severity *pkg_severity; /* affected[].severity[] (CVSS vectors given per
                                          package, e.g. some GHSA/AlmaLinux records) */
    size_t n_pkg_severity;
};

struct advisory {
    char *id;
    char **aliases;
    size_t n_aliases;
    char **upstream; /* "upstream" IDs (Ubuntu, Debian use them like aliases) */
    size_t n_upstream;
    char *summary;
    char *details;
    char *published;
    char *modified;
    char *withdrawn; /* NULL unless withdrawn */
    struct osv_severity *severity;
    size_t n_severity;
    char *db_severity; /* top-level database_specific.severity (GHSA: LOW..CRITICAL) */
    char **references; /* URLs, unique (repeats dropped at parse), in record order */
    size_t n_references;
    struct osv_affected *affected;
    size_t n_affected;
};

/* Parse one record. Required: "id" (string); affected[].package.ecosystem and .name when a
 * package is given. "modified" is required by the schema but missing from some real Debian
 * records (DSA-3029-1): then modified is NULL. Affected entries without "package" (GIT-only) are
 * dropped, so adv->affected holds only entries that name a package. Invalid UTF-8, a record over
 * OSV_MAX_RECORD_BYTES or an array over its cap is an error. *out untouched on failure. */
int osv_parse(const uint8_t *json, size_t len, struct advisory *out, struct dd_error *err);
/* Frees what osv_parse() allocated. Never call it on an advisory handed out by advdb_lookup
 * (those are borrowed views into the DB). */
void advisory_cleanup(struct advisory *a);

#endif
