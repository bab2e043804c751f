/* notifier.h - the drydock-notifier daemon: configuration and the run loop.
 *
 * Consumes CompletionEvents from dd:events (and operator replays from dd:notify:replay) with
 * the consumer group "notifier", looks up the rule's notify targets and delivers DingTalk and
 * HTTP(S) notifications with retries, rate limiting and dead letters. Protocol: docs/notify.md
 * and docs/redis.md.
 */
#ifndef DD_NOTIFIER_H
#define DD_NOTIFIER_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "log.h"

struct notifier_config {
    char *redis_host;
    int redis_port;
    char *prefix;    /* key prefix, "dd:" */
    char *name;      /* consumer name in group "notifier"; default <host>:<pid> */
    char *http_addr; /* ADDR:PORT for /healthz and /metrics; NULL: off */
    enum log_level log_level;
    char *report_base_url;        /* report links; "http://127.0.0.1:8080" */
    int max_attempts;             /* per target and delivery; 8 */
    uint64_t backoff_base_ms;     /* 1000 */
    uint64_t backoff_max_ms;      /* 300000 */
    uint64_t request_timeout_ms;  /* whole HTTP exchange; 10000 */
    uint64_t connect_timeout_ms;  /* 5000 */
    int dingtalk_per_minute;      /* messages per robot per window; 20 */
    uint64_t dingtalk_window_ms;  /* the rate window; 60000 */
    uint64_t reclaim_idle_ms;     /* a pending event idle this long is reclaimed; 60000 */
    uint64_t reclaim_interval_ms; /* how often to look for such events; 5000 */
    int concurrency;              /* HTTP requests in flight; 16 */
    int max_events;               /* events held at once (in flight or waiting); 256 */
    uint64_t block_ms;            /* XREADGROUP BLOCK; 2000 */
    uint64_t command_timeout_ms;  /* other Redis commands; 10000 */
    uint64_t shutdown_timeout_ms; /* SIGTERM: wait this long for requests in flight; 15000 */
};

void notifier_config_default(struct notifier_config *c);
void notifier_config_cleanup(struct notifier_config *c);
/* One setting by its config-file name (docs/notify.md). */
int notifier_config_set(struct notifier_config *c, const char *key, const char *value,
                        struct dd_error *err);
/* A `key = value` file: '#' comments, blank lines; errors name the line. */
int notifier_config_load(struct notifier_config *c, const char *path, struct dd_error *err);

/* Run until SIGTERM/SIGINT; returns the process exit code (0 on a clean stop). */
int notifier_run(const struct notifier_config *c);

#endif
