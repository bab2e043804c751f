/* scan.c - the image scan pipeline (see scan.h for the picture).
 *
 * Threads: everything here runs on the loop thread except resolve_work() and walk_work(),
 * which run in libuv's pool and touch only their own task (and the blob ring, which is
 * locked). A layer task is finished when its fetch is done, its walk is done and its two uv
 * handles are closed; the scan is finished when every task is.
 *
 * Fetch retries: transient failures (connection resets, timeouts, 429, 5xx) are retried with
 * backoff honouring Retry-After; a transfer that dies mid-blob resumes with a Range request
 * from the bytes already delivered (and skips them if the server answers 200 instead of 206),
 * so the walker never sees the break. A 401 mid-scan (token expiry) re-runs the token flow
 * once in the pool, then retries.
 */
#include "scan.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blob_ring.h"
#include "layer_walk.h"

#define RING_BYTES_DEFAULT (4u << 20)
#define CURL_BUFFER_BYTES  (256L * 1024)

struct layer_task {
    struct image_scan *scan;
    size_t index;
    const struct descriptor *desc;
    struct layer_task *next_waiting;
    CURL *easy;
    struct curl_slist *hdrs;
    char *url;
    struct blob_ring ring;
    uv_async_t wake;
    uv_timer_t retry;
    uv_work_t work;
    uv_work_t reauth_work;
    struct layer_walk_opts opts;
    EVP_MD_CTX *md;      /* sha256 of the delivered bytes, checked at the end of the blob */
    long long delivered; /* bytes written to the ring */
    long long skip;      /* bytes to drop: the server ignored our Range */
    long status;
    bool status_checked;
    bool bad_status;
    int attempt;
    bool reauthed;
    char *www_authenticate;
    bool started, fetch_done, walk_done, closed;
    bool cache_hit;           /* the result came from the layer cache: nothing to fetch */
    bool cache_missed;        /* the cache reported a miss: release() when the task ends */
    bool second_pass;         /* re-reading the layer for hard-link targets */
    struct layer_result *out; /* where the walk writes: the layer's result, or pass2 */
    struct layer_result pass2;
    int handles_open;
    int walk_rc;
    struct dd_error walk_err;
    struct dd_error fetch_err;
};

void scan_threadpool_setup(int walk_threads)
{
    if (getenv("UV_THREADPOOL_SIZE"))
        return;
    char v[16];
    snprintf(v, sizeof(v), "%d", walk_threads + 2);
    setenv("UV_THREADPOOL_SIZE", v, 0);
}

int scan_ctx_init(struct scan_ctx *c, uv_loop_t *loop, int walk_threads)
{
    memset(c, 0, sizeof(*c));
    c->loop = loop;
    c->walk_slots = walk_threads > 0 ? walk_threads : 2;
    const char *pool = getenv("UV_THREADPOOL_SIZE");
    if (pool) {
        int p = atoi(pool);
        /* keep one pool thread free for resolve and re-auth work */
        if (p > 1 && c->walk_slots > p - 1)
            c->walk_slots = p - 1;
    }
    c->ring_bytes = RING_BYTES_DEFAULT;
    return http_uv_init(&c->http, loop);
}

void scan_ctx_close(struct scan_ctx *c, void (*on_closed)(struct http_uv *h))
{
    http_uv_close(&c->http, on_closed);
}

void scan_request_default(struct scan_request *r)
{
    memset(r, 0, sizeof(*r));
    registry_opts_default(&r->registry);
    layer_limits_default(&r->limits);
}

static void scan_fail(struct image_scan *s, int rc, const struct dd_error *err);
static void walk_work(uv_work_t *w);
static void after_walk(uv_work_t *w, int status);
static void start_layers(struct scan_ctx *c);
static void on_cache_lookup(void *token, struct layer_result *hit);
static void queue_layers(struct image_scan *s);
static void task_maybe_finish(struct layer_task *t);
static int start_fetch(struct layer_task *t);

