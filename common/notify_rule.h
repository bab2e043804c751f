/* notify_rule.h - a scan rule's notification targets as the notifier reads them.
 *
 * dd:rule:<id> holds the rule JSON (docs/rules.md); the notifier needs only id, name, enabled
 * and the "notify" array:
 *
 *   {"type": "dingtalk", "webhook_url": "https://...?access_token=T", "secret": "SEC...",
 *    "min_severity": "HIGH", "only_on_change": false, "name": "ops-robot"}
 *   {"type": "http",  "url": "http://...",  "secret": "hmac key"?, ...}
 *   {"type": "https", "url": "https://...", "ca_file": "/etc/ssl/my-ca.pem"?, ...}
 *
 * The scheduler validates targets when a rule is written; this parser checks again, because
 * the notifier must not act on a malformed target (a rule written by an older scheduler, or
 * by hand). A target that does not parse does not fail the rule: it comes back with
 * valid = false and a reason (the notifier dead-letters it), so the other targets still work.
 * Unknown keys in a target are ignored here (forward compatibility); rejecting them is the
 * scheduler's job. Secrets are kept verbatim and never appear in a reason.
 */
#ifndef DD_NOTIFY_RULE_H
#define DD_NOTIFY_RULE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "queue.h"

#define NOTIFY_TARGETS_MAX    32
#define NOTIFY_URL_MAX        2048
#define NOTIFY_SECRET_MAX     256
#define NOTIFY_NAME_MAX       128
#define NOTIFY_CA_FILE_MAX    4096
#define NOTIFY_RULE_MAX_BYTES 65536
#define NOTIFY_REASON_MAX     256
#define NOTIFY_TARGET_KEY_LEN 16

enum notify_type { NOTIFY_TYPE_DINGTALK = 0, NOTIFY_TYPE_HTTP = 1, NOTIFY_TYPE_HTTPS = 2 };

/* Severity levels, ordered; NOTIFY_SEV_NONE = no min_severity (always notify). */
enum notify_severity {
    NOTIFY_SEV_NONE = -1,
    NOTIFY_SEV_UNKNOWN = 0,
    NOTIFY_SEV_LOW = 1,
    NOTIFY_SEV_MEDIUM = 2,
    NOTIFY_SEV_HIGH = 3,
    NOTIFY_SEV_CRITICAL = 4,
};

struct notify_target {
    bool valid; /* false: reason says why; the other fields may be NULL */
    char reason[NOTIFY_REASON_MAX];
    enum notify_type type;
    char *url;     /* url, or webhook_url for dingtalk */
    char *secret;  /* NULL when none */
    char *ca_file; /* https only; NULL: system CA bundle */
    char *name;    /* "" when none */
    enum notify_severity min_severity;
    bool only_on_change;
    /* Stable identity of the target across rule edits: the first 16 hex digits of
     * SHA-256("<type>\n<url>") ("invalid<index>" for an invalid one). Sent markers, the
     * only_on_change state, the Idempotency-Key and replays go by it, so reordering or
     * removing other targets never sends to (or skips) the wrong one. */
    char key[NOTIFY_TARGET_KEY_LEN + 1];
};

struct notify_rule {
    char *id;   /* "" when the JSON has none */
    char *name; /* "" when none */
    bool enabled;
    size_t n_targets;
    struct notify_target *targets;
};

/* Parse rule JSON (at most NOTIFY_RULE_MAX_BYTES). DD_EPARSE when it is not a JSON object, or
 * "notify" is present and not an array of at most NOTIFY_TARGETS_MAX entries, or enabled/
 * name/id have the wrong type. Targets that are wrong are kept with valid = false. */
int notify_rule_parse(const char *text, size_t len, struct notify_rule *out, struct dd_error *err);
/* The key of a target of this type and URL (see notify_target.key); out gets 17 bytes. */
void notify_target_key(enum notify_type type, const char *url, char out[NOTIFY_TARGET_KEY_LEN + 1]);
void notify_rule_cleanup(struct notify_rule *r);

/* "dingtalk", "http", "https". */
const char *notify_type_name(enum notify_type t);
/* Case-insensitive "CRITICAL" .. "UNKNOWN"; NOTIFY_SEV_NONE for anything else. */
enum notify_severity notify_severity_parse(const char *s);
/* "CRITICAL" .. "UNKNOWN"; "NONE". */
const char *notify_severity_name(enum notify_severity s);

/* min_severity: FAILED scans always pass; a COMPLETE scan passes when min is NONE or it has
 * at least one finding at or above min. */
bool notify_min_severity_met(enum queue_status status, const struct queue_counts *c,
                             enum notify_severity min);

/* A URL safe for logs and dead letters: scheme://host[:port]/path, without user info; a query
 * or fragment is replaced by "?<redacted>". malloc'd; 0, DD_ENOMEM or DD_EINVAL (no "://"). */
int notify_url_redact(const char *url, char **out);

#endif
