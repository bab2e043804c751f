/* sched.h - the scheduler core: config, rule runs, single-image scans, push events, cron.
 *
 *   API thread ──sched_rule_run()──▶ task EXPANDING ──▶ run queue (bounded) ──▶ runner thread
 *                                                                              expand_rule()
 *   cron thread (once a minute) ──▶ rules with a matching cron ──▶ same queue  ──▶ store_enqueue
 *   POST /registry/events ──sched_handle_events()──▶ on_push rules ──▶ store_enqueue (inline)
 *
 * The runner thread is the only one talking to registries, so a slow registry never holds an
 * HTTP thread. Cron ticks are claimed in Redis (SET dd:cron:<rule>:<minute> NX) so several
 * schedulers against one Redis run each scheduled rule once.
 */
#ifndef DD_SCHED_SCHED_H
#define DD_SCHED_SCHED_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "rules.h"
#include "store.h"

#define SCHED_RUN_QUEUE_MAX 64

struct sched_credentials {
    char *name;
    char *username;
    char *password; /* never logged or returned */
};

struct sched_config {
    char *listen_host;      /* default 127.0.0.1 */
    int listen_port;        /* default 8080 */
    char *token;            /* API bearer token (required) */
    char *events_token;     /* registry notification bearer token (default: token) */
    char *redis_host;       /* default 127.0.0.1 */
    int redis_port;         /* default 6379 */
    char *prefix;           /* default "dd:" */
    char *default_registry; /* host[:port] for /repos/... paths and rules without registry */
    struct sched_credentials *creds;
    size_t n_creds;
    int api_threads;       /* default 4 */
    bool cron;             /* default true */
    int catalog_page_size; /* ?n= for _catalog and tags/list; default 100 */
};

void sched_config_init(struct sched_config *c);
/* Load a JSON config file over the defaults (docs/api.md lists the keys). */
int sched_config_load(const char *path, struct sched_config *c, struct dd_error *err);
void sched_config_cleanup(struct sched_config *c);
const struct sched_credentials *sched_config_creds(const struct sched_config *c, const char *name);

struct sched;

/* cfg is borrowed and must outlive the scheduler. */
int sched_new(const struct sched_config *cfg, struct sched **out, struct dd_error *err);
int sched_start(struct sched *s, struct dd_error *err); /* runner + cron threads */
void sched_stop(struct sched *s);
void sched_free(struct sched *s);
struct store *sched_store(struct sched *s);
const struct sched_config *sched_config(const struct sched *s);

/* Load every stored rule (ones that no longer parse are skipped). Free with
 * sched_rules_free. */
int sched_rules_load(struct sched *s, struct scan_rule ***out, size_t *n, struct dd_error *err);
void sched_rules_free(struct scan_rule **v, size_t n);

/* Create a rule task and queue its expansion. DD_ENOTFOUND: no rule; DD_ELIMIT: run queue
 * full. task_id gets 33 bytes. */
int sched_rule_run(struct sched *s, const char *rule_id, char *task_id, struct dd_error *err);
/* Create a single-image task and queue it (digest resolved by the runner unless given).
 * credentials may be NULL. */
int sched_scan_image(struct sched *s, const char *image, const char *credentials, char *task_id,
                     struct dd_error *err);
/* Registry notifications: enqueue tagged manifest pushes matching on_push rules. registry
 * (may be NULL) restricts matching to rules of that registry host. *result: counts. */
int sched_handle_events(struct sched *s, const char *body, size_t len, const char *registry,
                        json_t **result, struct dd_error *err);
/* One cron check for the minute containing t (exposed for tests and the cron thread). */
int sched_cron_tick(struct sched *s, time_t t, struct dd_error *err);

#endif
