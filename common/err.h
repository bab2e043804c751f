/* err.h - drydock error codes and the small error struct parsers fill in.
 *
 * Functions return int: 0 on success, a negative DD_E* code on failure. System failures are
 * returned as -errno (always > DD_EBASE). Parsers and clients also fill a struct dd_error so
 * that a task record or the CLI can say exactly why an image failed, e.g.
 *   "layer sha256:ab12..: gzip stream truncated after 1048576 bytes".
 */
#ifndef DD_ERR_H
#define DD_ERR_H

#include <stddef.h>

#define DD_EBASE 10000

enum dd_errcode {
    DD_OK = 0,
    DD_EINVAL = -(DD_EBASE + 1),        /* bad argument or malformed input */
    DD_ENOMEM = -(DD_EBASE + 2),        /* allocation failed */
    DD_EPARSE = -(DD_EBASE + 3),        /* input does not parse */
    DD_ETOOBIG = -(DD_EBASE + 4),       /* a hard size cap was hit */
    DD_EHTTP = -(DD_EBASE + 5),         /* unexpected HTTP status */
    DD_EAUTH = -(DD_EBASE + 6),         /* 401/403 or token flow failed */
    DD_ENOTFOUND = -(DD_EBASE + 7),     /* 404 / no such thing */
    DD_EDIGEST = -(DD_EBASE + 8),       /* content does not match its digest */
    DD_EHOSTILE = -(DD_EBASE + 9),      /* path traversal, absolute path, loops */
    DD_EUNSUPPORTED = -(DD_EBASE + 10), /* media type or format we do not handle */
    DD_EIO = -(DD_EBASE + 11),          /* local I/O failure */
    DD_ETRUNC = -(DD_EBASE + 12),       /* stream ended early */
    DD_EBOMB = -(DD_EBASE + 13),        /* decompression ratio or total cap exceeded */
    DD_ENET = -(DD_EBASE + 14),         /* connection / DNS / TLS failure */
    DD_ECANCELLED = -(DD_EBASE + 15),   /* stopped on request */
    DD_ENOPLATFORM = -(DD_EBASE + 16),  /* index has no manifest for the platform */
    DD_ELIMIT = -(DD_EBASE + 17),       /* a count limit (entries, depth) was hit */
};

#define DD_ERRMSG_MAX 512

struct dd_error {
    int code;                /* DD_E* or -errno; 0 when no error was recorded */
    char msg[DD_ERRMSG_MAX]; /* human readable, never contains secrets */
};

/* Record an error and return code, so callers can write `return dd_error_set(err, ...)`.
 * err may be NULL. The first error recorded wins unless dd_error_clear() is called. */
int dd_error_set(struct dd_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefix an existing message with context ("layer sha256:..: "); keeps the code. */
void dd_error_prefix(struct dd_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void dd_error_clear(struct dd_error *err);

const char *dd_strerror(int code);

#endif
