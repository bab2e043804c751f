/* buf.h - a growable byte buffer with a hard cap fixed at init (like curl's dynbuf).
 *
 * Every buffer that holds untrusted bytes (manifests, package databases, HTTP bodies) is a
 * struct buf, so no input can make us allocate more than its cap. The content is always
 * NUL-terminated (the NUL is not counted in len) so text parsers can use it directly.
 */
#ifndef DD_BUF_H
#define DD_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
    uint8_t *data; /* NULL until the first append */
    size_t len;    /* bytes used, excluding the trailing NUL */
    size_t cap;    /* bytes allocated */
    size_t max;    /* hard limit on len, bytes */
};

void buf_init(struct buf *b, size_t max_bytes);
void buf_cleanup(struct buf *b);
void buf_reset(struct buf *b); /* len = 0, keeps memory */
/* Append; returns DD_ETOOBIG (buffer unchanged) when len would pass max, DD_ENOMEM. */
int buf_append(struct buf *b, const void *data, size_t len);
int buf_append_str(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the bytes to the caller (NUL-terminated, never NULL on success); b is left empty. */
char *buf_take(struct buf *b, size_t *len_out);

#endif