/* --- finishing ------------------------------------------------------------------------- */

static void scan_finish(struct image_scan *s)
{
    if (s->finished)
        return;
    s->finished = true;
    if (s->rc == 0 && s->results) {
        struct dd_error e = {0};
        struct inventory merged;
        int rc = inventory_merge(s->results, s->n_layers, &merged, &e);
        for (size_t i = 0; rc == 0 && i < s->inv.n_problems; i++) {
            const struct inventory_problem *p = &s->inv.problems[i];
            rc = inventory_add_problem(&merged, p->layer, p->path, p->reason);
            if (rc) {
                inventory_cleanup(&merged);
                dd_error_set(&e, rc, "out of memory");
            }
        }
        if (rc) {
            s->rc = rc;
            s->err = e;
        } else {
            inventory_cleanup(&s->inv);
            s->inv = merged;
        }
    }
    if (s->results) {
        for (size_t i = 0; i < s->n_layers; i++) {
            if (s->rc == 0) {
                s->layers[i].entries = s->results[i].entries;
                s->layers[i].bytes_out = s->results[i].bytes_out;
                s->layers[i].compression = s->results[i].compression;
            }
            layer_result_cleanup(&s->results[i]);
        }
        free(s->results);
        s->results = NULL;
    }
    if (s->tasks) {
        for (size_t i = 0; i < s->n_layers; i++) {
            struct layer_task *t = &s->tasks[i];
            if (t->easy)
                curl_easy_cleanup(t->easy);
            curl_slist_free_all(t->hdrs);
            free(t->url);
            free(t->www_authenticate);
            EVP_MD_CTX_free(t->md);
            blob_ring_cleanup(&t->ring);
            layer_result_cleanup(&t->pass2);
        }
        free(s->tasks);
        s->tasks = NULL;
    }
    registry_free(s->reg);
    s->reg = NULL;
    s->done(s, s->ud);
}

static void scan_fail(struct image_scan *s, int rc, const struct dd_error *err)
{
    if (s->rc == 0) {
        s->rc = rc;
        if (err && err->code)
            s->err = *err;
        else
            dd_error_set(&s->err, rc, "%s", dd_strerror(rc));
    }
    s->cancel = 1;
    if (s->tasks == NULL)
        return;
    struct dd_error cancelled = {0};
    dd_error_set(&cancelled, DD_ECANCELLED, "cancelled: another layer failed");
    for (size_t i = 0; i < s->n_layers; i++) {
        struct layer_task *t = &s->tasks[i];
        if (t->started && !t->walk_done)
            blob_ring_fail(&t->ring, &cancelled);
        if (t->started && !t->fetch_done && uv_is_active((uv_handle_t *)&t->retry)) {
            uv_timer_stop(&t->retry);
            t->fetch_done = true;
            task_maybe_finish(t);
        }
    }
}

/* The task is over: let the cache drop a fetch claim it may hold for this layer. */
static void task_release_cache(struct layer_task *t)
{
    struct image_scan *s = t->scan;
    const struct scan_layer_cache *cache = s->req.cache;
    if (t->cache_missed && cache && cache->release && s->layers && s->layers[t->index].diff_id)
        cache->release(cache->ctx, s->layers[t->index].diff_id, t);
    t->cache_missed = false;
}

static void on_task_handle_closed(uv_handle_t *h)
{
    struct layer_task *t = h->data;
    if (--t->handles_open > 0)
        return;
    t->closed = true;
    task_release_cache(t);
    struct image_scan *s = t->scan;
    if (--s->tasks_open == 0)
        scan_finish(s);
}

static void task_maybe_finish(struct layer_task *t)
{
    if (!t->fetch_done || !t->walk_done || t->handles_open == 0 || t->closed)
        return;
    if (uv_is_closing((uv_handle_t *)&t->wake))
        return;
    uv_close((uv_handle_t *)&t->wake, on_task_handle_closed);
    uv_close((uv_handle_t *)&t->retry, on_task_handle_closed);
}

