/* decoder.h - verify and decompress a layer blob as it streams.
 *
 *   blob_source (compressed) ──sha256──▶ gzip (ISA-L) | zstd | none ──▶ blob_source (tar)
 *                                 │                         │
 *                     digest checked at end       bomb limits on every chunk
 *
 * The compression is decided by the stream's magic bytes (media types lie), falling back to
 * the hint. The digest of the compressed bytes is checked when the input ends: the caller
 * must read the decoder to its end (decoder_drain) before trusting anything it produced.
 */
#ifndef DD_DECODER_H
#define DD_DECODER_H

#include <stdbool.h>
#include <stdint.h>

#include "blob_source.h"
#include "err.h"
#include "manifest.h"

struct layer_limits {
    uint64_t max_bytes;         /* uncompressed bytes per layer */
    uint32_t max_ratio;         /* uncompressed / compressed, checked past ratio_after bytes */
    uint64_t ratio_after_bytes; /* small layers may compress arbitrarily well */
    uint64_t max_entries;       /* tar entries per layer */
};

void layer_limits_default(struct layer_limits *l);

struct decoder;

/* expected_digest: "sha256:<hex>" to verify, or NULL to skip (tests, local files).
 * src is borrowed and must outlive the decoder. */
int decoder_new(struct blob_source *src, enum layer_compression hint, const char *expected_digest,
                const struct layer_limits *limits, struct decoder **out);
void decoder_free(struct decoder *d);

/* The decompressed stream as a blob_source (ctx = the decoder). */
void decoder_source(struct decoder *d, struct blob_source *out);
/* Read and discard the rest, so the digest gets checked. */
int decoder_drain(struct decoder *d, struct dd_error *err);

uint64_t decoder_bytes_in(const struct decoder *d);  /* compressed bytes consumed */
uint64_t decoder_bytes_out(const struct decoder *d); /* decompressed bytes produced */
enum layer_compression decoder_compression(const struct decoder *d);
bool decoder_finished(const struct decoder *d); /* input ended and digest verified */

#endif
