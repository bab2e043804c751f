/* err.c - error codes to text and the dd_error helpers. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int dd_error_set(struct dd_error *err, int code, const char *fmt, ...)
{
    if (err == NULL || err->code != 0)
        return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

void dd_error_prefix(struct dd_error *err, const char *fmt, ...)
{
    if (err == NULL)
        return;
    char prefix[DD_ERRMSG_MAX];
    char old[DD_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    size_t pl = strnlen(prefix, sizeof(err->msg) - 1);
    memcpy(err->msg, prefix, pl);
    size_t ol = strnlen(old, sizeof(err->msg) - 1 - pl);
    memcpy(err->msg + pl, old, ol);
    err->msg[pl + ol] = '\0';
}

void dd_error_clear(struct dd_error *err)
{
    if (err == NULL)
        return;
    err->code = 0;
    err->msg[0] = '\0';
}

const char *dd_strerror(int code)
{
    switch (code) {
    case DD_OK:
        return "ok";
    case DD_EINVAL:
        return "invalid input";
    case DD_ENOMEM:
        return "out of memory";
    case DD_EPARSE:
        return "parse error";
    case DD_ETOOBIG:
        return "size limit exceeded";
    case DD_EHTTP:
        return "unexpected HTTP status";
    case DD_EAUTH:
        return "authentication failed";
    case DD_ENOTFOUND:
        return "not found";
    case DD_EDIGEST:
        return "digest mismatch";
    case DD_EHOSTILE:
        return "hostile input";
    case DD_EUNSUPPORTED:
        return "unsupported";
    case DD_EIO:
        return "I/O error";
    case DD_ETRUNC:
        return "truncated";
    case DD_EBOMB:
        return "decompression bomb";
    case DD_ENET:
        return "network error";
    case DD_ECANCELLED:
        return "cancelled";
    case DD_ENOPLATFORM:
        return "no manifest for platform";
    case DD_ELIMIT:
        return "count limit exceeded";
    default:
        if (code < 0 && code > -DD_EBASE)
            return strerror(-code);
        return "unknown error";
    }
}
