/* cvss.h - CVSS vector parsing, base scores and qualitative severity.
 *
 * Supported vector forms (base score computed for each):
 *   CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N[/E:..][/CR:..]...
 *   CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H[/E:..]...
 *   CVSS:3.0/... (same metrics as 3.1, v3.0 rounding)
 *   AV:N/AC:L/Au:N/C:P/I:P/A:P[/E:..]...  (CVSS v2, no prefix)
 * See cvss.c for the exact validation rules.
 */
#ifndef DD_CVSS_H
#define DD_CVSS_H

#include "err.h"

enum severity {
    SEVERITY_UNKNOWN = 0,
    SEVERITY_LOW,
    SEVERITY_MEDIUM,
    SEVERITY_HIGH,
    SEVERITY_CRITICAL,
};

/* "UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"; "UNKNOWN" for out-of-range values. */
const char *severity_name(enum severity s);

/* Parses a vendor severity label, ASCII case-insensitively, whole string, no trimming:
 *   "unknown", "none", "untriaged", "not yet assigned"  -> SEVERITY_UNKNOWN
 *   "negligible" (Ubuntu), "unimportant" (Debian), "low" -> SEVERITY_LOW
 *   "medium", "moderate" (GHSA, Red Hat/AlmaLinux)       -> SEVERITY_MEDIUM
 *   "high", "important" (Red Hat/AlmaLinux)              -> SEVERITY_HIGH
 *   "critical"                                           -> SEVERITY_CRITICAL
 * Returns 0, DD_EINVAL for NULL arguments, DD_EPARSE for anything else (*out untouched). */
int severity_parse(const char *s, enum severity *out);

/* CVSS v3.x/v4.0 qualitative rating of a score: 0.0 ("None") -> UNKNOWN, 0.1-3.9 LOW,
 * 4.0-6.9 MEDIUM, 7.0-8.9 HIGH, 9.0-10.0 CRITICAL. Unrounded input is placed by the band
 * its one-decimal round-half-up value falls in (3.95 -> MEDIUM). NaN, negative scores and
 * scores above 10.0 (beyond rounding slack) give UNKNOWN. */
enum severity severity_from_score(double score);

#define CVSS_VECTOR_MAX 256  /* normalised vector buffer, bytes incl. NUL */
#define CVSS_INPUT_MAX  1024 /* longer inputs are rejected with DD_ETOOBIG */

struct cvss {
    int major, minor;  /* 2,0 / 3,0 / 3,1 / 4,0 */
    double base_score; /* 0.0-10.0, rounded to one decimal exactly as the version's spec says */
    enum severity severity;       /* of base_score; v2 uses NVD's v2 bands (no CRITICAL) */
    char vector[CVSS_VECTOR_MAX]; /* normalised: canonical metric order, "X"/"ND" dropped */
};

/* Parses and validates a vector string and computes its base score. Base metrics are
 * mandatory; threat/temporal, environmental and supplemental metrics are validated but do not
 * change base_score. Returns 0; DD_EINVAL (NULL argument), DD_ETOOBIG (input over
 * CVSS_INPUT_MAX), DD_EUNSUPPORTED (well-formed "CVSS:x.y/" prefix of another version) or
 * DD_EPARSE (message names the bad metric). *out is untouched on failure. */
int cvss_parse(const char *vector, struct cvss *out, struct dd_error *err);

#endif
