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

struct osv_affected {
    char *ecosystem; /* as written: "Debian:12", "npm", "Ubuntu:Pro:22.04:LTS" */
    char *name;      /* package name as the ecosystem spells it (Debian: source package) */
    char *purl;      /* package.purl or NULL */
    struct osv_range *ranges;
    size_t n_ranges;
    char **versions; /* explicit affected versions */
    size_t n_versions;
    char *severity;  /* per-package severity when the source gives one (Ubuntu priority,
                        Debian urgency in database_specific/ecosystem_specific), else NULL */
};

struct osv_severity {
    char *type;  /* "CVSS_V3", "CVSS_V4", "CVSS_V2", "Ubuntu" ... */
    char *score; /* the vector or value */
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
    char **references; /* URLs */
    size_t n_references;
    struct osv_affected *affected;
    size_t n_affected;
};

int osv_parse(const uint8_t *json, size_t len, struct advisory *out, struct dd_error *err);
void advisory_cleanup(struct advisory *a);

#endif