/* A task that never started (scan cancelled first) finishes without handles. */
static void task_finish_unstarted(struct layer_task *t)
{
    t->fetch_done = t->walk_done = t->closed = true;
    task_release_cache(t);
    struct image_scan *s = t->scan;
    if (--s->tasks_open == 0)
        scan_finish(s);
}

/* --- fetch (loop thread) --------------------------------------------------------------- */

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct layer_task *t = ud;
    size_t n = size * nmemb;
    if (!t->status_checked) {
        t->status_checked = true;
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->status);
        if (t->status == 200 && t->delivered > 0)
            t->skip = t->delivered;
        else if (t->status != 200 && t->status != 206)
            t->bad_status = true;
    }
    if (t->bad_status)
        return n; /* an error page: read and drop it */
    if (t->scan->cancel)
        return 0;
    size_t drop = (long long)n < t->skip ? n : (size_t)t->skip;
    size_t rest = n - drop;
    if (rest) {
        enum ring_write_result r = blob_ring_write(&t->ring, ptr + drop, rest);
        if (r == RING_FULL)
            return CURL_WRITEFUNC_PAUSE;
        if (r == RING_CLOSED)
            return 0;
    }
    if (rest)
        EVP_DigestUpdate(t->md, ptr + drop, rest);
    t->skip -= (long long)drop;
    t->delivered += (long long)rest;
    t->scan->bytes_fetched += rest;
    return n;
}

static void on_wake(uv_async_t *a)
{
    struct layer_task *t = a->data;
    if (t->easy && !t->fetch_done)
        curl_easy_pause(t->easy, CURLPAUSE_CONT);
}

static void on_retry_timer(uv_timer_t *timer)
{
    struct layer_task *t = timer->data;
    if (t->scan->cancel) {
        t->fetch_done = true;
        task_maybe_finish(t);
        return;
    }
    int rc = start_fetch(t);
    if (rc) {
        dd_error_set(&t->fetch_err, rc, "cannot start layer download");
        blob_ring_fail(&t->ring, &t->fetch_err);
        t->fetch_done = true;
        task_maybe_finish(t);
    }
}

static void reauth_work(uv_work_t *w)
{
    struct layer_task *t = w->data;
    struct dd_error e = {0};
    if (registry_reauth(t->scan->reg, t->www_authenticate, &e) != 0)
        t->fetch_err = e;
}

static void after_reauth(uv_work_t *w, int status)
{
    (void)status;
    struct layer_task *t = w->data;
    if (t->fetch_err.code) {
        blob_ring_fail(&t->ring, &t->fetch_err);
        t->fetch_done = true;
        task_maybe_finish(t);
        return;
    }
    on_retry_timer(&t->retry);
}

static void fetch_failed(struct layer_task *t, int rc, const struct dd_error *e)
{
    t->fetch_err = *e;
    t->fetch_err.code = rc;
    dd_error_prefix(&t->fetch_err, "layer %.19s..: ", t->desc->digest);
    blob_ring_fail(&t->ring, &t->fetch_err);
    t->fetch_done = true;
    task_maybe_finish(t);
}

