/* layer_cache.h - the fleet-wide layer inventory cache in Redis (docs/redis.md):
 *
 *   dd:layer:<diff_id>:<analyzer version>  =  LayerInventory (protobuf), SET EX ttl
 *
 * It plugs into the scan pipeline through struct scan_layer_cache (worker/scan.h): a lookup
 * before a layer is fetched (a hit means the layer is never downloaded) and a store after a
 * successful walk. Counters are read by the worker's /metrics and mirrored to
 * dd:metrics:layer_cache_hits / _misses / layers_fetched.
 */
#ifndef DD_LAYER_CACHE_H
#define DD_LAYER_CACHE_H

#include <stdint.h>

#include "redis_uv.h"
#include "scan.h"

struct layer_cache {
    struct redis_uv *r; /* borrowed: the worker's command connection */
    char prefix[72];
    uint64_t ttl_s;
    uint64_t max_bytes; /* encoded entries above this are not stored */
    uint64_t timeout_ms;
    uint32_t version; /* queue_analyzer_version() */
    uint64_t hits, misses, stores, store_skipped, errors;
    struct scan_layer_cache hooks;
};

void layer_cache_init(struct layer_cache *c, struct redis_uv *r, const char *prefix, uint64_t ttl_s,
                      uint64_t max_bytes, uint64_t timeout_ms);
void layer_cache_cleanup(struct layer_cache *c);
const struct scan_layer_cache *layer_cache_hooks(struct layer_cache *c);

#endif
