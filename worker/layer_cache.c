/* layer_cache.c - the fleet-wide layer cache on Redis (see layer_cache.h).
 *
 * Design: lookup = GET dd:layer:<diff_id>:<version> on the worker's command connection; the
 * reply is decoded with queue_layer_decode (which checks diff_id and analyzer version inside
 * the payload too, so a misfiled or stale entry is a miss, never a wrong inventory). store =
 * queue_layer_encode then SET EX, skipped above max_bytes. Every failure (Redis down, timeout,
 * undecodable entry) is a miss: the cache can make a scan faster, never make it fail.
 *
 * Single flight (a namespace of images sharing a base layer fetches it once, fleet-wide): on a
 * miss the lookup claims the layer, SET dd:layerclaim:<diff_id>:<version> <owner> NX PX
 * claim_ttl. The claimant reports a miss and fetches; every other lookup of that layer, in
 * this process or another, finds the claim and waits: it polls MGET <entry> <claim> every
 * poll_ms and reports a hit as soon as the entry is stored, or a miss when the claim is gone
 * without an entry (the claimant failed, or the entry was too big to store) or after
 * claim_wait_ms. The claimant keeps its claim alive (PEXPIRE every claim_ttl/3) until the scan
 * releases it (the release hook: the layer's task ended) with a compare-and-delete; a
 * claimant that dies stops refreshing, so its claim expires within claim_ttl and the waiters
 * fetch. claim_wait_ms = 0 turns single flight off (plain GET, miss, fetch).
 *
 * Invariants: the done callback of a lookup runs exactly once, on the loop thread, after
 * lookup() returned 0 (a redis_uv command callback always runs once), except for lookups
 * still waiting when layer_cache_cleanup runs (shutdown: their scans are abandoned). A
 * struct lookup lives until its outcome is reported and, for a claimant, its claim is
 * released; it is freed only when no command of its is outstanding and its timer is closed.
 *
 * Not here: eviction (Redis TTL does it), cross-version reuse.
 */
#include "layer_cache.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "queue.h"