static void on_fetch_done(CURL *easy, CURLcode result, void *ud)
{
    struct layer_task *t = ud;
    struct image_scan *s = t->scan;
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (s->cancel || blob_ring_reader_closed(&t->ring)) {
        struct dd_error e = {0};
        dd_error_set(&e, DD_ECANCELLED, "cancelled");
        blob_ring_fail(&t->ring, &e);
        t->fetch_done = true;
        task_maybe_finish(t);
        return;
    }
    if (result == CURLE_OK && (status == 200 || status == 206)) {
        if (t->desc->size >= 0 && t->delivered != t->desc->size) {
            /* the server closed early but said it was done: resume */
            if (t->attempt < s->req.registry.max_retries) {
                uv_timer_start(&t->retry, on_retry_timer,
                               (uint64_t)retry_delay_ms(t->attempt++, NULL), 0);
                return;
            }
        }
        /* The digest is checked here, on the loop thread, while the walker inflates: the
         * walker only sees the end of the stream once the bytes are known to be right. */
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;
        char hex[7 + 64 + 1] = "sha256:";
        EVP_DigestFinal_ex(t->md, md, &mdlen);
        for (unsigned i = 0; i < mdlen && i < 32; i++)
            snprintf(hex + 7 + i * 2, 3, "%02x", md[i]);
        if (strcmp(hex, t->desc->digest) != 0) {
            struct dd_error e = {0};
            dd_error_set(&e, DD_EDIGEST, "blob digest mismatch: got %.19s.., want %.19s..", hex,
                         t->desc->digest);
            fetch_failed(t, DD_EDIGEST, &e);
            return;
        }
        blob_ring_finish(&t->ring);
        t->fetch_done = true;
        task_maybe_finish(t);
        return;
    }
    if (result == CURLE_OK && status == 401 && !t->reauthed) {
        t->reauthed = true;
        struct curl_header *h = NULL;
        free(t->www_authenticate);
        t->www_authenticate = NULL;
        if (curl_easy_header(easy, "WWW-Authenticate", 0, CURLH_HEADER, -1, &h) == CURLHE_OK)
            t->www_authenticate = strdup(h->value);
        t->reauth_work.data = t;
        if (uv_queue_work(s->ctx->loop, &t->reauth_work, reauth_work, after_reauth) == 0)
            return;
    }
    bool retry = result != CURLE_OK ? curl_code_retryable(result) : http_status_retryable(status);
    if (retry && t->attempt < s->req.registry.max_retries) {
        const char *ra = NULL;
        struct curl_header *h = NULL;
        if (result == CURLE_OK &&
            curl_easy_header(easy, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK)
            ra = h->value;
        long delay = retry_delay_ms(t->attempt++, ra);
        uv_timer_start(&t->retry, on_retry_timer, (uint64_t)delay, 0);
        return;
    }
    struct dd_error e = {0};
    char what[128];
    snprintf(what, sizeof(what), "blob %.19s..", t->desc->digest);
    int rc;
    if (result != CURLE_OK)
        rc = registry_curl_error(result, NULL, what, &e);
    else
        rc = registry_http_error(status, what, &e);
    if (retry)
        dd_error_prefix(&e, "after %d retries: ", t->attempt);
    fetch_failed(t, rc, &e);
}

static int start_fetch(struct layer_task *t)
{
    struct image_scan *s = t->scan;
    if (t->easy == NULL && (t->easy = curl_easy_init()) == NULL)
        return DD_ENOMEM;
    curl_easy_reset(t->easy);
    registry_setup_easy(s->reg, t->easy);
    curl_slist_free_all(t->hdrs);
    t->hdrs = registry_blob_headers(s->reg, t->delivered);
    curl_easy_setopt(t->easy, CURLOPT_URL, t->url);
    curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->hdrs);
    curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(t->easy, CURLOPT_BUFFERSIZE, CURL_BUFFER_BYTES);
    t->status_checked = false;
    t->bad_status = false;
    t->skip = 0;
    return http_uv_add(&s->ctx->http, t->easy, on_fetch_done, t);
}

/* --- walk (thread pool) ---------------------------------------------------------------- */

static void walk_work(uv_work_t *w)
{
    struct layer_task *t = w->data;
    struct blob_source src;
    blob_ring_source(&t->ring, &src);
    t->walk_rc = layer_walk(&src, &t->opts, t->out, &t->walk_err);
    if (t->walk_rc)
        blob_ring_close_reader(&t->ring);
}

