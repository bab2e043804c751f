/* match.h - match an inventory against OSV advisories (OSV semantics, exactly).
 *
 * For each package the matcher works out which OSV ecosystems and which (name, version) the
 * advisories use for it (match_query_for_pkg), asks a lookup function for the affected
 * entries naming it (advdb_lookup in production, an array in tests), evaluates each entry's
 * ranges and versions (match_affected_eval), and merges the records that describe the same
 * vulnerability into one finding (aliases merged). Rules and evidence: the top of match.c.
 */
#ifndef DD_MATCH_H
#define DD_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "advdb.h"
#include "cvss.h"
#include "err.h"
#include "findings.h"
#include "inventory.h"
#include "osv.h"
#include "pkg.h"
#include "version.h"

#define MATCH_MAX_ECOSYSTEMS 4
#define MATCH_ECO_MAX        64

/* Ecosystems to query for an OS: "Debian:12"; "Ubuntu:22.04", "Ubuntu:22.04:LTS",
 * "Ubuntu:Pro:22.04:LTS"; "Alpine:v3.18"; "AlmaLinux:9"; "Rocky Linux:9"; Red Hat forms.
 * DD_EUNSUPPORTED (err says which) for a family or version with no OSV ecosystem. */
int match_os_ecosystems(const struct os_info *os, char out[][MATCH_ECO_MAX], size_t max, size_t *n,
                        struct dd_error *err);

struct match_query {
    char ecosystems[MATCH_MAX_ECOSYSTEMS][MATCH_ECO_MAX];
    size_t n_ecosystems;
    const char *name;              /* borrowed: the name advisories use */
    char version[VERSION_MAX_LEN]; /* the version compared with ranges */
    enum version_scheme scheme;
};

/* DD_EUNSUPPORTED when the package has no ecosystem (OS package without a known OS),
 * DD_EINVAL for a package without name or version, DD_ETOOBIG for an over-long version. */
int match_query_for_pkg(const struct pkg *p, const struct os_info *os, bool has_os,
                        struct match_query *out, struct dd_error *err);

struct match_eval {
    bool affected;
    const char *fixed; /* borrowed from the entry: smallest fixed event above the version in
                          an affecting range; NULL when none */
};

/* Evaluate one affected entry for version (which must parse under s: check with
 * version_validate first). Only ECOSYSTEM and SEMVER ranges count. DD_EPARSE (err names the
 * event) when an event version of a range does not parse: the entry cannot be judged. */
int match_affected_eval(const struct osv_affected *a, enum version_scheme s, const char *version,
                        struct match_eval *out, struct dd_error *err);

struct match_severity {
    enum severity level;
    const char *source; /* static string: "ghsa", "ubuntu", "debian", "alpine", "almalinux",
                           "rocky", "redhat", "cvss", or NULL when UNKNOWN with no source */
    bool vendor;        /* level came from the distribution / database, not from CVSS */
    bool has_cvss;
    struct cvss cvss; /* the vector chosen: CVSS v3.x, else v4.0, else v2 */
};

/* Severity of an advisory for one affected entry (entry may be NULL): distribution or
 * database severity first (entry severity, severity[] of type "Ubuntu", database_specific
 * severity, Red Hat-style "Important: ..." summary for RPM distributions), else the CVSS
 * base score banded. CVSS vectors that do not parse are ignored. */
void match_severity_of(const struct advisory *adv, const struct osv_affected *entry,
                       struct match_severity *out);

/* The lookup the matcher calls: same contract as advdb_lookup. The matcher keeps pointers
 * to the strings of the advisories it is handed (not to the advisory structs or their
 * arrays) until match_pkg returns: they must stay valid that long (advdb's point into the
 * mapped file; a test's into its own records). */
typedef int (*match_lookup_fn)(void *src, const char *ecosystem, const char *name, advdb_hit_cb cb,
                               void *cb_ctx, struct dd_error *err);

/* Match one package (index pkg_index of the inventory) and append its findings to out.
 * Per-package problems (unparsable installed version, advisory events that do not parse)
 * become out->errors; the return value is non-zero only for failures of the run itself
 * (ENOMEM, lookup errors). */
int match_pkg(const struct pkg *p, size_t pkg_index, const struct os_info *os, bool has_os,
              match_lookup_fn lookup, void *src, struct finding_list *out, struct dd_error *err);

/* Every package of inv; findings sorted with finding_list_sort. */
int match_inventory(const struct inventory *inv, match_lookup_fn lookup, void *src,
                    struct finding_list *out, struct dd_error *err);

/* "CVE-2022-1292" from "CVE-2022-1292", "DEBIAN-CVE-2022-1292", "UBUNTU-CVE-2022-1292":
 * writes the CVE ID to out (size >= 32) and returns true; false when s names no CVE. */
bool match_cve_of(const char *s, char out[32]);

#endif
