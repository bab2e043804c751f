/* version_fuzz.h - shared body of the fuzz_version_<scheme>.c targets.
 *
 * The input is split at the first newline into two version strings (a NUL byte inside
 * simply ends a string early). Checks, beyond "no crash, no leak, no UB": a string that
 * validates compares equal to itself, compare succeeds exactly when both strings validate
 * (except two Composer dev branches, which have no order), and compare(a, b) ==
 * -compare(b, a). A violated
 * property aborts, so the fuzzer reports it and the corpus replay fails.
 */
#ifndef DD_VERSION_FUZZ_H
#define DD_VERSION_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"

static int version_fuzz_one(enum version_scheme s, const uint8_t *data, size_t size)
{
    if (size > 2 * VERSION_MAX_LEN + 64)
        return 0;
    char *buf = malloc(size + 2);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    buf[size + 1] = '\0';
    char *b = memchr(buf, '\n', size);
    if (b != NULL)
        *b++ = '\0';
    else
        b = buf + size + 1;
    const char *a = buf;

    struct dd_error err = {0};
    int ab = 7, ba = 7, aa = 7;
    int va = version_validate(s, a, &err);
    int vb = version_validate(s, b, NULL);
    int r1 = version_compare(s, a, b, &ab, NULL);
    int r2 = version_compare(s, b, a, &ba, NULL);
    if (va == 0 && version_compare(s, a, a, &aa, NULL) != 0)
        abort();
    if (va == 0 && aa != 0)
        abort();
    /* Two valid Composer dev branches may still have no order (DD_EPARSE). */
    if (r1 == 0 && (va != 0 || vb != 0))
        abort();
    if (r1 != 0 && va == 0 && vb == 0 && s != VERS_COMPOSER)
        abort();
    if ((r2 == 0) != (r1 == 0))
        abort();
    if (r1 == 0 && ab != -ba)
        abort();
    if (va != 0 && (err.code != va || err.msg[0] == '\0'))
        abort();
    free(buf);
    return 0;
}

#define VERSION_FUZZ_TARGET(scheme)                                                                \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);                                  \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                                   \
    {                                                                                              \
        return version_fuzz_one(scheme, data, size);                                               \
    }

#endif