/* Move what the second pass read into the layer's result; the pending links are resolved. */
static int absorb_pass2(struct layer_result *r, struct layer_result *p2)
{
    for (size_t i = 0; i < p2->n_files; i++) {
        if (r->n_files == r->cap_files) {
            size_t ncap = r->cap_files ? r->cap_files * 2 : 8;
            void *v = realloc(r->files, ncap * sizeof(*r->files));
            if (v == NULL)
                return DD_ENOMEM;
            r->files = v;
            r->cap_files = ncap;
        }
        r->files[r->n_files++] = p2->files[i];
    }
    p2->n_files = 0;
    for (size_t i = 0; i < r->n_pending; i++) {
        bool found = false;
        for (size_t k = 0; k < r->n_files && !found; k++)
            found = strcmp(r->files[k].path, r->pending[i].path) == 0;
        if (!found) {
            /* keep it pending: the merge reports it */
            continue;
        }
        free(r->pending[i].path);
        free(r->pending[i].target);
        r->pending[i--] = r->pending[--r->n_pending];
    }
    return 0;
}

static int restart_for_pass2(struct layer_task *t)
{
    struct image_scan *s = t->scan;
    struct layer_result *r = &s->results[t->index];
    t->second_pass = true;
    t->out = &t->pass2;
    t->opts.extra = r->pending;
    t->opts.n_extra = r->n_pending;
    blob_ring_cleanup(&t->ring);
    int rc = blob_ring_init(&t->ring, s->ctx->ring_bytes, &t->wake);
    if (rc)
        return rc;
    if (EVP_DigestInit_ex(t->md, EVP_sha256(), NULL) != 1)
        return DD_ENOMEM;
    t->delivered = t->skip = 0;
    t->attempt = 0;
    t->reauthed = false;
    t->fetch_done = t->walk_done = false;
    dd_error_clear(&t->fetch_err);
    t->work.data = t;
    if (uv_queue_work(s->ctx->loop, &t->work, walk_work, after_walk) != 0)
        return DD_ENOMEM;
    s->ctx->walks_running++;
    rc = start_fetch(t);
    if (rc) {
        struct dd_error e = {0};
        dd_error_set(&e, rc, "cannot start layer download");
        blob_ring_fail(&t->ring, &e);
        t->fetch_done = true;
    }
    return 0;
}

static void after_walk(uv_work_t *w, int status)
{
    (void)status;
    struct layer_task *t = w->data;
    struct image_scan *s = t->scan;
    struct scan_ctx *c = s->ctx;
    t->walk_done = true;
    c->walks_running--;
    if (t->walk_rc == 0 && !t->second_pass && s->results[t->index].n_pending && !s->cancel &&
        t->fetch_done) {
        if (restart_for_pass2(t) == 0)
            return;
        t->walk_done = t->fetch_done = true; /* keep the first pass; merge reports the rest */
    }
    if (t->walk_rc == 0 && t->second_pass && absorb_pass2(&s->results[t->index], &t->pass2) != 0) {
        t->walk_rc = DD_ENOMEM;
        dd_error_set(&t->walk_err, DD_ENOMEM, "out of memory");
    }
    const struct scan_layer_cache *cache = s->req.cache;
    if (cache && t->walk_rc == 0 && !s->cancel && s->layers[t->index].diff_id &&
        s->results[t->index].n_pending == 0)
        cache->store(cache->ctx, s->layers[t->index].diff_id, &s->results[t->index]);
    s->layers_done++;
    if (t->walk_rc && t->walk_rc != DD_ECANCELLED) {
        struct image_layer *li = &s->layers[t->index];
        li->error = dd_strdup(t->walk_err.msg);
        struct dd_error e = t->walk_err;
        if (strncmp(e.msg, "layer ", 6) != 0)
            dd_error_prefix(&e, "layer %zu (%.19s..): ", t->index, t->desc->digest);
        scan_fail(s, t->walk_rc, &e);
    }
    /* the fetch may still be paused on a full ring nobody reads: let it see the close */
    if (!t->fetch_done && t->easy)
        curl_easy_pause(t->easy, CURLPAUSE_CONT);
    task_maybe_finish(t);
    start_layers(c);
}

