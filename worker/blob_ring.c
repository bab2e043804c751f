/* blob_ring.c - bounded producer/consumer ring (see blob_ring.h). */
#include "blob_ring.h"

#include <stdlib.h>
#include <string.h>

int blob_ring_init(struct blob_ring *r, size_t cap, uv_async_t *wake)
{
    memset(r, 0, sizeof(*r));
    r->buf = malloc(cap);
    if (r->buf == NULL)
        return DD_ENOMEM;
    r->cap = cap;
    r->wake = wake;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    return 0;
}

void blob_ring_cleanup(struct blob_ring *r)
{
    if (r->buf == NULL)
        return;
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r->buf);
    r->buf = NULL;
}

enum ring_write_result blob_ring_write(struct blob_ring *r, const void *data, size_t len)
{
    pthread_mutex_lock(&r->mu);
    if (r->reader_closed) {
        pthread_mutex_unlock(&r->mu);
        return RING_CLOSED;
    }
    if (len > r->cap - r->used) {
        r->writer_paused = true;
        pthread_mutex_unlock(&r->mu);
        return RING_FULL;
    }
    size_t tail = (r->head + r->used) % r->cap;
    size_t first = r->cap - tail < len ? r->cap - tail : len;
    memcpy(r->buf + tail, data, first);
    memcpy(r->buf, (const uint8_t *)data + first, len - first);
    r->used += len;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return RING_WRITTEN;
}

void blob_ring_finish(struct blob_ring *r)
{
    pthread_mutex_lock(&r->mu);
    r->eof = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

void blob_ring_fail(struct blob_ring *r, const struct dd_error *err)
{
    pthread_mutex_lock(&r->mu);
    if (r->err.code == 0)
        r->err = *err;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

bool blob_ring_reader_closed(struct blob_ring *r)
{
    pthread_mutex_lock(&r->mu);
    bool c = r->reader_closed;
    pthread_mutex_unlock(&r->mu);
    return c;
}

void blob_ring_close_reader(struct blob_ring *r)
{
    pthread_mutex_lock(&r->mu);
    r->reader_closed = true;
    bool wake = r->writer_paused;
    r->writer_paused = false;
    pthread_mutex_unlock(&r->mu);
    if (wake && r->wake)
        uv_async_send(r->wake);
}

static int ring_next(void *ctx, const uint8_t **data, size_t *len, struct dd_error *err)
{
    struct blob_ring *r = ctx;
    bool wake = false;
    int rc = 0;
    pthread_mutex_lock(&r->mu);
    r->head = (r->head + r->borrowed) % r->cap;
    r->used -= r->borrowed;
    r->borrowed = 0;
    if (r->writer_paused && r->cap - r->used >= r->cap / 2) {
        r->writer_paused = false;
        wake = true;
    }
    while (r->used == 0 && !r->eof && r->err.code == 0) {
        if (wake && r->wake) {
            uv_async_send(r->wake);
            wake = false;
        }
        pthread_cond_wait(&r->cv, &r->mu);
    }
    if (r->err.code) {
        rc = r->err.code;
        if (err && err->code == 0)
            *err = r->err;
        *len = 0;
    } else if (r->used == 0) {
        *len = 0; /* end of stream */
    } else {
        size_t n = r->cap - r->head < r->used ? r->cap - r->head : r->used;
        *data = r->buf + r->head;
        *len = n;
        r->borrowed = n;
    }
    pthread_mutex_unlock(&r->mu);
    if (wake && r->wake)
        uv_async_send(r->wake);
    return rc;
}

void blob_ring_source(struct blob_ring *r, struct blob_source *out)
{
    out->ctx = r;
    out->next = ring_next;
}
