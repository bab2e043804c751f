/* store.h - the scheduler's Redis access (blocking hiredis, one connection behind a mutex).
 *
 * Keys follow docs/redis.md; every key gets the configured prefix (default "dd:"). Commands
 * are sent with argv (binary-safe: protobuf values, user-supplied names), never formatted.
 *
 *   rules   dd:rule:<id> (JSON)  dd:rules (set)
 *   tasks   dd:task:<id> (hash)  dd:task:<id>:jobs (list)  dd:task:<id>:skipped (list)
 *           dd:tasks (zset)      dd:rule:<rule_id>:tasks (zset)
 *   jobs    dd:pending:<digest> (SET NX EX)  dd:job:<id> (hash)  dd:tag:<image> (hash)
 *           XADD dd:jobs * job <Job protobuf>
 */
#ifndef DD_SCHED_STORE_H
#define DD_SCHED_STORE_H

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "expand.h"

#define STORE_PENDING_TTL_S 3600
#define STORE_KEY_MAX       1024

struct store;

int store_new(const char *host, int port, const char *prefix, struct store **out,
              struct dd_error *err);
void store_free(struct store *s);
const char *store_prefix(const struct store *s);

/* One command; *reply is the caller's (freeReplyObject). A Redis error reply is DD_EIO with
 * the message in err. Reconnects once when the connection is broken. */
int store_cmd(struct store *s, redisReply **reply, int argc, const char **argv, const size_t *lens,
              struct dd_error *err);
/* Convenience: NUL-terminated string arguments, terminated by STORE_END. */
#define STORE_END ((const char *)NULL)
int store_cmdv(struct store *s, redisReply **reply, struct dd_error *err, ...);

/* Build "<prefix><fmt...>" into out (STORE_KEY_MAX). DD_ETOOBIG when it does not fit. */
int store_key(const struct store *s, char *out, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Rules. */
int store_rule_put(struct store *s, const char *id, const char *json, struct dd_error *err);
int store_rule_get(struct store *s, const char *id, char **json, struct dd_error *err);
int store_rule_del(struct store *s, const char *id, struct dd_error *err);
int store_rule_ids(struct store *s, struct str_list *out, struct dd_error *err);

/* Tasks. kind is "rule" or "scan"; rule_id may be NULL. */
int store_task_create(struct store *s, const char *task_id, const char *kind, const char *rule_id,
                      int64_t now_ms, const char *status, struct dd_error *err);
int store_task_set(struct store *s, const char *task_id, const char *field, const char *value,
                   struct dd_error *err);
int store_task_skip(struct store *s, const char *task_id, const char *image, const char *reason,
                    struct dd_error *err);

struct job_spec {
    const char *task_id;
    const char *rule_id;  /* may be NULL */
    const char *registry; /* host[:port] */
    const char *repo;
    const char *tag; /* NULL: the image is named by digest */
    const char *digest;
    const char *platform; /* NULL: linux/amd64 */
};

/* Dedup on digest, then record + queue one job. 1 queued (job id in job_id_out, 33 bytes),
 * 0 already queued (the pending job's id in job_id_out), negative on failure. */
int store_enqueue(struct store *s, const struct job_spec *j, char *job_id_out,
                  struct dd_error *err);

/* Hash as a JSON object of strings (new reference); DD_ENOTFOUND when missing/empty. */
int store_hgetall_json(struct store *s, const char *key, json_t **out, struct dd_error *err);

/* Decode the Job entries of the jobs stream to JSON lines on out (the --dump-jobs helper). */
int store_dump_jobs(struct store *s, FILE *out, struct dd_error *err);

int64_t now_ms(void);

#endif
