/* queue.h - the fleet's Redis payloads and key names (docs/redis.md), as pure functions.
 *
 *   Job             <-> struct queue_job         (dd:jobs stream, field "job")
 *   TaskSummary     <-> struct queue_summary     (inside CompletionEvent)
 *   CompletionEvent <-> struct queue_event       (dd:events stream, field "event")
 *   LayerInventory  <-> struct layer_result      (dd:layer:<diff_id>:<analyzer version>)
 *
 * Payloads read from Redis are untrusted: every decoder caps the payload size, checks field
 * lengths and characters that end up in key names, and fills err with what was wrong.
 * Encoders return malloc'd bytes the caller frees. Nothing here talks to Redis.
 */
#ifndef DD_QUEUE_H
#define DD_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "layer_walk.h"

#define QUEUE_MAX_JOB_BYTES   (64u * 1024)        /* a Job or CompletionEvent payload */
#define QUEUE_MAX_LAYER_BYTES (64u * 1024 * 1024) /* a LayerInventory payload */
#define QUEUE_MAX_ID          128                 /* job_id, task_id, rule_id */
#define QUEUE_MAX_IMAGE       1024                /* image reference */
#define QUEUE_MAX_KEY         2048                /* any key name built here */

enum queue_status {
    QUEUE_STATUS_UNSPECIFIED = 0,
    QUEUE_STATUS_NOT_SCANNED = 1,
    QUEUE_STATUS_SCANNING = 2,
    QUEUE_STATUS_COMPLETE = 3,
    QUEUE_STATUS_FAILED = 4,
    QUEUE_STATUS_RETRYING = 5,
};

/* "SCANNING", ...; "UNSPECIFIED" out of range. */
const char *queue_status_name(enum queue_status s);

struct queue_job {
    char *job_id;   /* required: [A-Za-z0-9._:-], at most QUEUE_MAX_ID bytes */
    char *task_id;  /* may be "" */
    char *image;    /* required, printable ASCII without spaces, at most QUEUE_MAX_IMAGE */
    char *digest;   /* "" when unknown at enqueue time */
    char *platform; /* "" means linux/amd64 */
    char *rule_id;  /* may be "" */
    uint32_t attempt;
    int64_t enqueued_at_ms;
};

void queue_job_cleanup(struct queue_job *j);
/* Deep copy of the fields, NULL fields become "". */
int queue_job_encode(const struct queue_job *j, uint8_t **out, size_t *len);
int queue_job_decode(const uint8_t *data, size_t len, struct queue_job *out, struct dd_error *err);
/* The ID rule for job, task and rule IDs (also used for key names): non-empty, at most
 * QUEUE_MAX_ID bytes of [A-Za-z0-9._:-]. */
int queue_id_validate(const char *id);

struct queue_counts {
    uint32_t critical, high, medium, low, unknown;
};

struct queue_summary {
    char *job_id, *image, *digest, *error, *db_built_at; /* NULL encodes as "" */
    enum queue_status status;
    struct queue_counts counts;
    uint32_t packages;
    uint32_t attempt;
    int64_t started_at_ms, finished_at_ms;
};

struct queue_event {
    char *job_id, *task_id, *rule_id;
    struct queue_summary summary;
    int64_t occurred_at_ms;
};

void queue_summary_cleanup(struct queue_summary *s);
void queue_event_cleanup(struct queue_event *e);
int queue_summary_encode(const struct queue_summary *s, uint8_t **out, size_t *len);
int queue_summary_decode(const uint8_t *data, size_t len, struct queue_summary *out,
                         struct dd_error *err);
int queue_event_encode(const struct queue_event *e, uint8_t **out, size_t *len);
int queue_event_decode(const uint8_t *data, size_t len, struct queue_event *out,
                       struct dd_error *err);

/* The analyzer version of this build: FNV-1a 32 over "name:version\n" of every analyzer in
 * table order, so any version bump, addition, removal or reordering changes it (the cached
 * LayerFile.analyzer is a table index). Never 0. */
uint32_t queue_analyzer_version(void);

/* A successful layer walk's result (without pending links: callers do not cache those). */
int queue_layer_encode(const char *diff_id, uint32_t analyzer_version, const struct layer_result *r,
                       uint8_t **out, size_t *len);
/* Decode into a fresh result (layer_result_cleanup frees it). DD_EPARSE when the payload does
 * not parse, names another diff_id or analyzer version, or names an analyzer index this build
 * does not have. */
int queue_layer_decode(const uint8_t *data, size_t len, const char *diff_id,
                       uint32_t analyzer_version, struct layer_result *out, struct dd_error *err);

/* Key names: "<prefix><kind>:<id>" into out (cap bytes). DD_ETOOBIG when it does not fit,
 * DD_EINVAL when a part is NULL. kind is one of "job", "report", "pending", "tag",
 * "metrics", "task"; queue_key_layer adds ":<analyzer version>". */
int queue_key(char *out, size_t cap, const char *prefix, const char *kind, const char *id);
int queue_key_layer(char *out, size_t cap, const char *prefix, const char *diff_id,
                    uint32_t analyzer_version);
/* "<prefix>jobs", "<prefix>events". */
int queue_key_stream(char *out, size_t cap, const char *prefix, const char *name);
/* The dd:tag key of an image: "<prefix>tag:<registry>/<repository>:<tag>"; DD_ENOTFOUND when
 * the reference has no tag (digest-only), DD_EPARSE when it does not parse. */
int queue_key_tag(char *out, size_t cap, const char *prefix, const char *image);

#endif
