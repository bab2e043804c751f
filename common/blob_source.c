/* blob_source.c - the memory and file implementations of struct blob_source. */
#include "blob_source.h"

#include <errno.h>
#include <stdlib.h>

static int mem_next(void *ctx, const uint8_t **data, size_t *len, struct dd_error *err)
{
    (void)err;
    struct mem_source *m = ctx;
    size_t n = m->len - m->pos;
    if (m->chunk && n > m->chunk)
        n = m->chunk;
    *data = m->data + m->pos;
    *len = n;
    m->pos += n;
    return 0;
}

void mem_source_init(struct mem_source *m, struct blob_source *src, const uint8_t *data, size_t len,
                     size_t chunk)
{
    m->data = data;
    m->len = len;
    m->pos = 0;
    m->chunk = chunk;
    src->ctx = m;
    src->next = mem_next;
}

static int file_next(void *ctx, const uint8_t **data, size_t *len, struct dd_error *err)
{
    struct file_source *fs = ctx;
    size_t n = fread(fs->buf, 1, fs->size, fs->f);
    if (n == 0 && ferror(fs->f))
        return dd_error_set(err, -EIO, "read error");
    *data = fs->buf;
    *len = n;
    return 0;
}

int file_source_init(struct file_source *fs, struct blob_source *src, FILE *f, size_t buf_size)
{
    fs->f = f;
    fs->size = buf_size;
    fs->buf = malloc(buf_size);
    if (fs->buf == NULL)
        return DD_ENOMEM;
    src->ctx = fs;
    src->next = file_next;
    return 0;
}

void file_source_cleanup(struct file_source *fs)
{
    free(fs->buf);
    fs->buf = NULL;
}
