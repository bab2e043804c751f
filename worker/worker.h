/* worker.h - the drydock-worker daemon: configuration, Redis job intake, the job lifecycle,
 * reclaim of dead workers' jobs, metrics. The protocol is docs/redis.md; operations are
 * docs/worker.md. */
#ifndef DD_WORKER_H
#define DD_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "log.h"

struct worker_config {
    char *redis_host;
    int redis_port;
    int concurrency;  /* jobs at once per process */
    int walk_threads; /* layer walks at once (thread pool) */
    char *db_path;    /* advisory DB; NULL: inventory only */
    char *prefix;     /* key prefix, "dd:" */
    char *name;       /* consumer name; default <host>:<pid> */
    char *http_addr;  /* "127.0.0.1:PORT" for /healthz and /metrics; NULL: off */
    enum log_level log_level;
    int max_attempts;               /* deliveries before a job is FAILED; default 3 */
    uint64_t reclaim_idle_ms;       /* a pending entry idle this long is reclaimed; 30000 */
    uint64_t reclaim_interval_ms;   /* how often to look for such entries; 5000 */
    uint64_t block_ms;              /* XREADGROUP BLOCK; 2000 */
    uint64_t command_timeout_ms;    /* any other Redis command; 10000 */
    uint64_t shutdown_timeout_ms;   /* SIGTERM: wait this long for running jobs; 30000 */
    uint64_t report_ttl_s;          /* dd:report:<job> TTL; 30 days */
    bool layer_cache;               /* fleet-wide layer cache on; default true */
    uint64_t layer_cache_ttl_s;     /* 7 days */
    uint64_t layer_cache_max_bytes; /* entries larger than this are not stored; 4 MiB */
    uint64_t layer_claim_ttl_ms;    /* single flight: fetch claim lifetime; 15000 */
    uint64_t layer_claim_wait_ms;   /* single flight: longest wait for another fetch; 120000 */
    bool insecure;                  /* plain HTTP / unverified TLS to registries */
};

void worker_config_default(struct worker_config *c);
void worker_config_cleanup(struct worker_config *c);
/* One setting by its config-file name ("redis", "concurrency", ...; docs/worker.md). */
int worker_config_set(struct worker_config *c, const char *key, const char *value,
                      struct dd_error *err);
/* A `key = value` file: '#' comments, blank lines; errors name the line. */
int worker_config_load(struct worker_config *c, const char *path, struct dd_error *err);

/* Run until SIGTERM/SIGINT; returns the process exit code (0 on a clean stop). */
int worker_run(const struct worker_config *c);

/* Test/bench helper: enqueue one Job per image the way the scheduler does (HSET dd:job QUEUED,
 * XADD dd:jobs), synchronously; prints "<job_id>\t<image>" per job. 0 or DD_E*. */
int worker_enqueue(const struct worker_config *c, const char *const *images, size_t n,
                   const char *task_id, struct dd_error *err);

#endif