/* Compare-and-delete: drop the claim only if it is still ours. */
static const char RELEASE_LUA[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
    "return 0";

struct lookup {
    struct layer_cache *c;
    char *diff_id;
    scan_cache_done_cb done;
    void *token;
    char key[QUEUE_MAX_KEY];   /* the entry */
    char claim[QUEUE_MAX_KEY]; /* its claim */
    uint64_t wait_until;       /* uv_now() deadline of a wait */
    uv_timer_t timer;          /* poll (waiter) or refresh (claimant) */
    bool timer_init, timer_closing;
    bool reported;              /* done() has run */
    bool owns_claim;            /* we hold the claim (until released) */
    bool command_out;           /* a command of ours is outstanding */
    bool ending;                /* free as soon as nothing is outstanding */
    struct lookup *next, *prev; /* c->live */
};

static void count(struct layer_cache *c, const char *name)
{
    char k[QUEUE_MAX_KEY];
    if (queue_key(k, sizeof(k), c->prefix, "metrics", name) == 0)
        redis_uv_commandf(c->r, NULL, NULL, c->timeout_ms, "INCRBY %s 1", k);
}

static void live_add(struct layer_cache *c, struct lookup *l)
{
    l->prev = NULL;
    l->next = c->live;
    if (c->live)
        c->live->prev = l;
    c->live = l;
}

static void live_remove(struct layer_cache *c, struct lookup *l)
{
    if (l->prev)
        l->prev->next = l->next;
    else if (c->live == l)
        c->live = l->next;
    if (l->next)
        l->next->prev = l->prev;
    l->next = l->prev = NULL;
}

static void on_timer_closed(uv_handle_t *h)
{
    struct lookup *l = h->data;
    free(l->diff_id);
    free(l);
}

/* Retire l: off the live list, timer closed; freed once no command of its is outstanding. */
static void lookup_end(struct lookup *l)
{
    if (!l->ending) {
        l->ending = true;
        live_remove(l->c, l);
    }
    if (l->command_out || l->timer_closing)
        return;
    if (l->timer_init) {
        l->timer_closing = true;
        uv_close((uv_handle_t *)&l->timer, on_timer_closed);
        return;
    }
    free(l->diff_id);
    free(l);
}

/* Decode an entry reply: true and *res filled on a usable entry. */
static bool decode_entry(struct lookup *l, const redisReply *reply, struct layer_result *res)
{
    struct layer_cache *c = l->c;
    if (!reply || reply->type != REDIS_REPLY_STRING)
        return false;
    struct dd_error e = {0};
    if (queue_layer_decode((const uint8_t *)reply->str, reply->len, l->diff_id, c->version, res,
                           &e) == 0)
        return true;
    c->errors++;
    log_warn("sub=layer_cache diff_id=%.19s.. msg=\"bad cache entry, ignored\" error=\"%s\"",
             l->diff_id, e.msg);
    return false;
}

/* Report the outcome (hit's content moves to the scan). A claimant stays alive until the
 * scan releases the layer; anything else ends here. */
static void report(struct lookup *l, struct layer_result *hit)
{
    struct layer_cache *c = l->c;
    if (l->timer_init)
        uv_timer_stop(&l->timer);
    if (hit) {
        c->hits++;
        count(c, "layer_cache_hits");
    } else {
        c->misses++;
        count(c, "layer_cache_misses");
    }
    l->reported = true;
    l->done(l->token, hit);
    if (hit)
        layer_result_cleanup(hit);
    if (!l->owns_claim)
        lookup_end(l);
}

enum op { OP_GET, OP_CLAIM, OP_POLL, OP_REFRESH };
static int send_op(struct lookup *l, enum op op);

static void on_refresh_timer(uv_timer_t *t);
static void on_poll_timer(uv_timer_t *t);
static void on_get(struct redis_uv *r, redisReply *reply, void *ud);
static void on_claim(struct redis_uv *r, redisReply *reply, void *ud);
static void on_poll(struct redis_uv *r, redisReply *reply, void *ud);
static void on_refreshed(struct redis_uv *r, redisReply *reply, void *ud);

static int timer_ensure(struct lookup *l)
{
    if (l->timer_init)
        return 0;
    if (uv_timer_init(l->c->loop, &l->timer) != 0)
        return DD_ENOMEM;
    l->timer.data = l;
    l->timer_init = true;
    uv_unref((uv_handle_t *)&l->timer); /* never keeps a stopping worker's loop alive */
    return 0;
}

static void on_refreshed(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    (void)reply; /* a lost refresh only shortens the claim: waiters then fetch themselves */
    struct lookup *l = ud;
    l->command_out = false;
    if (l->ending)
        lookup_end(l);
}

static void on_refresh_timer(uv_timer_t *t)
{
    struct lookup *l = t->data;
    if (l->ending || l->command_out)
        return;
    (void)send_op(l, OP_REFRESH); /* on failure the next tick tries again */
}

static void on_poll(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct lookup *l = ud;
    struct layer_cache *c = l->c;
    struct layer_result res;
    l->command_out = false;
    if (l->ending) {
        lookup_end(l);
        return;
    }
    if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
        report(l, NULL);
        return;
    }
    if (decode_entry(l, reply->element[0], &res)) {
        c->wait_hits++;
        report(l, &res);
        return;
    }
    bool claimed = reply->element[1]->type == REDIS_REPLY_STRING;
    if (claimed && uv_now(c->loop) < l->wait_until) {
        uv_timer_start(&l->timer, on_poll_timer, c->poll_ms, 0);
        return;
    }
    if (claimed)
        c->wait_timeouts++;
    report(l, NULL); /* the claimant failed, or is too slow: fetch it ourselves */
}

static void on_poll_timer(uv_timer_t *t)
{
    struct lookup *l = t->data;
    if (send_op(l, OP_POLL) != 0)
        report(l, NULL);
}

static void on_claim(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct lookup *l = ud;
    struct layer_cache *c = l->c;
    l->command_out = false;
    if (l->ending) {
        lookup_end(l);
        return;
    }
    if (reply && reply->type == REDIS_REPLY_STATUS) { /* OK: ours, fetch it */
        l->owns_claim = true;
        c->claims++;
        uint64_t every = c->claim_ttl_ms / 3 ? c->claim_ttl_ms / 3 : 1;
        uv_timer_start(&l->timer, on_refresh_timer, every, every);
        report(l, NULL);
        return;
    }
    if (reply && reply->type == REDIS_REPLY_NIL) { /* somebody fetches it: wait */
        c->waits++;
        l->wait_until = uv_now(c->loop) + c->claim_wait_ms;
        uv_timer_start(&l->timer, on_poll_timer, c->poll_ms, 0);
        return;
    }
    report(l, NULL);
}

static void on_get(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct lookup *l = ud;
    struct layer_cache *c = l->c;
    struct layer_result res;
    l->command_out = false;
    if (l->ending) {
        lookup_end(l);
        return;
    }
    if (decode_entry(l, reply, &res)) {
        report(l, &res);
        return;
    }
    /* a miss: claim the layer (single flight), unless Redis failed or it is turned off */
    if (!reply || c->claim_wait_ms == 0 || timer_ensure(l) != 0 || send_op(l, OP_CLAIM) != 0)
        report(l, NULL);
}

