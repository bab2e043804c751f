/* blob_ring.h - a bounded byte ring between a curl transfer (loop thread, producer) and a
 * layer walk (thread-pool thread, consumer).
 *
 *   curl write cb ──ring_write──▶ [ ring: cap bytes ] ──blob_source.next──▶ decoder/tar
 *        ▲  returns CURL_WRITEFUNC_PAUSE when full          │ frees space; when the
 *        └──────── uv_async: curl_easy_pause(CONT) ◀────────┘ writer is paused, wakes it
 *
 * Memory per layer is the ring's capacity, whatever the layer's size: this is what keeps a
 * 1 GB layer's scan within a few MB. Chunks given to the reader point into the ring and stay
 * valid until its next call (the writer never overwrites borrowed bytes).
 */
#ifndef DD_BLOB_RING_H
#define DD_BLOB_RING_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "blob_source.h"
#include "err.h"

enum ring_write_result { RING_WRITTEN, RING_FULL, RING_CLOSED };

struct blob_ring {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint8_t *buf;
    size_t cap;
    size_t head;     /* read position */
    size_t used;     /* bytes in the ring, including borrowed ones */
    size_t borrowed; /* bytes handed to the reader, released on its next call */
    bool eof;
    bool reader_closed;
    bool writer_paused;
    struct dd_error err; /* producer failure, delivered to the reader */
    uv_async_t *wake;    /* sent when a paused writer may go on (borrowed) */
};

int blob_ring_init(struct blob_ring *r, size_t cap, uv_async_t *wake);
void blob_ring_cleanup(struct blob_ring *r);

/* Producer side (loop thread). */
enum ring_write_result blob_ring_write(struct blob_ring *r, const void *data, size_t len);
void blob_ring_finish(struct blob_ring *r); /* end of stream */
void blob_ring_fail(struct blob_ring *r, const struct dd_error *err);
bool blob_ring_reader_closed(struct blob_ring *r);

/* Consumer side (any thread). */
void blob_ring_source(struct blob_ring *r, struct blob_source *out);
void blob_ring_close_reader(struct blob_ring *r); /* the reader gives up: writes are refused */

#endif
