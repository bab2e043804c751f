/* layer_cache.c - the fleet-wide layer cache on Redis (see layer_cache.h).
 *
 * Design: lookup = GET dd:layer:<diff_id>:<version> on the worker's command connection; the
 * reply is decoded with queue_layer_decode (which checks diff_id and analyzer version inside
 * the payload too, so a misfiled or stale entry is a miss, never a wrong inventory). store =
 * queue_layer_encode then SET EX, skipped above max_bytes. Every failure (Redis down, timeout,
 * undecodable entry) is a miss: the cache can make a scan faster, never make it fail.
 *
 * Invariants: the done callback of a lookup runs exactly once, on the loop thread, after
 * lookup() returned 0 (a redis_uv command callback always runs once).
 *
 * Not here: eviction (Redis TTL does it), cross-version reuse.
 */
#include "layer_cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "queue.h"

struct lookup {
    struct layer_cache *c;
    char *diff_id;
    scan_cache_done_cb done;
    void *token;
};

static void count(struct layer_cache *c, const char *name)
{
    char k[QUEUE_MAX_KEY];
    if (queue_key(k, sizeof(k), c->prefix, "metrics", name) == 0)
        redis_uv_commandf(c->r, NULL, NULL, c->timeout_ms, "INCRBY %s 1", k);
}

static void on_get(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct lookup *l = ud;
    struct layer_cache *c = l->c;
    struct layer_result res;
    struct layer_result *hit = NULL;
    if (reply && reply->type == REDIS_REPLY_STRING) {
        struct dd_error e = {0};
        if (queue_layer_decode((const uint8_t *)reply->str, reply->len, l->diff_id, c->version,
                               &res, &e) == 0) {
            hit = &res;
        } else {
            c->errors++;
            log_warn("sub=layer_cache diff_id=%.19s.. msg=\"bad cache entry, ignored\" "
                     "error=\"%s\"",
                     l->diff_id, e.msg);
        }
    }
    if (hit) {
        c->hits++;
        count(c, "layer_cache_hits");
    } else {
        c->misses++;
        count(c, "layer_cache_misses");
    }
    l->done(l->token, hit); /* takes the content of *hit */
    if (hit)
        layer_result_cleanup(hit);
    free(l->diff_id);
    free(l);
}

static int cache_lookup(void *ctx, const char *diff_id, scan_cache_done_cb done, void *token)
{
    struct layer_cache *c = ctx;
    char k[QUEUE_MAX_KEY];
    if (queue_key_layer(k, sizeof(k), c->prefix, diff_id, c->version) != 0)
        return DD_ETOOBIG;
    struct lookup *l = calloc(1, sizeof(*l));
    if (l == NULL || (l->diff_id = strdup(diff_id)) == NULL) {
        free(l);
        return DD_ENOMEM;
    }
    l->c = c;
    l->done = done;
    l->token = token;
    int rc = redis_uv_commandf(c->r, on_get, l, c->timeout_ms, "GET %s", k);
    if (rc) {
        c->misses++;
        free(l->diff_id);
        free(l);
    }
    return rc;
}

static void cache_store(void *ctx, const char *diff_id, const struct layer_result *r)
{
    struct layer_cache *c = ctx;
    char k[QUEUE_MAX_KEY];
    uint8_t *b = NULL;
    size_t n = 0;
    count(c, "layers_fetched");
    if (queue_key_layer(k, sizeof(k), c->prefix, diff_id, c->version) != 0 ||
        queue_layer_encode(diff_id, c->version, r, &b, &n) != 0)
        return;
    if (n > c->max_bytes) {
        c->store_skipped++;
        free(b);
        return;
    }
    if (redis_uv_commandf(c->r, NULL, NULL, c->timeout_ms, "SET %s %b EX %llu", k, b, n,
                          (unsigned long long)c->ttl_s) == 0)
        c->stores++;
    free(b);
}

void layer_cache_init(struct layer_cache *c, struct redis_uv *r, const char *prefix, uint64_t ttl_s,
                      uint64_t max_bytes, uint64_t timeout_ms)
{
    memset(c, 0, sizeof(*c));
    c->r = r;
    snprintf(c->prefix, sizeof(c->prefix), "%s", prefix);
    c->ttl_s = ttl_s;
    c->max_bytes = max_bytes;
    c->timeout_ms = timeout_ms;
    c->version = queue_analyzer_version();
    c->hooks.ctx = c;
    c->hooks.lookup = cache_lookup;
    c->hooks.store = cache_store;
}

void layer_cache_cleanup(struct layer_cache *c)
{
    (void)c; /* nothing owned: lookups in flight end through the connection's callbacks */
}

const struct scan_layer_cache *layer_cache_hooks(struct layer_cache *c)
{
    return &c->hooks;
}