/* --- layer scheduling ------------------------------------------------------------------ */

static int task_start(struct layer_task *t)
{
    struct image_scan *s = t->scan;
    struct scan_ctx *c = s->ctx;
    int rc = blob_ring_init(&t->ring, c->ring_bytes, &t->wake);
    if (rc)
        return rc;
    t->url = registry_blob_url(s->reg, t->desc->digest);
    if (t->url == NULL)
        return DD_ENOMEM;
    if (strncmp(t->desc->digest, "sha256:", 7) != 0)
        return DD_EUNSUPPORTED;
    t->md = EVP_MD_CTX_new();
    if (t->md == NULL || EVP_DigestInit_ex(t->md, EVP_sha256(), NULL) != 1)
        return DD_ENOMEM;
    uv_async_init(c->loop, &t->wake, on_wake);
    uv_timer_init(c->loop, &t->retry);
    t->wake.data = t;
    t->retry.data = t;
    t->handles_open = 2;
    t->started = true;
    layer_walk_opts_default(&t->opts);
    t->opts.expected_digest = NULL; /* checked by the fetch, see on_fetch_done() */
    t->opts.hint = t->desc->compression;
    t->opts.limits = s->req.limits;
    t->opts.cancel = &s->cancel;
    t->out = &s->results[t->index];
    layer_result_init(&t->pass2);
    t->work.data = t;
    rc = uv_queue_work(c->loop, &t->work, walk_work, after_walk);
    if (rc) {
        t->walk_done = true;
        t->fetch_done = true;
        task_maybe_finish(t);
        return DD_ENOMEM;
    }
    c->walks_running++;
    rc = start_fetch(t);
    if (rc) {
        struct dd_error e = {0};
        dd_error_set(&e, rc, "cannot start layer download");
        blob_ring_fail(&t->ring, &e);
        t->fetch_done = true;
    }
    return 0;
}

static void start_layers(struct scan_ctx *c)
{
    while (c->waiting_head && c->walks_running < c->walk_slots) {
        struct layer_task *t = c->waiting_head;
        c->waiting_head = t->next_waiting;
        if (c->waiting_head == NULL)
            c->waiting_tail = NULL;
        t->next_waiting = NULL;
        if (t->scan->cancel) {
            task_finish_unstarted(t);
            continue;
        }
        int rc = task_start(t);
        if (rc) {
            struct dd_error e = {0};
            dd_error_set(&e, rc, "cannot start layer %zu", t->index);
            scan_fail(t->scan, rc, &e);
            if (!t->started)
                task_finish_unstarted(t);
        }
    }
}

/* --- resolve (thread pool) ------------------------------------------------------------- */

static int fetch_manifest(struct image_scan *s, const char *reference, struct manifest *m,
                          char **digest, char **media_type, struct dd_error *err)
{
    struct buf body;
    char *ct = NULL;
    buf_init(&body, MANIFEST_MAX_BYTES);
    int rc = registry_fetch_manifest(s->reg, reference, &body, &ct, digest, err);
    if (rc == 0) {
        static const uint8_t empty[1] = {0};
        rc = manifest_parse(ct, body.data ? body.data : empty, body.len, m, err);
        if (rc) {
            dd_error_prefix(err, "manifest %s%s%s: ", s->ref.repository,
                            digest_is_valid(reference) ? "@" : ":", reference);
            free(*digest);
            *digest = NULL;
        } else if (media_type) {
            *media_type = dd_strdup(m->media_type);
        }
    }
    free(ct);
    buf_cleanup(&body);
    return rc;
}

