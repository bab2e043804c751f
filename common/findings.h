/* findings.h - vulnerability findings: the list the matcher fills, its order, the report
 * filters (--severity, --ignore-unfixed) and the ignore file (.drydockignore).
 *
 * A finding is one vulnerability (one CVE, or one advisory ID when no CVE is known) in one
 * installed package. Every string is heap-owned by the finding; a finding_list owns its
 * findings and its errors.
 */
#ifndef DD_FINDINGS_H
#define DD_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cvss.h"
#include "err.h"

enum vuln_status {
    VULN_STATUS_FIXED,        /* a fixed version exists (fixed_version set) */
    VULN_STATUS_AFFECTED,     /* affected, no fix published */
    VULN_STATUS_WILL_NOT_FIX, /* the distribution says it will not fix it */
};

/* "fixed", "affected", "will_not_fix"; "unknown" out of range. */
const char *vuln_status_name(enum vuln_status s);

struct finding {
    char *id;       /* the CVE when the finding has one, else the primary advisory ID */
    char **aliases; /* every other ID of the merged records, sorted, unique */
    size_t n_aliases;
    size_t pkg_index;        /* index into the inventory's package list */
    char *pkg_name;          /* installed (binary) package name */
    char *matched_name;      /* name the advisory uses (deb: source package) */
    char *ecosystem;         /* OSV ecosystem the match came from ("Debian:12", "npm") */
    char *installed_version; /* as installed (rpm: [epoch:]version-release) */
    char *matched_version;   /* version compared with the ranges (deb: source version) */
    char *fixed_version;     /* NULL unless status is VULN_STATUS_FIXED */
    enum vuln_status status;
    enum severity severity;
    char *severity_source; /* "ghsa", "ubuntu", "debian", "almalinux", "cvss", ... or NULL */
    bool has_cvss;
    double cvss_score;  /* base score, one decimal */
    char *cvss_vector;  /* normalised vector */
    char *cvss_version; /* "2.0", "3.0", "3.1", "4.0" */
    char *title;        /* summary, or the first line of details; may be NULL */
    char **references;  /* URLs, unique, in record order */
    size_t n_references;
    /* When set, one allocation holding every string and both pointer arrays above (the
     * matcher packs a finding so: one malloc instead of ~15); finding_cleanup frees just it.
     * NULL: each field is its own allocation. Never mix the two in one finding. */
    void *block;
};

struct finding_error {
    size_t pkg_index; /* FINDING_NO_PKG when not tied to one package */
    char *advisory;   /* advisory ID when the error is in an advisory, else NULL */
    char *msg;
};

#define FINDING_NO_PKG ((size_t)-1)

struct finding_list {
    struct finding *v;
    size_t n, cap;
    struct finding_error *errors;
    size_t n_errors, cap_errors;
};

void finding_cleanup(struct finding *f);
void finding_list_init(struct finding_list *l);
void finding_list_cleanup(struct finding_list *l);
/* Append a zeroed finding and return it in *out (valid until the next append). */
int finding_list_add(struct finding_list *l, struct finding **out);
/* Record an error (advisory may be NULL); the message is copied. */
int finding_list_add_error(struct finding_list *l, size_t pkg_index, const char *advisory,
                           const char *msg);
/* Severity CRITICAL first, then package name, installed version, ID. */
void finding_list_sort(struct finding_list *l);
/* Counts per severity (index = enum severity). */
void finding_list_count(const struct finding_list *l, size_t counts[SEVERITY_CRITICAL + 1]);

/* --severity: "HIGH,CRITICAL" (case-insensitive, comma separated, no empty items) to a
 * bit mask of (1u << enum severity). DD_EPARSE names the bad item. */
int severity_mask_parse(const char *s, unsigned *mask, struct dd_error *err);

/* The ignore file (.drydockignore), one rule per line; see docs/scan-json.md:
 *
 *   # comment
 *   CVE-2022-1292
 *   CVE-2023-0286  exp:2025-06-30  pkg:openssl   # waiting for the base image
 *
 * An ID, then optional `exp:YYYY-MM-DD` (the rule holds through that day, UTC) and
 * `pkg:NAME` (only that package, binary or source name), then an optional `# reason`. */
#define IGNORE_MAX_FILE_BYTES (1u << 20)
#define IGNORE_MAX_RULES      10000
#define IGNORE_MAX_LINE       4096
#define IGNORE_MAX_ID         128

struct ignore_rule {
    char *id;
    char *pkg;         /* NULL: every package */
    int64_t expires_s; /* first second (epoch, UTC) the rule no longer applies; -1 never */
    char *expires;     /* "YYYY-MM-DD" as written, or NULL */
    char *reason;      /* NULL when none */
    unsigned line;     /* 1-based line number */
};

struct ignore_list {
    struct ignore_rule *v;
    size_t n, cap;
};

void ignore_list_init(struct ignore_list *l);
void ignore_list_cleanup(struct ignore_list *l);
/* Parse the text of an ignore file. Errors name the line: "line 3: bad expiry date
 * 'exp:2024-02-30'". *out is untouched on failure. */
int ignore_list_parse(const char *text, size_t len, struct ignore_list *out, struct dd_error *err);
/* Read and parse a file; DD_ENOTFOUND when it does not exist. */
int ignore_list_load(const char *path, struct ignore_list *out, struct dd_error *err);
/* The rule that ignores f at time now_s (matched by ID or any alias, ASCII
 * case-insensitive), or NULL. Expired rules never match. */
const struct ignore_rule *ignore_list_match(const struct ignore_list *l, const struct finding *f,
                                            const char *src_name, int64_t now_s);

struct finding_filter {
    unsigned severity_mask;            /* 0: every severity */
    bool ignore_unfixed;               /* drop findings without a fixed version */
    const struct ignore_list *ignores; /* may be NULL */
    int64_t now_s;                     /* for rule expiry */
};

/* Remove the findings the filter rejects (keeping order). src_names[f.pkg_index] is the
 * package's source name for pkg: rules (may be NULL). Returns the number removed. */
size_t finding_list_filter(struct finding_list *l, const struct finding_filter *f,
                           const char *const *src_names, size_t n_src_names);

#endif
