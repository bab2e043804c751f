/* blob_source.h - a pull interface over a stream of bytes (a registry blob, a file, memory).
 *
 * The walker pulls chunks; the producer decides where they come from. In the worker the
 * producer is a libcurl transfer on the event loop feeding a bounded ring (see worker/);
 * in unit tests it is a memory buffer or a file. Chunks are borrowed: valid until the next
 * call to next() or until the source is closed.
 */
#ifndef DD_BLOB_SOURCE_H
#define DD_BLOB_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

struct blob_source {
    void *ctx;
    /* Next chunk in *data and *len; *len == 0 means end of stream. Returns 0 or DD_E*. */
    int (*next)(void *ctx, const uint8_t **data, size_t *len, struct dd_error *err);
};

/* A source over caller-owned memory, handed out in chunks of at most chunk bytes
 * (0 = all at once). Used by tests and the fuzz targets. */
struct mem_source {
    const uint8_t *data;
    size_t len;
    size_t pos;
    size_t chunk;
};
void mem_source_init(struct mem_source *m, struct blob_source *src, const uint8_t *data, size_t len,
                     size_t chunk);

/* A source over a stdio stream (borrowed) with an internal buffer of buf_size bytes. */
struct file_source {
    FILE *f;
    uint8_t *buf;
    size_t size;
};
int file_source_init(struct file_source *fs, struct blob_source *src, FILE *f, size_t buf_size);
void file_source_cleanup(struct file_source *fs);

#endif
