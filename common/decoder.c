/* decoder.c - streaming digest check + decompression for layer blobs.
 *
 * Design: a pull pipeline. decoder_source()'s next() asks for output; the decoder pulls
 * compressed chunks from the upstream source only when it has no pending input, hashes each
 * chunk exactly once as it is pulled, and runs the decompressor into a fixed 256 KiB output
 * buffer that it hands out by pointer (no copy). Memory is constant: one output buffer plus
 * the decompressor's state (ISA-L ~ 10 KiB, zstd window <= 128 MiB is refused: we cap the
 * window at 2^27 via ZSTD_d_windowLogMax).
 *
 * gzip: ISA-L's isal_inflate with ISAL_GZIP parses the header and checks the CRC. A stream of
 * several gzip members is valid gzip and is decoded member after member; bytes after the last
 * member that are not another member are ignored only when they are all zero (tar-style
 * padding), otherwise the stream is corrupt.
 *
 * Invariants: bytes_out never exceeds limits.max_bytes; once an error is returned the same
 * error is returned by every later call.
 */
#include "decoder.h"

#include <isa-l/igzip_lib.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#define DECODER_OUT_BYTES (256u * 1024)

struct decoder {
    struct blob_source *src;
    struct layer_limits limits;
    enum layer_compression comp;
    bool decided;
    bool in_eof;  /* upstream ended */
    bool out_eof; /* decompressor finished and input ended */
    bool verified;
    int failed; /* sticky error code */
    struct dd_error failed_err;
    char expected[80];
    EVP_MD_CTX *md;
    /* current compressed chunk (borrowed from src) */
    const uint8_t *in;
    size_t in_len;
    uint64_t bytes_in;
    uint64_t bytes_out;
    /* gzip */
    struct inflate_state *gz;
    bool gz_member_done;
    /* zstd */
    ZSTD_DCtx *zs;
    size_t zs_last; /* last ZSTD_decompressStream return: 0 when a frame is complete */
    uint8_t *out;
};

void layer_limits_default(struct layer_limits *l)
{
    l->max_bytes = 32ull << 30;
    l->max_ratio = 200;
    l->ratio_after_bytes = 256ull << 20;
    l->max_entries = 5000000;
}

int decoder_new(struct blob_source *src, enum layer_compression hint, const char *expected_digest,
                const struct layer_limits *limits, struct decoder **out)
{
    struct decoder *d = calloc(1, sizeof(*d));
    if (d == NULL)
        return DD_ENOMEM;
    d->src = src;
    d->comp = hint;
    if (limits)
        d->limits = *limits;
    else
        layer_limits_default(&d->limits);
    if (expected_digest) {
        if (strncmp(expected_digest, "sha256:", 7) != 0 ||
            strlen(expected_digest) >= sizeof(d->expected)) {
            free(d);
            return DD_EUNSUPPORTED;
        }
        snprintf(d->expected, sizeof(d->expected), "%s", expected_digest);
        d->md = EVP_MD_CTX_new();
        if (d->md == NULL || EVP_DigestInit_ex(d->md, EVP_sha256(), NULL) != 1) {
            EVP_MD_CTX_free(d->md);
            free(d);
            return DD_ENOMEM;
        }
    }
    d->out = malloc(DECODER_OUT_BYTES);
    if (d->out == NULL) {
        EVP_MD_CTX_free(d->md);
        free(d);
        return DD_ENOMEM;
    }
    *out = d;
    return 0;
}

void decoder_free(struct decoder *d)
{
    if (d == NULL)
        return;
    EVP_MD_CTX_free(d->md);
    free(d->gz);
    ZSTD_freeDCtx(d->zs);
    free(d->out);
    free(d);
}

static int fail(struct decoder *d, struct dd_error *err, int code, const char *msg)
{
    if (!d->failed) {
        d->failed = code;
        dd_error_clear(&d->failed_err);
        dd_error_set(&d->failed_err, code, "%s", msg);
    }
    if (err && err->code == 0) {
        err->code = d->failed_err.code;
        memcpy(err->msg, d->failed_err.msg, sizeof(err->msg));
    }
    return d->failed;
}

