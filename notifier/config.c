/* config.c - drydock-notifier settings: defaults, `key = value` files, --set overrides.
 *
 * The file syntax is the worker's (docs/worker.md): '#' starts a comment at the start of a
 * line or after whitespace; every key is checked against a range so a typo fails at start,
 * not at the first delivery. Values are never logged (none is secret today, but a future
 * Redis password would be).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv_conf.h"
#include "notifier.h"
#include "queue.h"
#include "redis_uv.h"

void notifier_config_default(struct notifier_config *c)
{
    memset(c, 0, sizeof(*c));
    c->redis_host = strdup("127.0.0.1");
    c->redis_port = 6379;
    c->prefix = strdup("dd:");
    c->log_level = LOG_INFO;
    c->report_base_url = strdup("http://127.0.0.1:8080");
    c->max_attempts = 8;
    c->backoff_base_ms = 1000;
    c->backoff_max_ms = 300000;
    c->request_timeout_ms = 10000;
    c->connect_timeout_ms = 5000;
    c->dingtalk_per_minute = 20;
    c->dingtalk_window_ms = 60000;
    c->reclaim_idle_ms = 60000;
    c->reclaim_interval_ms = 5000;
    c->concurrency = 16;
    c->max_events = 256;
    c->block_ms = 2000;
    c->command_timeout_ms = 10000;
    c->shutdown_timeout_ms = 15000;
}

void notifier_config_cleanup(struct notifier_config *c)
{
    free(c->redis_host);
    free(c->prefix);
    free(c->name);
    free(c->http_addr);
    free(c->report_base_url);
    memset(c, 0, sizeof(*c));
}

static int parse_int(const char *s, int min, int max, int *out)
{
    uint64_t v;
    int rc = kv_parse_u64(s, (uint64_t)min, (uint64_t)max, &v);
    if (rc == 0)
        *out = (int)v;
    return rc;
}

int notifier_config_set(struct notifier_config *c, const char *key, const char *v,
                        struct dd_error *err)
{
    int rc = 0;
    if (strcmp(key, "redis") == 0) {
        char *host;
        int port;
        rc = redis_addr_parse(v, &host, &port);
        if (rc == 0) {
            free(c->redis_host);
            c->redis_host = host;
            c->redis_port = port;
        }
    } else if (strcmp(key, "prefix") == 0) {
        rc = strlen(v) > 64 ? DD_EINVAL : kv_set_str(&c->prefix, v);
    } else if (strcmp(key, "name") == 0) {
        rc = queue_id_validate(v) ? DD_EINVAL : kv_set_str(&c->name, v);
    } else if (strcmp(key, "http") == 0) {
        char *host;
        int port;
        rc = redis_addr_parse(v, &host, &port);
        if (rc == 0) {
            free(host);
            rc = kv_set_str(&c->http_addr, v);
        }
    } else if (strcmp(key, "log_level") == 0) {
        rc = log_level_parse(v, &c->log_level) ? DD_EINVAL : 0;
    } else if (strcmp(key, "report_base_url") == 0) {
        rc = (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) || strlen(v) > 1024
                 ? DD_EINVAL
                 : kv_set_str(&c->report_base_url, v);
    } else if (strcmp(key, "max_attempts") == 0) {
        rc = parse_int(v, 1, 100, &c->max_attempts);
    } else if (strcmp(key, "backoff_base_ms") == 0) {
        rc = kv_parse_u64(v, 1, 3600000, &c->backoff_base_ms);
    } else if (strcmp(key, "backoff_max_ms") == 0) {
        rc = kv_parse_u64(v, 1, 86400000, &c->backoff_max_ms);
    } else if (strcmp(key, "request_timeout_ms") == 0) {
        rc = kv_parse_u64(v, 100, 600000, &c->request_timeout_ms);
    } else if (strcmp(key, "connect_timeout_ms") == 0) {
        rc = kv_parse_u64(v, 100, 600000, &c->connect_timeout_ms);
    } else if (strcmp(key, "dingtalk_per_minute") == 0) {
        rc = parse_int(v, 1, 10000, &c->dingtalk_per_minute);
    } else if (strcmp(key, "dingtalk_window_ms") == 0) {
        rc = kv_parse_u64(v, 100, 3600000, &c->dingtalk_window_ms);
    } else if (strcmp(key, "reclaim_idle_ms") == 0) {
        rc = kv_parse_u64(v, 100, 86400000, &c->reclaim_idle_ms);
    } else if (strcmp(key, "reclaim_interval_ms") == 0) {
        rc = kv_parse_u64(v, 50, 3600000, &c->reclaim_interval_ms);
    } else if (strcmp(key, "concurrency") == 0) {
        rc = parse_int(v, 1, 1024, &c->concurrency);
    } else if (strcmp(key, "max_events") == 0) {
        rc = parse_int(v, 1, 100000, &c->max_events);
    } else if (strcmp(key, "block_ms") == 0) {
        rc = kv_parse_u64(v, 10, 60000, &c->block_ms);
    } else if (strcmp(key, "command_timeout_ms") == 0) {
        rc = kv_parse_u64(v, 100, 600000, &c->command_timeout_ms);
    } else if (strcmp(key, "shutdown_timeout_ms") == 0) {
        rc = kv_parse_u64(v, 0, 3600000, &c->shutdown_timeout_ms);
    } else {
        return dd_error_set(err, DD_EINVAL, "unknown setting '%s'", key);
    }
    if (rc == DD_ENOMEM)
        return dd_error_set(err, rc, "out of memory");
    if (rc)
        return dd_error_set(err, DD_EINVAL, "bad value for %s", key);
    return 0;
}

static int config_set_cb(void *ctx, const char *key, const char *value, struct dd_error *err)
{
    return notifier_config_set(ctx, key, value, err);
}

int notifier_config_load(struct notifier_config *c, const char *path, struct dd_error *err)
{
    return kv_conf_load(path, config_set_cb, c, err);
}