static void resolve_work(uv_work_t *w)
{
    struct image_scan *s = w->data;
    struct dd_error *err = &s->err;
    struct platform want = {0};
    struct buf cfg;
    int rc;
    buf_init(&cfg, CONFIG_MAX_BYTES);
    rc = fetch_manifest(s, image_ref_reference(&s->ref), &s->manifest, &s->manifest_digest,
                        &s->manifest_media_type, err);
    if (rc)
        goto out;
    if (s->manifest.kind == MANIFEST_INDEX) {
        const struct descriptor *d = NULL;
        rc = platform_parse(s->platform, &want, err);
        if (rc)
            goto out;
        rc = manifest_select_platform(&s->manifest, &want, &d, err);
        if (rc)
            goto out;
        char *child = strdup(d->digest);
        if (child == NULL) {
            rc = dd_error_set(err, DD_ENOMEM, "out of memory");
            goto out;
        }
        s->index_digest = s->manifest_digest;
        s->manifest_digest = NULL;
        manifest_cleanup(&s->manifest);
        free(s->manifest_media_type);
        s->manifest_media_type = NULL;
        rc = fetch_manifest(s, child, &s->manifest, &s->manifest_digest, &s->manifest_media_type,
                            err);
        free(child);
        if (rc)
            goto out;
        if (s->manifest.kind != MANIFEST_IMAGE) {
            rc = dd_error_set(err, DD_EUNSUPPORTED, "index entry for %s is itself an index",
                              s->platform);
            goto out;
        }
    }
    rc = registry_fetch_blob(s->reg, s->manifest.config.digest, &cfg, err);
    if (rc) {
        dd_error_prefix(err, "image config: ");
        goto out;
    }
    rc = image_config_parse(cfg.data, cfg.len, &s->config, err);
    if (rc) {
        dd_error_prefix(err, "image config: ");
        goto out;
    }
out:
    platform_cleanup(&want);
    buf_cleanup(&cfg);
    s->rc = rc;
}

static void after_resolve(uv_work_t *w, int status)
{
    (void)status;
    struct image_scan *s = w->data;
    if (s->rc) {
        scan_finish(s);
        return;
    }
    size_t n = s->manifest.n_layers;
    s->n_layers = n;
    s->layers = calloc(n ? n : 1, sizeof(*s->layers));
    s->tasks = calloc(n ? n : 1, sizeof(*s->tasks));
    s->results = calloc(n ? n : 1, sizeof(*s->results));
    if (s->layers == NULL || s->tasks == NULL || s->results == NULL) {
        dd_error_set(&s->err, DD_ENOMEM, "out of memory");
        s->rc = DD_ENOMEM;
        scan_finish(s);
        return;
    }
    bool diff_ids_ok = s->config.n_diff_ids == n;
    if (!diff_ids_ok)
        inventory_add_problem(&s->inv, -1, NULL,
                              "image config lists a different number of diff_ids than the "
                              "manifest has layers");
    for (size_t i = 0; i < n; i++) {
        const struct descriptor *d = &s->manifest.layers[i];
        struct image_layer *li = &s->layers[i];
        li->digest = dd_strdup(d->digest);
        li->diff_id = diff_ids_ok ? dd_strdup(s->config.diff_ids[i]) : NULL;
        li->media_type = dd_strdup(d->media_type);
        li->size = d->size;
        li->compression = d->compression;
        s->bytes_total += d->size > 0 ? (uint64_t)d->size : 0;
        layer_result_init(&s->results[i]);
    }
    s->tasks_open = n;
    if (n == 0) {
        scan_finish(s);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        s->tasks[i].scan = s;
        s->tasks[i].index = i;
        s->tasks[i].desc = &s->manifest.layers[i];
    }
    const struct scan_layer_cache *cache = s->req.cache;
    s->lookups_open = 1; /* held until every lookup is sent */
    for (size_t i = 0; cache && i < n; i++) {
        if (s->tasks[i].desc->nondistributable || s->layers[i].diff_id == NULL)
            continue;
        s->lookups_open++;
        if (cache->lookup(cache->ctx, s->layers[i].diff_id, on_cache_lookup, &s->tasks[i]) != 0)
            s->lookups_open--;
    }
    if (--s->lookups_open == 0)
        queue_layers(s);
}