static int check_digest(struct decoder *d, struct dd_error *err)
{
    if (d->md == NULL) {
        d->verified = true;
        return 0;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(d->md, md, &n) != 1 || n != 32)
        return fail(d, err, DD_EDIGEST, "cannot finish sha256");
    char hex[7 + 64 + 1] = "sha256:";
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 7 + i * 2, 3, "%02x", md[i]);
    if (strcmp(hex, d->expected) != 0) {
        char msg[200];
        snprintf(msg, sizeof(msg), "blob digest mismatch: got %.*s.., want %.*s..", 19, hex, 19,
                 d->expected);
        return fail(d, err, DD_EDIGEST, msg);
    }
    d->verified = true;
    return 0;
}

/* Make sure there is compressed input, or in_eof is set. */
static int pull_input(struct decoder *d, struct dd_error *err)
{
    while (d->in_len == 0 && !d->in_eof) {
        const uint8_t *p = NULL;
        size_t n = 0;
        struct dd_error e = {0};
        int rc = d->src->next(d->src->ctx, &p, &n, &e);
        if (rc)
            return fail(d, err, rc, e.msg[0] ? e.msg : dd_strerror(rc));
        if (n == 0) {
            d->in_eof = true;
            return check_digest(d, err);
        }
        if (d->md && EVP_DigestUpdate(d->md, p, n) != 1)
            return fail(d, err, DD_ENOMEM, "sha256 update failed");
        d->in = p;
        d->in_len = n;
        d->bytes_in += n;
    }
    return 0;
}

static int decide(struct decoder *d, struct dd_error *err)
{
    int rc = pull_input(d, err);
    if (rc)
        return rc;
    d->decided = true;
    if (d->in_len >= 2 && d->in[0] == 0x1f && d->in[1] == 0x8b)
        d->comp = LAYER_COMP_GZIP;
    else if (d->in_len >= 4 && memcmp(d->in, "\x28\xb5\x2f\xfd", 4) == 0)
        d->comp = LAYER_COMP_ZSTD;
    else
        d->comp = LAYER_COMP_NONE; /* the tar reader will complain if it is not a tar */
    if (d->comp == LAYER_COMP_GZIP) {
        d->gz = malloc(sizeof(*d->gz));
        if (d->gz == NULL)
            return fail(d, err, DD_ENOMEM, "out of memory");
        isal_inflate_init(d->gz);
        d->gz->crc_flag = ISAL_GZIP;
    } else if (d->comp == LAYER_COMP_ZSTD) {
        d->zs = ZSTD_createDCtx();
        if (d->zs == NULL)
            return fail(d, err, DD_ENOMEM, "out of memory");
        ZSTD_DCtx_setParameter(d->zs, ZSTD_d_windowLogMax, 27);
        d->zs_last = 1;
    }
    return 0;
}

static int check_limits(struct decoder *d, struct dd_error *err)
{
    char msg[160];
    if (d->bytes_out > d->limits.max_bytes) {
        snprintf(msg, sizeof(msg), "layer expands past %llu bytes (max_layer_bytes)",
                 (unsigned long long)d->limits.max_bytes);
        return fail(d, err, DD_EBOMB, msg);
    }
    if (d->comp != LAYER_COMP_NONE && d->bytes_out > d->limits.ratio_after_bytes &&
        d->bytes_in > 0 && d->bytes_out / d->bytes_in > d->limits.max_ratio) {
        snprintf(msg, sizeof(msg),
                 "decompression ratio over %u:1 after %llu bytes (max_layer_ratio): likely a bomb",
                 d->limits.max_ratio, (unsigned long long)d->bytes_out);
        return fail(d, err, DD_EBOMB, msg);
    }
    return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i])
            return false;
    }
    return true;
}

