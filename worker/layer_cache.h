/* layer_cache.h - the fleet-wide layer inventory cache in Redis (docs/redis.md):
 *
 *   dd:layer:<diff_id>:<analyzer version>  =  LayerInventory (protobuf), SET EX ttl
 *
 * It plugs into the scan pipeline through struct scan_layer_cache (worker/scan.h): a lookup
 * before a layer is fetched (a hit means the layer is never downloaded), a store after a
 * successful walk, and a release when a missed layer's task ends. A miss claims the layer so
 * that other workers wait for this fetch instead of repeating it (single flight):
 *
 *   dd:layerclaim:<diff_id>:<analyzer version>  =  owner, SET NX PX claim_ttl (refreshed)
 * Counters are read by the worker's /metrics and mirrored to
 * dd:metrics:layer_cache_hits / _misses / layers_fetched.
 */
#ifndef DD_LAYER_CACHE_H
#define DD_LAYER_CACHE_H

#include <stdint.h>
#include <uv.h>

#include "redis_uv.h"
#include "scan.h"

/* Single flight defaults (layer_cache.c): a claim lives 15 s unless refreshed; a waiter
 * polls every 100 ms for up to 120 s, then fetches the layer itself. */
#define LAYER_CLAIM_TTL_MS  15000
#define LAYER_CLAIM_WAIT_MS 120000
#define LAYER_CLAIM_POLL_MS 100

struct lookup;

struct layer_cache {
    struct redis_uv *r; /* borrowed: the worker's command connection */
    uv_loop_t *loop;
    char prefix[72];
    uint64_t ttl_s;
    uint64_t max_bytes; /* encoded entries above this are not stored */
    uint64_t timeout_ms;
    uint32_t version;       /* queue_analyzer_version() */
    uint64_t claim_ttl_ms;  /* single flight: a claim's lifetime between refreshes */
    uint64_t claim_wait_ms; /* longest wait for another worker's fetch; 0 = no single flight */
    uint64_t poll_ms;       /* how often a waiter looks */
    char owner[64];         /* our claim value: the worker's consumer name */
    uint64_t hits, misses, stores, store_skipped, errors;
    uint64_t fetched;       /* layers this process walked (stores attempted) */
    uint64_t claims;        /* fetches this process claimed */
    uint64_t waits;         /* lookups that waited for another fetch */
    uint64_t wait_hits;     /* ... and got the entry */
    uint64_t wait_timeouts; /* ... and gave up */
    struct lookup *live;    /* waiting lookups and held claims */
    struct scan_layer_cache hooks;
};

void layer_cache_init(struct layer_cache *c, struct redis_uv *r, const char *prefix, uint64_t ttl_s,
                      uint64_t max_bytes, uint64_t timeout_ms);
/* The claim value (default: address + time); the worker passes its consumer name. */
void layer_cache_set_owner(struct layer_cache *c, const char *owner);
void layer_cache_cleanup(struct layer_cache *c);
const struct scan_layer_cache *layer_cache_hooks(struct layer_cache *c);

#endif
