/* notify_msg.h - what a notification says: the HTTP JSON payload, the DingTalk markdown
 * message (single and batched), the top findings taken from a stored report, and the state
 * string only_on_change compares. docs/notify.md is the contract for the formats.
 *
 * Every function takes a decoded CompletionEvent (struct queue_event) plus the few things the
 * event does not carry (rule name, report base URL, findings) and returns malloc'd text.
 */
#ifndef DD_NOTIFY_MSG_H
#define DD_NOTIFY_MSG_H

#include <stddef.h>

#include "err.h"
#include "notify_rule.h"
#include "queue.h"

#define NOTIFY_TOP_FINDINGS     10
#define NOTIFY_REPORT_MAX_BYTES (64u * 1024 * 1024)
#define NOTIFY_FIELD_MAX        160 /* bytes kept of any one finding field */

/* The image of an event as the notification names it. */
struct notify_image {
    char *image;      /* "<registry>/<repository>:<tag>" (no "@digest" when there is a tag),
                         else the reference as given */
    char *repository; /* NULL when the reference does not parse */
    char *tag;        /* NULL for a digest-only reference */
};

int notify_image_split(const char *image, struct notify_image *out);
void notify_image_cleanup(struct notify_image *im);

/* "SCAN_FAILED" for a FAILED status, else "SCAN_COMPLETED". */
const char *notify_event_type(const struct queue_event *ev);

/* <base>/api/v1/repos/<repository>/tags/<tag>/report, or NULL (*out) when there is no tag. */
int notify_report_url(const char *base, const struct notify_image *im, char **out);

/* The HTTP(S) body (docs/notify.md): one JSON object, compact, keys in a fixed order. */
int notify_payload_json(const struct queue_event *ev, const char *rule_name,
                        const char *report_base_url, char **out, size_t *len);

struct notify_finding {
    char *id, *package, *installed, *fixed; /* fixed NULL when there is no fix */
    enum notify_severity severity;
};

/* Up to max findings of a stored report (`drydock scan --format json` shape), highest
 * severity first, in report order within a level. A report without vulnerabilities (e.g. an
 * SBOM-only report) gives 0 findings. DD_EPARSE / DD_ETOOBIG with err on bad input. */
int notify_report_top(const char *json, size_t len, size_t max, struct notify_finding **out,
                      size_t *n, struct dd_error *err);
void notify_findings_free(struct notify_finding *f, size_t n);

/* One scan in a DingTalk message. */
struct notify_scan {
    const struct queue_event *ev;
    const char *rule_name;
    const struct notify_finding *findings;
    size_t n_findings;
};

/* The DingTalk markdown message body {"msgtype": "markdown", "markdown": {"title", "text"}}
 * for one scan (n == 1: image, digest, status, counts, top findings, report link) or a batch
 * (n > 1: one short section per scan, used when the robot's rate limit held messages back). */
int notify_dingtalk_body(const struct notify_scan *scans, size_t n, const char *report_base_url,
                         char **out, size_t *len);

/* The state only_on_change compares: "<STATUS> <critical> <high> <medium> <low> <unknown>". */
int notify_state(const struct queue_event *ev, char *out, size_t cap);

/* RFC 3339 UTC with seconds ("2026-11-28T15:04:05Z") into out (>= 21 bytes). */
void notify_time_rfc3339(int64_t ms, char *out, size_t cap);

#endif
