/* report_vuln.h - scan reports: findings per target as a table, drydock JSON (documented in
 * docs/scan-json.md, schema docs/scan-report.schema.json), SARIF 2.1.0 and CycloneDX 1.5 with
 * a vulnerabilities section.
 *
 * Targets: one for the OS packages ("os-pkgs"), then one per application file
 * ("lang-pkgs": the package type and the file it was found in), in path order. Findings keep
 * the order they have in the list (finding_list_sort: severity, then package).
 */
#ifndef DD_REPORT_VULN_H
#define DD_REPORT_VULN_H

#include <jansson.h>
#include <stdio.h>

#include "findings.h"
#include "inventory.h"
#include "report.h"

struct vuln_report {
    const struct image_meta *meta;
    const struct inventory *inv;
    const struct finding_list *findings; /* filtered and sorted */
    const char *db_built_at;             /* RFC 3339 or NULL */
    size_t n_ignored;                    /* findings the ignore file removed */
};

/* New references (NULL on ENOMEM). */
json_t *report_vuln_json(const struct vuln_report *r);
json_t *report_vuln_sarif(const struct vuln_report *r);
json_t *report_vuln_cyclonedx(const struct vuln_report *r);
/* Human-readable tables and the "Total: N (CRITICAL: a, ...)" line; 0 or -errno. */
int report_vuln_write_table(FILE *out, const struct vuln_report *r);

#endif