static int gzip_step(struct decoder *d, const uint8_t **data, size_t *len, struct dd_error *err)
{
    struct inflate_state *s = d->gz;
    for (;;) {
        if (d->gz_member_done) {
            /* Between members: another member, zero padding, or the end. */
            int rc = pull_input(d, err);
            if (rc)
                return rc;
            if (d->in_len == 0) {
                d->out_eof = true;
                *len = 0;
                return 0;
            }
            if (d->in[0] == 0x1f) {
                isal_inflate_reset(s);
                s->crc_flag = ISAL_GZIP;
                d->gz_member_done = false;
            } else if (all_zero(d->in, d->in_len)) {
                d->in_len = 0;
                continue;
            } else {
                return fail(d, err, DD_EPARSE, "garbage after the end of the gzip stream");
            }
        }
        int rc = pull_input(d, err);
        if (rc)
            return rc;
        if (d->in_len == 0) {
            return fail(d, err, DD_ETRUNC,
                        "gzip stream truncated (input ended before the end of the stream)");
        }
        s->next_in = (uint8_t *)d->in;
        s->avail_in = d->in_len > UINT32_MAX ? UINT32_MAX : (uint32_t)d->in_len;
        s->next_out = d->out;
        s->avail_out = DECODER_OUT_BYTES;
        uint32_t before_in = s->avail_in;
        int r = isal_inflate(s);
        size_t used = before_in - s->avail_in;
        d->in += used;
        d->in_len -= used;
        if (r < 0) {
            const char *why = r == ISAL_INCORRECT_CHECKSUM ? "gzip CRC mismatch"
                              : r == ISAL_INVALID_WRAPPER  ? "invalid gzip header"
                                                           : "corrupt deflate data";
            return fail(d, err, DD_EPARSE, why);
        }
        if (s->block_state == ISAL_BLOCK_FINISH)
            d->gz_member_done = true;
        size_t produced = DECODER_OUT_BYTES - s->avail_out;
        if (produced) {
            d->bytes_out += produced;
            if ((rc = check_limits(d, err)) != 0)
                return rc;
            *data = d->out;
            *len = produced;
            return 0;
        }
    }
}

static int zstd_step(struct decoder *d, const uint8_t **data, size_t *len, struct dd_error *err)
{
    for (;;) {
        int rc = pull_input(d, err);
        if (rc)
            return rc;
        if (d->in_len == 0) {
            if (d->zs_last != 0)
                return fail(d, err, DD_ETRUNC, "zstd stream truncated");
            d->out_eof = true;
            *len = 0;
            return 0;
        }
        ZSTD_inBuffer ib = {d->in, d->in_len, 0};
        ZSTD_outBuffer ob = {d->out, DECODER_OUT_BYTES, 0};
        size_t r = ZSTD_decompressStream(d->zs, &ob, &ib);
        d->in += ib.pos;
        d->in_len -= ib.pos;
        if (ZSTD_isError(r)) {
            char msg[160];
            snprintf(msg, sizeof(msg), "zstd: %s", ZSTD_getErrorName(r));
            return fail(d, err, DD_EPARSE, msg);
        }
        d->zs_last = r;
        if (ob.pos) {
            d->bytes_out += ob.pos;
            if ((rc = check_limits(d, err)) != 0)
                return rc;
            *data = d->out;
            *len = ob.pos;
            return 0;
        }
    }
}

static int decoder_next(void *ctx, const uint8_t **data, size_t *len, struct dd_error *err)
{
    struct decoder *d = ctx;
    *len = 0;
    if (d->failed)
        return fail(d, err, d->failed, "");
    if (!d->decided) {
        int rc = decide(d, err);
        if (rc)
            return rc;
    }
    if (d->out_eof)
        return 0;
    switch (d->comp) {
    case LAYER_COMP_GZIP:
        return gzip_step(d, data, len, err);
    case LAYER_COMP_ZSTD:
        return zstd_step(d, data, len, err);
    default: {
        int rc = pull_input(d, err);
        if (rc)
            return rc;
        if (d->in_len == 0) {
            d->out_eof = true;
            return 0;
        }
        *data = d->in;
        *len = d->in_len;
        d->bytes_out += d->in_len;
        d->in_len = 0;
        return check_limits(d, err);
    }
    }
}

void decoder_source(struct decoder *d, struct blob_source *out)
{
    out->ctx = d;
    out->next = decoder_next;
}

int decoder_drain(struct decoder *d, struct dd_error *err)
{
    for (;;) {
        const uint8_t *p;
        size_t n = 0;
        int rc = decoder_next(d, &p, &n, err);
        if (rc)
            return rc;
        if (n == 0)
            break;
    }
    /* The decompressor may end before the upstream does (trailing bytes were checked). */
    while (!d->in_eof) {
        d->in_len = 0;
        int rc = pull_input(d, err);
        if (rc)
            return rc;
        if (d->in_len && !all_zero(d->in, d->in_len))
            return fail(d, err, DD_EPARSE, "garbage after the end of the compressed stream");
    }
    return 0;
}

uint64_t decoder_bytes_in(const struct decoder *d)
{
    return d->bytes_in;
}

uint64_t decoder_bytes_out(const struct decoder *d)
{
    return d->bytes_out;
}

enum layer_compression decoder_compression(const struct decoder *d)
{
    return d->comp;
}

bool decoder_finished(const struct decoder *d)
{
    return d->in_eof && d->verified && !d->failed;
}
