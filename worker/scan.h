/* scan.h - the image scan pipeline on a libuv loop: one image reference in, an inventory out.
 *
 *   resolve (thread pool, blocking registry client: ping, auth, manifest, index, config)
 *      └─▶ for each layer, up to the loop's walk slots at a time:
 *             fetch: curl multi on the loop ──▶ blob_ring ──▶ walk: thread pool
 *                                                             (decoder + tar + analyzers)
 *      └─▶ merge (inventory_merge) ──▶ done callback on the loop thread
 *
 * The CLI runs this for one image; the worker daemon runs many at once on one loop. A layer
 * that fails (digest mismatch, corrupt compression, limits) fails the scan and stops the
 * other layers of the image; per-file problems and broken tar endings do not.
 */
#ifndef DD_SCAN_H
#define DD_SCAN_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "decoder.h"
#include "err.h"
#include "http_uv.h"
#include "image_ref.h"
#include "inventory.h"
#include "manifest.h"
#include "registry.h"
#include "report.h"

/* Shared by every scan on one loop. */
struct scan_ctx {
    uv_loop_t *loop;
    struct http_uv http;
    int walk_slots; /* layer walks allowed at once (thread-pool threads minus one) */
    int walks_running;
    struct layer_task *waiting_head, *waiting_tail; /* layers waiting for a slot */
    size_t ring_bytes;                              /* per-layer ring capacity */
};

/* Sets UV_THREADPOOL_SIZE (when unset) before the loop's pool starts. Call first. */
void scan_threadpool_setup(int walk_threads);
int scan_ctx_init(struct scan_ctx *c, uv_loop_t *loop, int walk_threads);
void scan_ctx_close(struct scan_ctx *c, void (*on_closed)(struct http_uv *h));

/* Optional layer inventory cache (the worker's fleet-wide cache; NULL in the CLI). lookup()
 * runs before a layer is fetched: it returns 0 and later calls done(token, hit) exactly once on
 * the loop thread (hit NULL on a miss; on a hit the callee moves *hit's content out), or returns
 * non-zero (a miss, done never called). store() is called after a successful walk whose result
 * has no unresolved hard links; it borrows r. release() (may be NULL) is called once for every
 * lookup that reported a miss, when that layer's task has ended (after store(), or without it
 * when the walk failed or the scan was cancelled), with the lookup's token: the cache may hold
 * a fetch claim until then. */
typedef void (*scan_cache_done_cb)(void *token, struct layer_result *hit);
struct scan_layer_cache {
    void *ctx;
    int (*lookup)(void *ctx, const char *diff_id, scan_cache_done_cb done, void *token);
    void (*store)(void *ctx, const char *diff_id, const struct layer_result *r);
    void (*release)(void *ctx, const char *diff_id, void *token);
};

struct scan_request {
    const char *image;    /* reference */
    const char *platform; /* "linux/amd64" when NULL */
    struct registry_opts registry;
    struct layer_limits limits;
    const struct scan_layer_cache *cache; /* NULL: no cache */
};

void scan_request_default(struct scan_request *r);

struct image_scan;
typedef void (*scan_done_cb)(struct image_scan *s, void *ud);

struct image_scan {
    struct scan_ctx *ctx;
    scan_done_cb done;
    void *ud;
    struct scan_request req;
    char *image;
    char *platform;
    /* outcome */
    int rc;
    struct dd_error err;
    struct image_ref ref;
    char *manifest_digest; /* the image manifest's digest */
    char *index_digest;    /* when the reference named an index */
    char *manifest_media_type;
    struct image_config config;
    struct image_layer *layers;
    size_t n_layers;
    struct inventory inv;
    /* progress (loop thread) */
    uint64_t bytes_fetched;
    uint64_t bytes_total;
    size_t layers_done;
    /* internals */
    struct registry *reg;
    struct manifest manifest;
    struct layer_task *tasks;
    struct layer_result *results;
    uv_work_t resolve_work;
    size_t tasks_open;    /* tasks whose handles are not yet closed */
    size_t lookups_open;  /* layer cache lookups in flight */
    size_t layers_cached; /* layers taken from the cache (not fetched) */
    volatile int cancel;
    bool finished;
};

/* Start a scan; done runs on the loop thread once everything is released but the struct,
 * which the caller frees with image_scan_free() (in or after the callback). Returns 0, or
 * DD_E* and then done is never called. */
int image_scan_start(struct scan_ctx *ctx, const struct scan_request *req, scan_done_cb done,
                     void *ud, struct image_scan **out, struct dd_error *err);
void image_scan_free(struct image_scan *s);

#endif