/* Send one of the lookup's commands; its callback runs once unless this fails. */
static int send_op(struct lookup *l, enum op op)
{
    struct layer_cache *c = l->c;
    int rc;
    l->command_out = true;
    switch (op) {
    case OP_GET:
        rc = redis_uv_commandf(c->r, on_get, l, c->timeout_ms, "GET %s", l->key);
        break;
    case OP_CLAIM:
        rc = redis_uv_commandf(c->r, on_claim, l, c->timeout_ms, "SET %s %s NX PX %" PRIu64,
                               l->claim, c->owner, c->claim_ttl_ms);
        break;
    case OP_POLL:
        rc = redis_uv_commandf(c->r, on_poll, l, c->timeout_ms, "MGET %s %s", l->key, l->claim);
        break;
    default:
        rc = redis_uv_commandf(c->r, on_refreshed, l, c->timeout_ms, "PEXPIRE %s %" PRIu64,
                               l->claim, c->claim_ttl_ms);
        break;
    }
    if (rc)
        l->command_out = false;
    return rc;
}

static int cache_lookup(void *ctx, const char *diff_id, scan_cache_done_cb done, void *token)
{
    struct layer_cache *c = ctx;
    struct lookup *l = calloc(1, sizeof(*l));
    if (l == NULL || (l->diff_id = strdup(diff_id)) == NULL) {
        free(l);
        return DD_ENOMEM;
    }
    int n = snprintf(l->claim, sizeof(l->claim), "%slayerclaim:%s:%" PRIu32, c->prefix, diff_id,
                     c->version);
    if (queue_key_layer(l->key, sizeof(l->key), c->prefix, diff_id, c->version) != 0 || n < 0 ||
        (size_t)n >= sizeof(l->claim)) {
        free(l->diff_id);
        free(l);
        return DD_ETOOBIG;
    }
    l->c = c;
    l->done = done;
    l->token = token;
    int rc = send_op(l, OP_GET);
    if (rc) {
        c->misses++;
        free(l->diff_id);
        free(l);
        return rc;
    }
    live_add(c, l);
    return 0;
}

static void cache_store(void *ctx, const char *diff_id, const struct layer_result *r)
{
    struct layer_cache *c = ctx;
    char k[QUEUE_MAX_KEY];
    uint8_t *b = NULL;
    size_t n = 0;
    count(c, "layers_fetched");
    c->fetched++;
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

static void cache_release(void *ctx, const char *diff_id, void *token)
{
    struct layer_cache *c = ctx;
    for (struct lookup *l = c->live; l; l = l->next) {
        if (l->token != token || !l->owns_claim || strcmp(l->diff_id, diff_id) != 0)
            continue;
        /* after the SET of the entry (same connection, in order): waiters see the entry
         * first, or no claim and no entry when nothing was stored */
        redis_uv_commandf(c->r, NULL, NULL, c->timeout_ms, "EVAL %s 1 %s %s", RELEASE_LUA, l->claim,
                          c->owner);
        l->owns_claim = false;
        lookup_end(l);
        return;
    }
}

void layer_cache_init(struct layer_cache *c, struct redis_uv *r, const char *prefix, uint64_t ttl_s,
                      uint64_t max_bytes, uint64_t timeout_ms)
{
    memset(c, 0, sizeof(*c));
    c->r = r;
    c->loop = r->loop;
    snprintf(c->prefix, sizeof(c->prefix), "%s", prefix);
    c->ttl_s = ttl_s;
    c->max_bytes = max_bytes;
    c->timeout_ms = timeout_ms;
    c->version = queue_analyzer_version();
    c->claim_ttl_ms = LAYER_CLAIM_TTL_MS;
    c->claim_wait_ms = LAYER_CLAIM_WAIT_MS;
    c->poll_ms = LAYER_CLAIM_POLL_MS;
    snprintf(c->owner, sizeof(c->owner), "%p.%llu", (void *)c, (unsigned long long)uv_hrtime());
    c->hooks.ctx = c;
    c->hooks.lookup = cache_lookup;
    c->hooks.store = cache_store;
    c->hooks.release = cache_release;
}

void layer_cache_set_owner(struct layer_cache *c, const char *owner)
{
    snprintf(c->owner, sizeof(c->owner), "%s", owner);
}

void layer_cache_cleanup(struct layer_cache *c)
{
    /* shutdown: waiting lookups are dropped (their scans are abandoned), held claims expire
     * on their own (their refresh stops with the timer) */
    while (c->live) {
        struct lookup *l = c->live;
        l->owns_claim = false;
        lookup_end(l);
    }
}

const struct scan_layer_cache *layer_cache_hooks(struct layer_cache *c)
{
    return &c->hooks;
}