static void on_cache_lookup(void *token, struct layer_result *hit)
{
    struct layer_task *t = token;
    struct image_scan *s = t->scan;
    if (hit) {
        layer_result_cleanup(&s->results[t->index]);
        s->results[t->index] = *hit;
        layer_result_init(hit);
        s->results[t->index].compression = t->desc->compression;
        t->cache_hit = true;
    } else {
        t->cache_missed = true;
    }
    if (--s->lookups_open == 0)
        queue_layers(s);
}

/* Queue every layer that needs fetching; cached and foreign ones finish at once. */
static void queue_layers(struct image_scan *s)
{
    struct scan_ctx *c = s->ctx;
    size_t n = s->n_layers;
    for (size_t i = 0; i < n; i++) {
        struct layer_task *t = &s->tasks[i];
        if (t->cache_hit) {
            s->layers_done++;
            s->layers_cached++;
            task_finish_unstarted(t);
            continue;
        }
        if (t->desc->nondistributable) {
            s->layers[i].skipped = true;
            inventory_add_problem(&s->inv, (int)i, NULL,
                                  "foreign (non-distributable) layer not scanned");
            task_finish_unstarted(t);
            continue;
        }
        if (c->waiting_tail)
            c->waiting_tail->next_waiting = t;
        else
            c->waiting_head = t;
        c->waiting_tail = t;
    }
    start_layers(c);
}

/* --- public ---------------------------------------------------------------------------- */

int image_scan_start(struct scan_ctx *ctx, const struct scan_request *req, scan_done_cb done,
                     void *ud, struct image_scan **out, struct dd_error *err)
{
    struct dd_error e = {0};
    struct image_scan *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return DD_ENOMEM;
    s->ctx = ctx;
    s->done = done;
    s->ud = ud;
    s->req = *req;
    s->req.image = NULL;
    s->req.platform = NULL;
    s->req.registry.username = s->req.registry.password = NULL;
    inventory_init(&s->inv);
    s->image = strdup(req->image);
    s->platform = strdup(req->platform ? req->platform : "linux/amd64");
    int rc = DD_ENOMEM;
    if (s->image == NULL || s->platform == NULL)
        goto fail;
    rc = image_ref_parse(s->image, &s->ref, &e);
    if (rc)
        goto fail;
    rc = registry_new(&s->ref, &req->registry, &s->reg, &e);
    if (rc)
        goto fail;
    s->resolve_work.data = s;
    rc = uv_queue_work(ctx->loop, &s->resolve_work, resolve_work, after_resolve);
    if (rc) {
        rc = DD_ENOMEM;
        goto fail;
    }
    *out = s;
    return 0;
fail:
    if (e.code == 0)
        dd_error_set(&e, rc, "%s", dd_strerror(rc));
    if (err)
        *err = e;
    image_scan_free(s);
    return rc;
}

void image_scan_free(struct image_scan *s)
{
    if (s == NULL)
        return;
    free(s->image);
    free(s->platform);
    image_ref_cleanup(&s->ref);
    free(s->manifest_digest);
    free(s->index_digest);
    free(s->manifest_media_type);
    image_config_cleanup(&s->config);
    manifest_cleanup(&s->manifest);
    for (size_t i = 0; i < s->n_layers && s->layers; i++) {
        free(s->layers[i].digest);
        free(s->layers[i].diff_id);
        free(s->layers[i].media_type);
        free(s->layers[i].error);
    }
    free(s->layers);
    inventory_cleanup(&s->inv);
    registry_free(s->reg);
    free(s);
}
